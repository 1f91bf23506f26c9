import type { Clock } from '@rivulet/common';
import type { Depayloader, RtpPacketLike } from '../codecs/types.js';

/** A complete frame, in order, as the jitter buffer hands it out. */
export interface JitterFrame<P extends RtpPacketLike = RtpPacketLike> {
  /** The depayloaded bitstream (see Depayloader.depayload). */
  data: Buffer;
  timestamp: number;
  keyframe: boolean;
  /** The frame's packets in sequence order. */
  packets: P[];
}

/** Why the buffer asks for a keyframe (RFC 4585 §6.3.1 PLI / RFC 5104 §4.3.1 FIR are the caller's to send). */
export type KeyframeRequestReason = 'loss' | 'noKeyframeYet' | 'stillWaiting';

export interface JitterBufferEvents<P extends RtpPacketLike = RtpPacketLike> {
  frame: [JitterFrame<P>];
  /** Decoding cannot continue until a keyframe arrives: send PLI/FIR. */
  keyframeNeeded: [KeyframeRequestReason];
  /** Packets that will never be delivered: `count` sequence numbers from `firstSequenceNumber` (16-bit). */
  loss: [{ firstSequenceNumber: number; count: number }];
}

export type JitterCounter =
  | 'packetsReceived'
  | 'packetsMalformed'
  | 'packetsDuplicate'
  | 'packetsLate'
  | 'packetsLost'
  | 'framesEmitted'
  | 'framesIncomplete'
  | 'framesMalformed'
  | 'framesDroppedWaitingForKeyframe'
  | 'keyframeRequests'
  | 'resets';

export interface JitterBufferOptions {
  clock: Clock;
  /** The codec's depayloader: frame-start flags per packet, and the frame rebuild. */
  depayloader: Depayloader;
  /**
   * Give up on an incomplete frame this long after a later packet showed one
   * of its packets missing, or after packets stopped arriving (ms, default 200).
   */
  maxLatencyMs?: number;
  /** Packets held at most; over it the oldest frame is given up (default 1000). */
  maxPackets?: number;
  /** After a loss, drop frames until a keyframe, as a decoder could not use them (default true). */
  dropUntilKeyframe?: boolean;
  /** Repeat keyframeNeeded at most this often while still waiting (ms, default 500). */
  keyframeRequestIntervalMs?: number;
  /**
   * Hold the first frame this long after the first packet arrives, so packets
   * reordered ahead of the stream's true first packet do not cut it (ms,
   * default 0; must be below maxLatencyMs).
   */
  initialDelayMs?: number;
}

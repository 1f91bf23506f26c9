import type { Counters } from '@rivulet/common';

/**
 * Structural types shared by every payloader, depayloader and the jitter
 * buffer. They deliberately do not name the RtpPacket class: anything with
 * these fields (our RtpPacket, a test double, another library's packet) fits.
 */

/** One RTP payload produced by a payloader, plus the marker bit for its header. */
export interface RtpPayload {
  payload: Buffer;
  /** RTP marker bit: for video, the last packet of a frame (RFC 3551 §4.1 leaves audio to the format). */
  marker: boolean;
}

/** The fields of a received RTP packet the depayloaders and jitter buffer read. */
export interface RtpPacketLike {
  sequenceNumber: number;
  timestamp: number;
  marker: boolean;
  payload: Buffer;
  payloadType?: number;
}

/** Turns one encoded frame (or audio packet) into RTP payloads no larger than the configured MTU. */
export interface Payloader {
  /** Maximum RTP payload size in bytes (the MTU minus IP/UDP/RTP/SRTP overhead). */
  readonly maxPayloadSize: number;
  payload(frame: Buffer): RtpPayload[];
}

/** Facts a depayloader can read from one packet's payload descriptor, without the rest of its frame. */
export interface PacketInfo {
  /**
   * False when the descriptor proves the packet is not the first of a frame
   * (VP8 S=0, VP9 B=0, FU-A without S, AV1 Z=1). True means it may be.
   */
  frameStart: boolean;
  /** True when this packet alone shows the frame is a keyframe (or audio, where every frame stands alone). */
  keyframe: boolean;
}

/** A frame rebuilt from its packets. */
export interface DepayloadedFrame {
  /** The codec bitstream: VP8/VP9 frame, H.264 Annex B access unit, AV1 low-overhead temporal unit, audio frame. */
  data: Buffer;
  timestamp: number;
  /** The frame can be decoded with no earlier frame (see docs/codecs.md for each codec's rule). */
  keyframe: boolean;
}

/** Why a depayloader dropped input; every drop is counted, never thrown. */
export type DepayloadDropReason =
  | 'malformedPacket'
  | 'unsupportedPacket'
  | 'malformedFrame'
  | 'emptyFrame';

export interface Depayloader {
  /** Lower-case codec name as in SDP rtpmap (vp8, vp9, h264, av1, opus, pcmu, pcma). */
  readonly codec: string;
  /** Every packet is a whole frame (audio); the jitter buffer need not look for frame ends. */
  readonly packetIsFrame: boolean;
  /** Frames never reference earlier frames (audio): a loss never needs a keyframe. */
  readonly independentFrames: boolean;
  readonly counters: Counters<DepayloadDropReason>;
  /** Reads one packet's descriptor; undefined (and counted) when malformed. */
  inspect(payload: Buffer): PacketInfo | undefined;
  /**
   * Rebuilds one frame from all its packets in sequence order (same RTP
   * timestamp). Returns undefined, counted, when they do not form a valid frame.
   */
  depayload(packets: readonly RtpPacketLike[]): DepayloadedFrame | undefined;
}

/** Validates the MTU option every payloader takes. */
export function checkMaxPayloadSize(codec: string, value: number, minimum: number): number {
  if (!Number.isInteger(value) || value < minimum || value > 65_535) {
    throw new RangeError(
      `${codec} payloader: maxPayloadSize must be an integer in [${minimum}, 65535], got ${String(value)}`,
    );
  }
  return value;
}

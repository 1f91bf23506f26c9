import type { Depayloader } from '../codecs/types.js';

/** Packets remembered per stream (a frame longer than this is never counted). */
const WINDOW = 4096;
const MASK = WINDOW - 1;
/** Frames remembered as counted, so a duplicate or retransmitted packet does not count one twice. */
const COUNTED_MEMORY = 512;

const FLAG_PRESENT = 1;
const FLAG_START = 2;
const FLAG_KEY = 4;

/**
 * webrtc-stats RTCInboundRtpStreamStats.framesReceived / keyFramesReceived for one received video
 * stream, from what the codec's depayloader can read in each packet (`Depayloader.inspect`: VP8 S
 * bit and PID, VP9 B bit, AV1 Z bit, H.264 FU-A S bit; key frame from VP8 P, VP9 P, AV1 N, an IDR NAL).
 *
 * A frame (the packets of one RTP timestamp) counts once it is complete: its marker packet
 * (RFC 3550 §5.1: the last packet of a video frame) arrived, and every sequence number before it
 * back to the frame's first packet. The first packet is known either because the packet before it
 * belongs to another timestamp, or because the depayloader says it starts a frame and the codec's
 * descriptor can say so (not H.264, whose packets cannot tell a frame's first slice apart; there
 * only the stream's first packet is known to start a frame). Loss
 * repaired later by a retransmission completes the frame then.
 */
export class ReceivedFrames {
  framesReceived = 0;
  keyFramesReceived = 0;
  private readonly seqs = new Int32Array(WINDOW).fill(-1);
  private readonly timestamps = new Uint32Array(WINDOW);
  private readonly flags = new Uint8Array(WINDOW);
  /** RTP timestamp → sequence number of its marker packet. */
  private readonly markers = new Map<number, number>();
  private readonly counted = new Set<number>();
  /** Whether frameStart from inspect() proves a first packet (false for H.264: every packet "may" start). */
  private readonly startIsDefinitive: boolean;
  /** The stream's first packet: nothing came before it, so it starts the first frame. */
  private firstSeq = -1;
  /** Timestamp of the previous packet, and whether its frame's marker has been seen (fast path). */
  private lastTimestamp = -1;
  private lastMarkerSeen = false;

  constructor(private readonly depayloader: Depayloader) {
    this.startIsDefinitive = depayloader.codec !== 'h264';
  }

  onPacket(seq: number, timestamp: number, marker: boolean, payload: Buffer): void {
    const info = payload.length > 0 ? this.depayloader.inspect(payload) : undefined;
    if (this.firstSeq < 0) this.firstSeq = seq;
    const i = seq & MASK;
    this.seqs[i] = seq;
    this.timestamps[i] = timestamp;
    this.flags[i] = FLAG_PRESENT | (info?.frameStart ? FLAG_START : 0) | (info?.keyframe ? FLAG_KEY : 0);
    if (marker) {
      this.markers.set(timestamp, seq);
      if (this.markers.size > COUNTED_MEMORY) this.markers.delete(this.markers.keys().next().value!);
    }
    // In-order packets of a frame whose marker has not come yet cannot complete it: no lookups.
    if (timestamp !== this.lastTimestamp) {
      this.lastTimestamp = timestamp;
      this.lastMarkerSeen = this.markers.has(timestamp);
    } else if (marker) this.lastMarkerSeen = true;
    if (this.lastMarkerSeen) this.tryComplete(timestamp);
    // This packet may be the last one of the previous frame, telling where the next frame starts.
    const next = (seq + 1) & 0xffff;
    const n = next & MASK;
    if (this.seqs[n] === next && this.timestamps[n] !== timestamp) this.tryComplete(this.timestamps[n]!);
  }

  private has(seq: number): boolean {
    return this.seqs[seq & MASK] === seq;
  }

  private tryComplete(timestamp: number): void {
    if (this.counted.has(timestamp)) return;
    const last = this.markers.get(timestamp);
    if (last === undefined || !this.has(last)) return;
    let key = false;
    let s = last;
    for (let walked = 0; walked < WINDOW - 1; walked++) {
      const i = s & MASK;
      key ||= (this.flags[i]! & FLAG_KEY) !== 0;
      const prev = (s - 1) & 0xffff;
      if (this.has(prev)) {
        if (this.timestamps[prev & MASK] !== timestamp) return this.complete(timestamp, key); // previous frame ends here
        s = prev;
        continue;
      }
      // A gap before s: s must provably start the frame.
      const starts = (this.flags[i]! & FLAG_START) !== 0;
      if (starts && (this.startIsDefinitive || s === this.firstSeq)) this.complete(timestamp, key);
      return;
    }
  }

  private complete(timestamp: number, key: boolean): void {
    this.counted.add(timestamp);
    if (this.counted.size > COUNTED_MEMORY) this.counted.delete(this.counted.values().next().value!);
    this.framesReceived++;
    if (key) this.keyFramesReceived++;
  }
}

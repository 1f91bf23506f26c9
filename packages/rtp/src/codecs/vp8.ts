import { Counters } from '@rivulet/common';
import {
  checkMaxPayloadSize,
  type DepayloadDropReason,
  type DepayloadedFrame,
  type Depayloader,
  type PacketInfo,
  type Payloader,
  type RtpPacketLike,
  type RtpPayload,
} from './types.js';

/** A parsed RFC 7741 §4.2 VP8 payload descriptor. */
export interface Vp8Descriptor {
  /** N: the frame is not used as a reference. */
  nonReference: boolean;
  /** S: this packet starts a VP8 partition. */
  start: boolean;
  /** PID: partition index (0..7). */
  partitionIndex: number;
  /** 7- or 15-bit PictureID when I is set. */
  pictureId: number | undefined;
  tl0PicIdx: number | undefined;
  temporalId: number | undefined;
  keyIdx: number | undefined;
  /** Offset of the VP8 payload (after the descriptor) in the RTP payload. */
  headerLength: number;
}

/** RFC 7741 §4.2; undefined when the descriptor is truncated or no payload follows it. */
export function parseVp8Descriptor(p: Buffer): Vp8Descriptor | undefined {
  if (p.length < 2) return undefined;
  const b0 = p[0]!;
  const d: Vp8Descriptor = {
    nonReference: (b0 & 0x20) !== 0,
    start: (b0 & 0x10) !== 0,
    partitionIndex: b0 & 0x07,
    pictureId: undefined,
    tl0PicIdx: undefined,
    temporalId: undefined,
    keyIdx: undefined,
    headerLength: 1,
  };
  let off = 1;
  if (b0 & 0x80) {
    const x = p[off++]!;
    if (x & 0x80) {
      if (off >= p.length) return undefined;
      const m = p[off]!;
      if (m & 0x80) {
        if (off + 1 >= p.length) return undefined;
        d.pictureId = ((m & 0x7f) << 8) | p[off + 1]!;
        off += 2;
      } else {
        d.pictureId = m;
        off += 1;
      }
    }
    if (x & 0x40) {
      if (off >= p.length) return undefined;
      d.tl0PicIdx = p[off++];
    }
    if (x & 0x30) {
      if (off >= p.length) return undefined;
      const tk = p[off++]!;
      if (x & 0x20) d.temporalId = tk >> 6;
      if (x & 0x10) d.keyIdx = tk & 0x1f;
    }
  }
  // A packet must carry at least one byte of VP8 data after the descriptor.
  if (off >= p.length) return undefined;
  d.headerLength = off;
  return d;
}

/**
 * RFC 7741 §4.3: the first byte of the VP8 payload header, present at the
 * start of partition 0, has P (inverse key frame flag) as its lowest bit.
 */
export function isVp8KeyframeData(frame: Buffer): boolean {
  return frame.length >= 3 && (frame[0]! & 0x01) === 0;
}

export interface Vp8PayloaderOptions {
  /** Maximum RTP payload size in bytes; default 1200. */
  maxPayloadSize?: number;
  /** First 15-bit PictureID; default random. */
  initialPictureId?: number;
}

/**
 * RFC 7741 §4.2 payloader. Every packet carries X=1, I=1 and a 15-bit
 * PictureID (M=1) so receivers can tell frames apart after loss; partitions
 * are not parsed, so all packets use PID 0 and only the first sets S
 * (§4.4: a packetizer need not align packets to partition boundaries).
 */
export class Vp8Payloader implements Payloader {
  readonly maxPayloadSize: number;
  private pictureId: number;

  constructor(options: Vp8PayloaderOptions = {}) {
    this.maxPayloadSize = checkMaxPayloadSize('VP8', options.maxPayloadSize ?? 1200, 5);
    this.pictureId = (options.initialPictureId ?? Math.floor(Math.random() * 0x8000)) & 0x7fff;
  }

  /** The PictureID the next frame will carry. */
  get nextPictureId(): number {
    return this.pictureId;
  }

  payload(frame: Buffer): RtpPayload[] {
    if (frame.length === 0) return [];
    const chunk = this.maxPayloadSize - 4;
    const out: RtpPayload[] = [];
    for (let off = 0; off < frame.length; off += chunk) {
      const end = Math.min(frame.length, off + chunk);
      const payload = Buffer.allocUnsafe(4 + end - off);
      payload[0] = off === 0 ? 0x90 : 0x80; // X=1, S on the first packet, PID 0
      payload[1] = 0x80; // I=1
      payload[2] = 0x80 | (this.pictureId >> 8); // M=1: 15-bit PictureID
      payload[3] = this.pictureId & 0xff;
      frame.copy(payload, 4, off, end);
      out.push({ payload, marker: end === frame.length });
    }
    this.pictureId = (this.pictureId + 1) & 0x7fff;
    return out;
  }
}

/** RFC 7741 depayloader: strips descriptors and concatenates the VP8 data of a frame. */
export class Vp8Depayloader implements Depayloader {
  readonly codec = 'vp8';
  readonly packetIsFrame = false;
  readonly independentFrames = false;
  readonly counters = new Counters<DepayloadDropReason>();

  inspect(payload: Buffer): PacketInfo | undefined {
    const d = parseVp8Descriptor(payload);
    if (!d) {
      this.counters.inc('malformedPacket');
      return undefined;
    }
    const frameStart = d.start && d.partitionIndex === 0;
    return { frameStart, keyframe: frameStart && isVp8KeyframeData(payload.subarray(d.headerLength)) };
  }

  depayload(packets: readonly RtpPacketLike[]): DepayloadedFrame | undefined {
    if (packets.length === 0) {
      this.counters.inc('emptyFrame');
      return undefined;
    }
    const parts: Buffer[] = [];
    let total = 0;
    for (let i = 0; i < packets.length; i++) {
      const d = parseVp8Descriptor(packets[i]!.payload);
      if (!d) {
        this.counters.inc('malformedPacket');
        return undefined;
      }
      // §4.2: the frame begins with S=1 in partition 0.
      if (i === 0 && !(d.start && d.partitionIndex === 0)) {
        this.counters.inc('malformedFrame');
        return undefined;
      }
      const part = packets[i]!.payload.subarray(d.headerLength);
      parts.push(part);
      total += part.length;
    }
    const data = parts.length === 1 ? Buffer.from(parts[0]!) : Buffer.concat(parts, total);
    return { data, timestamp: packets[0]!.timestamp, keyframe: isVp8KeyframeData(data) };
  }
}

import { Counters } from '@rivulet/common';
import { BitReader } from './bits.js';
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

/** A parsed RFC 9628 §4.2 VP9 payload descriptor (the fields receivers act on). */
export interface Vp9Descriptor {
  /** P: inter-picture predicted (not a keyframe when on the base layer). */
  interPicturePredicted: boolean;
  /** F: flexible mode. */
  flexible: boolean;
  /** B: start of a layer frame. */
  beginningOfFrame: boolean;
  /** E: end of a layer frame. */
  endOfFrame: boolean;
  pictureId: number | undefined;
  temporalId: number | undefined;
  spatialId: number | undefined;
  /** Frame width/height of each spatial layer from the scalability structure, if present. */
  resolutions: { width: number; height: number }[] | undefined;
  /** Offset of the VP9 data in the RTP payload. */
  headerLength: number;
}

/** RFC 9628 §4.2 (flexible and non-flexible); undefined when truncated or no data follows. */
export function parseVp9Descriptor(p: Buffer): Vp9Descriptor | undefined {
  if (p.length < 2) return undefined;
  const b0 = p[0]!;
  const I = (b0 & 0x80) !== 0;
  const P = (b0 & 0x40) !== 0;
  const L = (b0 & 0x20) !== 0;
  const F = (b0 & 0x10) !== 0;
  const V = (b0 & 0x02) !== 0;
  const d: Vp9Descriptor = {
    interPicturePredicted: P,
    flexible: F,
    beginningOfFrame: (b0 & 0x08) !== 0,
    endOfFrame: (b0 & 0x04) !== 0,
    pictureId: undefined,
    temporalId: undefined,
    spatialId: undefined,
    resolutions: undefined,
    headerLength: 1,
  };
  let off = 1;
  const need = (n: number): boolean => off + n <= p.length;
  if (I) {
    if (!need(1)) return undefined;
    if (p[off]! & 0x80) {
      if (!need(2)) return undefined;
      d.pictureId = ((p[off]! & 0x7f) << 8) | p[off + 1]!;
      off += 2;
    } else {
      d.pictureId = p[off++]!;
    }
  }
  if (L) {
    if (!need(1)) return undefined;
    d.temporalId = p[off]! >> 5;
    d.spatialId = (p[off]! >> 1) & 0x07;
    off += 1;
    if (!F) {
      if (!need(1)) return undefined;
      off += 1; // TL0PICIDX
    }
  }
  if (F && P) {
    // Up to 3 reference indices, each with N set when another follows.
    for (let i = 0; ; i++) {
      if (i >= 3 || !need(1)) return undefined;
      if ((p[off++]! & 0x01) === 0) break;
    }
  }
  if (V) {
    // §4.2.1 scalability structure.
    if (!need(1)) return undefined;
    const ss = p[off++]!;
    const layers = (ss >> 5) + 1;
    if (ss & 0x10) {
      if (!need(4 * layers)) return undefined;
      d.resolutions = [];
      for (let i = 0; i < layers; i++) {
        d.resolutions.push({ width: p.readUInt16BE(off), height: p.readUInt16BE(off + 2) });
        off += 4;
      }
    }
    if (ss & 0x08) {
      if (!need(1)) return undefined;
      const groups = p[off++]!;
      for (let g = 0; g < groups; g++) {
        if (!need(1)) return undefined;
        const refs = (p[off++]! >> 2) & 0x03;
        if (!need(refs)) return undefined;
        off += refs;
      }
    }
  }
  if (off >= p.length) return undefined;
  d.headerLength = off;
  return d;
}

/** What the VP9 uncompressed header (VP9 bitstream spec §6.2) says about a frame. */
export interface Vp9FrameHeader {
  profile: number;
  showExistingFrame: boolean;
  keyframe: boolean;
  width: number | undefined;
  height: number | undefined;
}

/** VP9 bitstream §6.2 uncompressed_header up to frame_size(); undefined when not a VP9 frame. */
export function parseVp9FrameHeader(frame: Buffer): Vp9FrameHeader | undefined {
  const r = new BitReader(frame);
  if (r.bits(2) !== 2) return undefined; // frame_marker
  const low = r.bits(1);
  const high = r.bits(1);
  if (low === undefined || high === undefined) return undefined;
  const profile = (high << 1) | low;
  if (profile === 3 && r.bits(1) !== 0) return undefined;
  const showExisting = r.bits(1);
  if (showExisting === undefined) return undefined;
  if (showExisting === 1) {
    return { profile, showExistingFrame: true, keyframe: false, width: undefined, height: undefined };
  }
  const frameType = r.bits(1);
  if (frameType === undefined || r.bits(2) === undefined) return undefined; // show_frame, error_resilient_mode
  if (frameType !== 0) return { profile, showExistingFrame: false, keyframe: false, width: undefined, height: undefined };
  if (r.bits(24) !== 0x498342) return undefined; // frame_sync_code
  // color_config()
  if (profile >= 2 && r.bits(1) === undefined) return undefined;
  const colorSpace = r.bits(3);
  if (colorSpace === undefined) return undefined;
  if (colorSpace !== 7) {
    if (r.bits(1) === undefined) return undefined;
    if ((profile === 1 || profile === 3) && r.bits(3) === undefined) return undefined;
  } else if ((profile === 1 || profile === 3) && r.bits(1) === undefined) {
    return undefined;
  }
  const w = r.bits(16);
  const h = r.bits(16);
  if (w === undefined || h === undefined) return undefined;
  return { profile, showExistingFrame: false, keyframe: true, width: w + 1, height: h + 1 };
}

export interface Vp9PayloaderOptions {
  /** Maximum RTP payload size in bytes; default 1200. */
  maxPayloadSize?: number;
  /** First 15-bit PictureID; default random. */
  initialPictureId?: number;
}

/**
 * RFC 9628 payloader for one spatial layer in non-flexible mode: every packet
 * has I=1 with a 15-bit PictureID; B/E mark the frame's first/last packet;
 * P=0 only for keyframes, whose first packet also carries a scalability
 * structure (V=1) with the resolution so receivers can size their decoder.
 * A superframe (hidden frame + shown frame) travels as one frame.
 */
export class Vp9Payloader implements Payloader {
  readonly maxPayloadSize: number;
  private pictureId: number;

  constructor(options: Vp9PayloaderOptions = {}) {
    this.maxPayloadSize = checkMaxPayloadSize('VP9', options.maxPayloadSize ?? 1200, 9);
    this.pictureId = (options.initialPictureId ?? Math.floor(Math.random() * 0x8000)) & 0x7fff;
  }

  get nextPictureId(): number {
    return this.pictureId;
  }

  payload(frame: Buffer): RtpPayload[] {
    if (frame.length === 0) return [];
    const header = parseVp9FrameHeader(frame);
    const keyframe = header?.keyframe === true;
    const out: RtpPayload[] = [];
    let off = 0;
    while (off < frame.length) {
      const first = off === 0;
      const withSs = first && keyframe && header?.width !== undefined;
      const descLen = withSs ? 8 : 3;
      const end = Math.min(frame.length, off + this.maxPayloadSize - descLen);
      const payload = Buffer.allocUnsafe(descLen + end - off);
      let b0 = 0x80; // I
      if (!keyframe) b0 |= 0x40; // P
      if (first) b0 |= 0x08; // B
      if (end === frame.length) b0 |= 0x04; // E
      if (withSs) b0 |= 0x02; // V
      payload[0] = b0;
      payload[1] = 0x80 | (this.pictureId >> 8);
      payload[2] = this.pictureId & 0xff;
      if (withSs) {
        payload[3] = 0x10; // N_S=0 (one layer), Y=1, G=0
        payload.writeUInt16BE(header!.width!, 4);
        payload.writeUInt16BE(header!.height!, 6);
      }
      frame.copy(payload, descLen, off, end);
      out.push({ payload, marker: end === frame.length });
      off = end;
    }
    this.pictureId = (this.pictureId + 1) & 0x7fff;
    return out;
  }
}

/** RFC 9628 depayloader: concatenates layer frames of one picture. */
export class Vp9Depayloader implements Depayloader {
  readonly codec = 'vp9';
  readonly packetIsFrame = false;
  readonly independentFrames = false;
  readonly counters = new Counters<DepayloadDropReason>();

  inspect(payload: Buffer): PacketInfo | undefined {
    const d = parseVp9Descriptor(payload);
    if (!d) {
      this.counters.inc('malformedPacket');
      return undefined;
    }
    return { frameStart: d.beginningOfFrame, keyframe: isVp9KeyframeDescriptor(d) };
  }

  depayload(packets: readonly RtpPacketLike[]): DepayloadedFrame | undefined {
    if (packets.length === 0) {
      this.counters.inc('emptyFrame');
      return undefined;
    }
    const parts: Buffer[] = [];
    /** Byte length of each layer frame (a new one starts at every B=1). */
    const layerSizes: number[] = [];
    let keyframe = false;
    for (let i = 0; i < packets.length; i++) {
      const d = parseVp9Descriptor(packets[i]!.payload);
      if (!d) {
        this.counters.inc('malformedPacket');
        return undefined;
      }
      if (i === 0) {
        if (!d.beginningOfFrame) {
          this.counters.inc('malformedFrame');
          return undefined;
        }
        keyframe = isVp9KeyframeDescriptor(d);
      }
      const part = packets[i]!.payload.subarray(d.headerLength);
      parts.push(part);
      if (d.beginningOfFrame) layerSizes.push(0);
      layerSizes[layerSizes.length - 1]! += part.length;
    }
    if (layerSizes.length > 8) {
      this.counters.inc('malformedFrame'); // a superframe holds at most 8 frames
      return undefined;
    }
    // Several spatial-layer frames in one picture go to the decoder as one superframe (VP9 Annex B).
    if (layerSizes.length > 1) parts.push(superframeIndex(layerSizes));
    const data = Buffer.concat(parts);
    // Some senders (ffmpeg's VP9 muxer) never set P; the frame header is the final word when it parses.
    if (keyframe) keyframe = parseVp9FrameHeader(data)?.keyframe ?? true;
    return { data, timestamp: packets[0]!.timestamp, keyframe };
  }
}

/** RFC 9628 §4.2: a keyframe starts with P=0 on the first (base) spatial layer. */
function isVp9KeyframeDescriptor(d: Vp9Descriptor): boolean {
  return d.beginningOfFrame && !d.interPicturePredicted && (d.spatialId === undefined || d.spatialId === 0);
}

/**
 * VP9 bitstream Annex B superframe index: marker 0b110 | (bytes per size - 1) << 3 |
 * (frames - 1), the little-endian frame sizes, and the marker again.
 */
export function superframeIndex(sizes: readonly number[]): Buffer {
  const max = Math.max(...sizes);
  const mag = max < 0x100 ? 1 : max < 0x10000 ? 2 : max < 0x1000000 ? 3 : 4;
  const marker = 0xc0 | ((mag - 1) << 3) | (sizes.length - 1);
  const out = Buffer.alloc(2 + mag * sizes.length);
  out[0] = marker;
  sizes.forEach((size, i) => out.writeUIntLE(size, 1 + i * mag, mag));
  out[out.length - 1] = marker;
  return out;
}

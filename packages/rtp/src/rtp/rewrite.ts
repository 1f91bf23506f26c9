/**
 * SFU fast path: read and rewrite RTP header fields on raw buffers without a
 * full parse/serialize (RFC 3550 §5.1 fixed offsets). Malformed input makes
 * these return undefined (the caller drops and counts it); bad arguments throw.
 */
import {
  type RtpHeaderExtension,
  ONE_BYTE_PROFILE,
  TWO_BYTE_PROFILE,
  extensionElementsLength,
  fitsOneByte,
  isOneByteProfile,
  isTwoByteProfile,
  parseExtensionElements,
  validateExtensionElements,
  writeExtensionElements,
} from './headerExtensionBlock.js';

export interface RtpHeaderRewrite {
  ssrc?: number;
  sequenceNumber?: number;
  payloadType?: number;
  timestamp?: number;
  marker?: boolean;
}

/** Layout of a raw RTP header; -1 extension offsets when there is no X bit. */
export interface RtpHeaderLayout {
  /** Bytes before the payload (fixed header, CSRCs, extension block). */
  headerLength: number;
  /** Offset of the 4-byte profile/length word, or -1. */
  extensionOffset: number;
  /** The extension profile, or -1. */
  extensionProfile: number;
}

/**
 * Computes where the header ends; undefined when the buffer is not a complete
 * version-2 RTP header.
 */
export function rtpHeaderLayout(buf: Uint8Array): RtpHeaderLayout | undefined {
  const len = buf.length;
  if (len < 12 || buf[0]! >> 6 !== 2) return undefined;
  let pos = 12 + (buf[0]! & 0x0f) * 4;
  if (pos > len) return undefined;
  if ((buf[0]! & 0x10) === 0) return { headerLength: pos, extensionOffset: -1, extensionProfile: -1 };
  if (pos + 4 > len) return undefined;
  const profile = (buf[pos]! << 8) | buf[pos + 1]!;
  const end = pos + 4 + ((buf[pos + 2]! << 8) | buf[pos + 3]!) * 4;
  if (end > len) return undefined;
  return { headerLength: end, extensionOffset: pos, extensionProfile: profile };
}

export function readRtpPayloadType(buf: Uint8Array): number {
  return buf[1]! & 0x7f;
}
export function readRtpSequenceNumber(buf: Uint8Array): number {
  return (buf[2]! << 8) | buf[3]!;
}
export function readRtpTimestamp(buf: Uint8Array): number {
  return ((buf[4]! << 24) | (buf[5]! << 16) | (buf[6]! << 8) | buf[7]!) >>> 0;
}
export function readRtpSsrc(buf: Uint8Array): number {
  return ((buf[8]! << 24) | (buf[9]! << 16) | (buf[10]! << 8) | buf[11]!) >>> 0;
}

function checkU32(name: string, v: number): void {
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new Error(`RTP ${name} must be a uint32, got ${v}`);
}

/**
 * Rewrites header fields in place, or into `out` (a reused buffer at least as
 * long as `buf`) leaving `buf` untouched. Returns the rewritten packet (`buf`
 * or a view of `out`), or undefined when `buf` is not an RTP packet.
 */
export function rewriteRtpHeader(buf: Buffer, rw: RtpHeaderRewrite, out?: Buffer): Buffer | undefined {
  if (buf.length < 12 || buf[0]! >> 6 !== 2) return undefined;
  let dst = buf;
  if (out !== undefined) {
    if (out.length < buf.length) throw new Error(`rewrite target of ${out.length} bytes is smaller than the ${buf.length}-byte packet`);
    buf.copy(out, 0);
    dst = out.subarray(0, buf.length);
  }
  if (rw.payloadType !== undefined) {
    const pt = rw.payloadType;
    if (!Number.isInteger(pt) || pt < 0 || pt > 127) throw new Error(`RTP payloadType must be 0..127, got ${pt}`);
    dst[1] = (dst[1]! & 0x80) | pt;
  }
  if (rw.marker !== undefined) dst[1] = (dst[1]! & 0x7f) | (rw.marker ? 0x80 : 0);
  if (rw.sequenceNumber !== undefined) {
    const s = rw.sequenceNumber;
    if (!Number.isInteger(s) || s < 0 || s > 0xffff) throw new Error(`RTP sequenceNumber must be 0..65535, got ${s}`);
    dst[2] = s >>> 8;
    dst[3] = s & 0xff;
  }
  if (rw.timestamp !== undefined) {
    checkU32('timestamp', rw.timestamp);
    dst.writeUInt32BE(rw.timestamp, 4);
  }
  if (rw.ssrc !== undefined) {
    checkU32('ssrc', rw.ssrc);
    dst.writeUInt32BE(rw.ssrc, 8);
  }
  return dst;
}

/** Returns a view of the RFC 8285 extension value with this id, or undefined. */
export function findRtpHeaderExtension(buf: Buffer, id: number): Buffer | undefined {
  const loc = locateElement(buf, id);
  if (loc < 0) return undefined;
  const at = Math.floor(loc / 256);
  return buf.subarray(at, at + (loc & 0xff));
}

const MALFORMED = -2;
const ABSENT = -1;

/**
 * Finds element `id`: returns valueOffset * 256 + valueLength, ABSENT, or
 * MALFORMED (also for a non-RFC 8285 profile). One number, no allocation.
 */
function locateElement(buf: Buffer, id: number): number {
  // Same checks as rtpHeaderLayout, without building its result object.
  const total = buf.length;
  if (total < 12 || buf[0]! >> 6 !== 2) return MALFORMED;
  const extAt = 12 + (buf[0]! & 0x0f) * 4;
  if ((buf[0]! & 0x10) === 0) return extAt > total ? MALFORMED : ABSENT;
  if (extAt + 4 > total) return MALFORMED;
  const profile = (buf[extAt]! << 8) | buf[extAt + 1]!;
  const end = extAt + 4 + ((buf[extAt + 2]! << 8) | buf[extAt + 3]!) * 4;
  if (end > total) return MALFORMED;
  const twoByte = isTwoByteProfile(profile);
  if (!twoByte && !isOneByteProfile(profile)) return MALFORMED;
  let pos = extAt + 4;
  while (pos < end) {
    const b = buf[pos]!;
    if (twoByte) {
      if (b === 0) { pos++; continue; }
      if (pos + 2 > end) return MALFORMED;
      const len = buf[pos + 1]!;
      if (pos + 2 + len > end) return MALFORMED;
      if (b === id) return (pos + 2) * 256 + len;
      pos += 2 + len;
    } else {
      const eid = b >> 4;
      if (eid === 0) { pos++; continue; }
      if (eid === 15) return ABSENT; // RFC 8285 §4.2: stop at id 15
      const len = (b & 0x0f) + 1;
      if (pos + 1 + len > end) return MALFORMED;
      if (eid === id) return (pos + 1) * 256 + len;
      pos += 1 + len;
    }
  }
  return ABSENT;
}

/**
 * Sets the value of header extension `id`. When an element with that id and
 * the same length exists, it is overwritten in place (or in `out`). Otherwise
 * the header is rebuilt into `out` (or a new buffer), keeping the one-byte form
 * when every element fits it and switching to two-byte otherwise (RFC 8285 §4.3,
 * needs extmap-allow-mixed on the receiving side). Returns the resulting packet,
 * or undefined when `buf` is malformed or uses a non-RFC 8285 extension profile.
 */
export function setRtpHeaderExtension(buf: Buffer, id: number, value: Buffer, out?: Buffer): Buffer | undefined {
  if (!Number.isInteger(id) || id < 1 || id > 255) throw new Error(`RTP header extension id must be 1..255, got ${id}`);
  if (value.length > 255) throw new Error(`RTP header extension value must be at most 255 bytes, got ${value.length}`);
  const loc = locateElement(buf, id);
  if (loc === MALFORMED) return undefined;
  if (loc >= 0 && (loc & 0xff) === value.length) {
    const at = Math.floor(loc / 256);
    let dst = buf;
    if (out !== undefined) {
      if (out.length < buf.length) throw new Error(`rewrite target of ${out.length} bytes is smaller than the ${buf.length}-byte packet`);
      buf.copy(out, 0);
      dst = out.subarray(0, buf.length);
    }
    value.copy(dst, at);
    return dst;
  }
  // Rebuild the extension block.
  const layout = rtpHeaderLayout(buf)!;
  const fixedEnd = 12 + (buf[0]! & 0x0f) * 4;
  let exts: RtpHeaderExtension[] = [];
  let profile = layout.extensionProfile;
  if (layout.extensionOffset >= 0) {
    try {
      exts = parseExtensionElements(buf, layout.extensionOffset + 4, layout.headerLength, isTwoByteProfile(profile));
    } catch {
      return undefined; // an element after the one we found is malformed
    }
  }
  const i = exts.findIndex((e) => e.id === id);
  if (i >= 0) exts[i] = { id, data: value };
  else exts.push({ id, data: value });
  if (profile < 0 || isOneByteProfile(profile)) profile = fitsOneByte(exts) ? ONE_BYTE_PROFILE : TWO_BYTE_PROFILE;
  const twoByte = isTwoByteProfile(profile);
  validateExtensionElements(exts, twoByte);
  const body = (extensionElementsLength(exts, twoByte) + 3) & ~3;
  const rest = buf.length - layout.headerLength;
  const total = fixedEnd + 4 + body + rest;
  let dst: Buffer;
  if (out !== undefined) {
    if (out.length < total) throw new Error(`rewrite target of ${out.length} bytes is smaller than the ${total}-byte result`);
    dst = out.subarray(0, total);
  } else {
    dst = Buffer.allocUnsafe(total);
  }
  // Copy payload and padding first: `out` may not alias `buf`, but values are views of buf.
  buf.copy(dst, fixedEnd + 4 + body, layout.headerLength);
  buf.copy(dst, 0, 0, fixedEnd);
  dst[0] = dst[0]! | 0x10;
  dst[fixedEnd] = profile >>> 8;
  dst[fixedEnd + 1] = profile & 0xff;
  dst.writeUInt16BE(body / 4, fixedEnd + 2);
  writeExtensionElements(dst, fixedEnd + 4, exts, twoByte);
  return dst;
}

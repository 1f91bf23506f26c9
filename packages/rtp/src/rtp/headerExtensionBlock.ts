import { ParseError } from '@rivulet/common';

/**
 * RFC 8285 header extension elements inside the RTP header extension block
 * (RFC 3550 §5.3.1). One element is an id and a view of its value bytes.
 */
export interface RtpHeaderExtension {
  id: number;
  /** A view into the packet for parsed packets (no copy). */
  data: Buffer;
}

/** RFC 8285 §4.2: "defined by profile" value of the one-byte form. */
export const ONE_BYTE_PROFILE = 0xbede;
/** RFC 8285 §4.3: 0x100 in the top 12 bits, 4 "appbits" below. */
export const TWO_BYTE_PROFILE = 0x1000;

export function isOneByteProfile(profile: number): boolean {
  return profile === ONE_BYTE_PROFILE;
}

export function isTwoByteProfile(profile: number): boolean {
  return (profile & 0xfff0) === TWO_BYTE_PROFILE;
}

/**
 * Parses the elements of an RFC 8285 block. `start`/`end` bound the block body
 * (after the 4-byte profile/length word). Padding bytes (id 0) are skipped.
 * Throws ParseError when an element runs past the block.
 */
export function parseExtensionElements(buf: Buffer, start: number, end: number, twoByte: boolean): RtpHeaderExtension[] {
  const out: RtpHeaderExtension[] = [];
  let pos = start;
  if (!twoByte) {
    while (pos < end) {
      const b = buf[pos]!;
      const id = b >> 4;
      if (id === 0) {
        // RFC 8285 §4.2: a zero byte is padding; it may appear between elements.
        pos++;
        continue;
      }
      // RFC 8285 §4.2: id 15 is reserved; processing of the block stops there.
      if (id === 15) break;
      const len = (b & 0x0f) + 1;
      const dataStart = pos + 1;
      if (dataStart + len > end) {
        throw new ParseError(`one-byte header extension id ${id} length ${len} overruns the block at offset ${pos}`);
      }
      out.push({ id, data: buf.subarray(dataStart, dataStart + len) });
      pos = dataStart + len;
    }
  } else {
    while (pos < end) {
      const id = buf[pos]!;
      if (id === 0) {
        pos++;
        continue;
      }
      if (pos + 2 > end) throw new ParseError(`two-byte header extension id ${id} has no length byte at offset ${pos}`);
      const len = buf[pos + 1]!;
      const dataStart = pos + 2;
      if (dataStart + len > end) {
        throw new ParseError(`two-byte header extension id ${id} length ${len} overruns the block at offset ${pos}`);
      }
      out.push({ id, data: buf.subarray(dataStart, dataStart + len) });
      pos = dataStart + len;
    }
  }
  return out;
}

/**
 * Walks an RFC 8285 block without allocating; throws ParseError exactly when
 * parseExtensionElements would.
 */
export function checkExtensionElements(buf: Buffer, start: number, end: number, twoByte: boolean): void {
  let pos = start;
  while (pos < end) {
    const b = buf[pos]!;
    if (twoByte) {
      if (b === 0) { pos++; continue; }
      if (pos + 2 > end) throw new ParseError(`two-byte header extension id ${b} has no length byte at offset ${pos}`);
      const next = pos + 2 + buf[pos + 1]!;
      if (next > end) throw new ParseError(`two-byte header extension id ${b} length ${buf[pos + 1]} overruns the block at offset ${pos}`);
      pos = next;
    } else {
      const id = b >> 4;
      if (id === 0) { pos++; continue; }
      if (id === 15) return;
      const next = pos + 2 + (b & 0x0f);
      if (next > end) throw new ParseError(`one-byte header extension id ${id} length ${(b & 0x0f) + 1} overruns the block at offset ${pos}`);
      pos = next;
    }
  }
}

/**
 * Whether the elements fit the one-byte form: ids 1..14 and 1..16 value bytes
 * (RFC 8285 §4.2). Otherwise the two-byte form is needed (§4.3, which needs
 * extmap-allow-mixed or two-byte negotiation, RFC 8285 §6).
 */
export function fitsOneByte(exts: readonly RtpHeaderExtension[]): boolean {
  for (let i = 0; i < exts.length; i++) {
    const e = exts[i]!;
    if (e.id < 1 || e.id > 14 || e.data.length < 1 || e.data.length > 16) return false;
  }
  return true;
}

/** Body length (before 32-bit padding) of the elements in the given form. */
export function extensionElementsLength(exts: readonly RtpHeaderExtension[], twoByte: boolean): number {
  let n = 0;
  const per = twoByte ? 2 : 1;
  for (let i = 0; i < exts.length; i++) n += per + exts[i]!.data.length;
  return n;
}

/** Throws a descriptive Error when an element cannot be written in the chosen form. */
export function validateExtensionElements(exts: readonly RtpHeaderExtension[], twoByte: boolean): void {
  for (let i = 0; i < exts.length; i++) {
    const e = exts[i]!;
    if (twoByte) {
      if (!Number.isInteger(e.id) || e.id < 1 || e.id > 255) {
        throw new Error(`two-byte RTP header extension id must be 1..255, got ${e.id}`);
      }
      if (e.data.length > 255) {
        throw new Error(`two-byte RTP header extension id ${e.id} value must be at most 255 bytes, got ${e.data.length}`);
      }
    } else {
      if (!Number.isInteger(e.id) || e.id < 1 || e.id > 14) {
        throw new Error(`one-byte RTP header extension id must be 1..14, got ${e.id} (use the two-byte form, RFC 8285 §4.3)`);
      }
      if (e.data.length < 1 || e.data.length > 16) {
        throw new Error(`one-byte RTP header extension id ${e.id} value must be 1..16 bytes, got ${e.data.length}`);
      }
    }
  }
}

/**
 * Writes the elements at `pos` and zero-pads to the 32-bit boundary; returns
 * the position after the padding. The caller checked the form (validate...).
 */
export function writeExtensionElements(out: Buffer, pos: number, exts: readonly RtpHeaderExtension[], twoByte: boolean): number {
  const start = pos;
  for (let i = 0; i < exts.length; i++) {
    const e = exts[i]!;
    const len = e.data.length;
    if (twoByte) {
      out[pos++] = e.id;
      out[pos++] = len;
    } else {
      out[pos++] = (e.id << 4) | (len - 1);
    }
    e.data.copy(out, pos);
    pos += len;
  }
  while ((pos - start) & 3) out[pos++] = 0;
  return pos;
}

/**
 * Whether `exts` names exactly the elements of the block at [start, end) of `src`: same ids,
 * and values that are the very views of the block (in order). Then the block can be copied as it
 * came instead of being re-encoded; in-place edits of value bytes are edits of the block itself.
 */
export function elementsMatchBlock(exts: readonly RtpHeaderExtension[], src: Buffer, start: number, end: number, twoByte: boolean): boolean {
  let pos = start;
  let i = 0;
  while (pos < end) {
    const b = src[pos]!;
    let id: number;
    let len: number;
    let at: number;
    if (twoByte) {
      if (b === 0) {
        pos++;
        continue;
      }
      id = b;
      len = src[pos + 1]!;
      at = pos + 2;
    } else {
      id = b >> 4;
      if (id === 0) {
        pos++;
        continue;
      }
      if (id === 15) break;
      len = (b & 0x0f) + 1;
      at = pos + 1;
    }
    const e = exts[i++];
    if (e === undefined || e.id !== id || e.data.length !== len || e.data.buffer !== src.buffer || e.data.byteOffset !== src.byteOffset + at) {
      return false;
    }
    pos = at + len;
  }
  return i === exts.length;
}

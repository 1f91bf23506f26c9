import { ParseError } from '@rivulet/common';
import { pad4, type Tlv } from './types.js';

/**
 * TLV lists: chunk parameters (RFC 9260 §3.2.1) and error causes (§3.3.10)
 * share the layout type(2) length(2) value, padded to 4 bytes; the length
 * excludes the padding. The last TLV's padding may be absent (§3.2: the
 * chunk length excludes trailing padding), so we accept that.
 */
export function parseTlvs(buf: Buffer, start = 0, end = buf.length): Tlv[] {
  const out: Tlv[] = [];
  let off = start;
  while (off < end) {
    if (end - off < 4) throw new ParseError(`TLV header truncated at offset ${off}`);
    const type = buf.readUInt16BE(off);
    const length = buf.readUInt16BE(off + 2);
    if (length < 4 || off + length > end) {
      throw new ParseError(`TLV type ${type} has bad length ${length} at offset ${off} (end ${end})`);
    }
    out.push({ type, value: buf.subarray(off + 4, off + length) });
    off += pad4(length);
  }
  return out;
}

/**
 * Encoded size of a TLV list as the enclosing chunk's length counts it:
 * RFC 9260 §3.2 includes the padding of every parameter except the last.
 */
export function tlvsLength(tlvs: readonly Tlv[]): number {
  let n = 0;
  for (const t of tlvs) n = pad4(n) + 4 + t.value.length;
  return n;
}

/** Writes TLVs at `off`, zero-padding each; returns the offset after them. */
export function writeTlvs(tlvs: readonly Tlv[], buf: Buffer, off: number): number {
  for (const t of tlvs) {
    const length = 4 + t.value.length;
    if (length > 0xffff) throw new RangeError(`TLV type ${t.type} value of ${t.value.length} bytes exceeds 65531`);
    buf.writeUInt16BE(t.type, off);
    buf.writeUInt16BE(length, off + 2);
    t.value.copy(buf, off + 4);
    const padded = pad4(length);
    buf.fill(0, off + length, off + padded);
    off += padded;
  }
  return off;
}

export function findTlv(tlvs: readonly Tlv[], type: number): Tlv | undefined {
  for (const t of tlvs) if (t.type === type) return t;
  return undefined;
}

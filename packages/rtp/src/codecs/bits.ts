/**
 * Bit-level helpers for the few codec headers we must look inside: the VP9
 * uncompressed header (frame type, size), H.264 slice headers (Exp-Golomb)
 * and AV1 LEB128 sizes. Readers return undefined rather than throw on
 * truncation, because their input comes from the network.
 */

export class BitReader {
  private bit = 0;
  constructor(
    private readonly buf: Buffer,
    private readonly start = 0,
    private readonly end = buf.length,
  ) {}

  get bitsLeft(): number {
    return (this.end - this.start) * 8 - this.bit;
  }

  /** Reads n ≤ 32 bits MSB-first; undefined when the buffer is too short. */
  bits(n: number): number | undefined {
    if (n > this.bitsLeft) return undefined;
    let v = 0;
    for (let i = 0; i < n; i++) {
      const byte = this.buf[this.start + (this.bit >> 3)]!;
      v = v * 2 + ((byte >> (7 - (this.bit & 7))) & 1);
      this.bit++;
    }
    return v;
  }

  /** ITU-T H.264 §9.1 unsigned Exp-Golomb ue(v); undefined on truncation or > 31 leading zeros. */
  ue(): number | undefined {
    let zeros = 0;
    for (;;) {
      const b = this.bits(1);
      if (b === undefined || zeros > 31) return undefined;
      if (b === 1) break;
      zeros++;
    }
    const rest = this.bits(zeros);
    if (rest === undefined) return undefined;
    return 2 ** zeros - 1 + rest;
  }
}

/** AV1 spec §4.10.5 leb128(): value and encoded length, or undefined when truncated or over 8 bytes. */
export function readLeb128(buf: Buffer, offset: number): { value: number; length: number } | undefined {
  let value = 0;
  for (let i = 0; i < 8; i++) {
    const pos = offset + i;
    if (pos >= buf.length) return undefined;
    const byte = buf[pos]!;
    value += (byte & 0x7f) * 2 ** (7 * i);
    if ((byte & 0x80) === 0) {
      if (value > Number.MAX_SAFE_INTEGER) return undefined;
      return { value, length: i + 1 };
    }
  }
  return undefined;
}

/** Length in bytes of the shortest LEB128 encoding of value. */
export function leb128Size(value: number): number {
  let n = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 128);
    n++;
  }
  return n;
}

/** Writes the shortest LEB128 encoding of value at offset; returns the new offset. */
export function writeLeb128(out: Buffer, offset: number, value: number): number {
  do {
    let byte = value & 0x7f;
    value = Math.floor(value / 128);
    if (value > 0) byte |= 0x80;
    out[offset++] = byte;
  } while (value > 0);
  return offset;
}

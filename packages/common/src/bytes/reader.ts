import { ParseError } from '../errors.js';

/**
 * Sequential big-endian reader over a Buffer. Reads past the end throw
 * ParseError (never RangeError), so a parser can treat every truncation alike.
 * `bytes()` returns views (subarray), never copies.
 */
export class ByteReader {
  private pos: number;
  private readonly end: number;

  constructor(
    readonly buf: Buffer,
    offset = 0,
    length = buf.length - offset,
  ) {
    if (offset < 0 || length < 0 || offset + length > buf.length) {
      throw new ParseError(`ByteReader window ${offset}+${length} outside buffer of ${buf.length}`);
    }
    this.pos = offset;
    this.end = offset + length;
  }

  get offset(): number {
    return this.pos;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  private need(n: number, what: string): number {
    if (this.end - this.pos < n) {
      throw new ParseError(`truncated: need ${n} bytes for ${what} at offset ${this.pos}, have ${this.end - this.pos}`);
    }
    const at = this.pos;
    this.pos += n;
    return at;
  }

  u8(): number {
    return this.buf[this.need(1, 'u8')]!;
  }

  u16(): number {
    return this.buf.readUInt16BE(this.need(2, 'u16'));
  }

  u24(): number {
    return this.buf.readUIntBE(this.need(3, 'u24'), 3);
  }

  u32(): number {
    return this.buf.readUInt32BE(this.need(4, 'u32'));
  }

  u48(): number {
    return this.buf.readUIntBE(this.need(6, 'u48'), 6);
  }

  u64(): bigint {
    return this.buf.readBigUInt64BE(this.need(8, 'u64'));
  }

  /** A view of the next n bytes (no copy). */
  bytes(n: number): Buffer {
    const at = this.need(n, `${n} bytes`);
    return this.buf.subarray(at, at + n);
  }

  /** The rest of the window as a view. */
  rest(): Buffer {
    return this.bytes(this.remaining);
  }

  skip(n: number): void {
    this.need(n, `skip ${n}`);
  }

  /** Skips to the next multiple of `align` relative to `base` (e.g. 4-byte STUN/SCTP padding). */
  align(align: number, base = 0): void {
    const rel = (this.pos - base) % align;
    if (rel !== 0) this.skip(Math.min(align - rel, this.remaining));
  }
}

/**
 * Big-endian writer that grows its buffer as needed. `finish()` returns a view
 * of the written bytes. For hot paths prefer writing into a preallocated
 * Buffer directly; this class serves control-plane messages.
 */
export class ByteWriter {
  private buf: Buffer;
  private pos = 0;

  constructor(initialSize = 256) {
    this.buf = Buffer.allocUnsafe(Math.max(16, initialSize));
  }

  get length(): number {
    return this.pos;
  }

  private ensure(n: number): number {
    if (this.pos + n > this.buf.length) {
      let size = this.buf.length * 2;
      while (size < this.pos + n) size *= 2;
      const next = Buffer.allocUnsafe(size);
      this.buf.copy(next, 0, 0, this.pos);
      this.buf = next;
    }
    const at = this.pos;
    this.pos += n;
    return at;
  }

  u8(v: number): this {
    const at = this.ensure(1);
    this.buf[at] = v & 0xff;
    return this;
  }

  u16(v: number): this {
    // ensure() may replace this.buf, so take the offset first
    const at = this.ensure(2);
    this.buf.writeUInt16BE(v & 0xffff, at);
    return this;
  }

  u24(v: number): this {
    // ensure() may replace this.buf, so take the offset first
    const at = this.ensure(3);
    this.buf.writeUIntBE(v & 0xffffff, at, 3);
    return this;
  }

  u32(v: number): this {
    // ensure() may replace this.buf, so take the offset first
    const at = this.ensure(4);
    this.buf.writeUInt32BE(v >>> 0, at);
    return this;
  }

  u48(v: number): this {
    // ensure() may replace this.buf, so take the offset first
    const at = this.ensure(6);
    this.buf.writeUIntBE(v, at, 6);
    return this;
  }

  u64(v: bigint): this {
    // ensure() may replace this.buf, so take the offset first
    const at = this.ensure(8);
    this.buf.writeBigUInt64BE(BigInt.asUintN(64, v), at);
    return this;
  }

  bytes(data: Uint8Array): this {
    const at = this.ensure(data.length);
    this.buf.set(data, at);
    return this;
  }

  zeros(n: number): this {
    const at = this.ensure(n);
    this.buf.fill(0, at, at + n);
    return this;
  }

  /** Pads with zeros to a multiple of `align` bytes relative to `base`. */
  pad(align: number, base = 0): this {
    const rel = (this.pos - base) % align;
    if (rel !== 0) this.zeros(align - rel);
    return this;
  }

  /** Overwrites a 16-bit value at an earlier offset (e.g. a length field). */
  patchU16(offset: number, v: number): this {
    this.buf.writeUInt16BE(v & 0xffff, offset);
    return this;
  }

  patchU24(offset: number, v: number): this {
    this.buf.writeUIntBE(v & 0xffffff, offset, 3);
    return this;
  }

  patchU32(offset: number, v: number): this {
    this.buf.writeUInt32BE(v >>> 0, offset);
    return this;
  }

  /** A view of everything written so far. */
  finish(): Buffer {
    return this.buf.subarray(0, this.pos);
  }
}

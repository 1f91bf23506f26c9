import { ParseError } from '@rivulet/common';

/** MSB-first bit reader (AV1 RTP spec A.4.1 f(n) and ns(n)). */
export class BitReader {
  private pos = 0;
  constructor(private readonly data: Uint8Array) {}

  get consumed(): number {
    return this.pos;
  }

  get remaining(): number {
    return this.data.length * 8 - this.pos;
  }

  /** f(n): n ≤ 32 bits, unsigned. */
  f(n: number): number {
    if (n > this.remaining) throw new ParseError(`bit field of ${n} bits overruns ${this.data.length}-byte value at bit ${this.pos}`);
    let x = 0;
    for (let i = 0; i < n; i++) {
      const bit = (this.data[this.pos >> 3]! >> (7 - (this.pos & 7))) & 1;
      x = x * 2 + bit;
      this.pos++;
    }
    return x;
  }

  /** ns(n): non-symmetric unsigned value in 0..n-1. */
  ns(n: number): number {
    let w = 0;
    for (let x = n; x !== 0; x >>= 1) w++;
    const m = (1 << w) - n;
    const v = this.f(w - 1);
    if (v < m) return v;
    return (v << 1) - m + this.f(1);
  }
}

/** MSB-first bit writer; finish() zero-pads to a whole byte. */
export class BitWriter {
  private readonly bytes: number[] = [];
  private pos = 0;

  f(n: number, value: number): void {
    for (let i = n - 1; i >= 0; i--) {
      const bit = Math.floor(value / 2 ** i) & 1;
      if ((this.pos & 7) === 0) this.bytes.push(0);
      if (bit) this.bytes[this.bytes.length - 1]! |= 0x80 >> (this.pos & 7);
      this.pos++;
    }
  }

  ns(n: number, value: number): void {
    let w = 0;
    for (let x = n; x !== 0; x >>= 1) w++;
    const m = (1 << w) - n;
    if (value < m) {
      this.f(w - 1, value);
    } else {
      this.f(w - 1, (value + m) >> 1);
      this.f(1, (value + m) & 1);
    }
  }

  get bitLength(): number {
    return this.pos;
  }

  finish(): Buffer {
    return Buffer.from(this.bytes);
  }
}

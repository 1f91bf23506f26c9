/**
 * An MSB-first bit writer for H.264 RBSPs (ITU-T H.264 §7.2): fixed-width u(n), Exp-Golomb
 * ue(v)/se(v) (§9.1), rbsp_trailing_bits (§7.3.2.11), and the NAL unit wrapper that inserts
 * emulation prevention bytes (§7.4.1). The counterpart of BitReader in bits.ts.
 */

export class BitWriter {
  private readonly bytes: number[] = [];
  private cur = 0;
  private nbits = 0;

  /** Bits written so far. */
  get bitLength(): number {
    return this.bytes.length * 8 + this.nbits;
  }

  get byteAligned(): boolean {
    return this.nbits === 0;
  }

  /** u(n): value as n ≤ 32 bits, MSB first. */
  u(n: number, value: number): this {
    if (!Number.isInteger(n) || n < 0 || n > 32) throw new Error(`BitWriter.u: width ${n} is not an integer in 0..32`);
    if (!Number.isInteger(value) || value < 0 || value >= 2 ** n) throw new Error(`BitWriter.u: ${value} does not fit in ${n} bits`);
    for (let i = n - 1; i >= 0; i--) this.bit(Math.floor(value / 2 ** i) % 2);
    return this;
  }

  /** One bit (0 or 1). */
  bit(b: number): this {
    this.cur = (this.cur << 1) | (b & 1);
    if (++this.nbits === 8) {
      this.bytes.push(this.cur);
      this.cur = 0;
      this.nbits = 0;
    }
    return this;
  }

  /** ue(v), §9.1: leadingZeros zeros, a one, then (value+1) minus its top bit. */
  ue(value: number): this {
    if (!Number.isInteger(value) || value < 0 || value > 0xffff_fffe) throw new Error(`BitWriter.ue: ${value} is not an integer in 0..2^32-2`);
    const v = value + 1;
    const len = Math.floor(Math.log2(v)); // exact for integers below 2^32
    for (let i = 0; i < len; i++) this.bit(0);
    return this.u(len + 1, v);
  }

  /** se(v), §9.1.1: k > 0 maps to 2k-1, k ≤ 0 maps to -2k. */
  se(value: number): this {
    if (!Number.isInteger(value)) throw new Error(`BitWriter.se: ${value} is not an integer`);
    return this.ue(value > 0 ? 2 * value - 1 : -2 * value);
  }

  /** Zero bits up to the next byte boundary (e.g. pcm_alignment_zero_bit, §7.3.5). */
  alignZero(): this {
    while (this.nbits !== 0) this.bit(0);
    return this;
  }

  /** rbsp_trailing_bits(), §7.3.2.11: a one, then zeros to the byte boundary. */
  trailingBits(): this {
    this.bit(1);
    return this.alignZero();
  }

  /** The bytes written; the writer must be byte aligned. */
  finish(): Buffer {
    if (this.nbits !== 0) throw new Error(`BitWriter.finish: ${this.nbits} bits past the last byte boundary`);
    return Buffer.from(this.bytes);
  }
}

/**
 * A NAL unit (§7.3.1): the one-byte header (forbidden_zero_bit 0, nal_ref_idc, nal_unit_type)
 * and the RBSP with an emulation_prevention_three_byte after every 0x00 0x00 that precedes a
 * byte ≤ 0x03 (§7.4.1), so no start code can appear inside.
 */
export function h264NalUnit(nalRefIdc: number, nalUnitType: number, rbsp: Buffer): Buffer {
  if (!Number.isInteger(nalRefIdc) || nalRefIdc < 0 || nalRefIdc > 3) throw new Error(`h264NalUnit: nal_ref_idc ${nalRefIdc} is not in 0..3`);
  if (!Number.isInteger(nalUnitType) || nalUnitType < 1 || nalUnitType > 31) throw new Error(`h264NalUnit: nal_unit_type ${nalUnitType} is not in 1..31`);
  const out: number[] = [(nalRefIdc << 5) | nalUnitType];
  let zeros = 0;
  for (const b of rbsp) {
    if (zeros >= 2 && b <= 3) {
      out.push(3);
      zeros = 0;
    }
    out.push(b);
    zeros = b === 0 ? zeros + 1 : 0;
  }
  return Buffer.from(out);
}

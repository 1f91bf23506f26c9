/**
 * The VP8 boolean entropy encoder (RFC 6386 §7.3) and its decoder (§7.3, used by tests and to
 * read our own output back). Only what black frames need: bools at a probability, literals,
 * and tree-coded symbols (§8.1).
 *
 * `bottom` is kept as a plain number below 2^32 (not an int32), so the carry test at bit 31
 * and the shifts never see JavaScript's sign bit.
 */

/** An 8-bit probability (of a 0), 1..255 (RFC 6386 §7.1). */
export type Vp8Prob = number;

/**
 * A tree as in RFC 6386 §8.1: pairs of entries; a positive (even) entry is the index of a
 * deeper node, an entry ≤ 0 is a leaf whose value is its negation.
 */
export type Vp8Tree = readonly number[];

const TWO32 = 0x1_0000_0000;

export class BoolEncoder {
  private readonly out: number[] = [];
  private range = 255;
  private bottom = 0;
  /** Shifts left until the next byte is written (RFC 6386 §7.3: starts at 24). */
  private bitCount = 24;
  private finished = false;

  /** RFC 6386 §7.3 write_bool: narrows [bottom, bottom+range) to the chosen sub-interval. */
  bool(prob: Vp8Prob, value: boolean | 0 | 1): void {
    if (this.finished) throw new Error('BoolEncoder.bool: the encoder was already finished');
    if (!Number.isInteger(prob) || prob < 0 || prob > 255) throw new Error(`BoolEncoder.bool: probability ${prob} is not an integer in 0..255`);
    const split = 1 + (((this.range - 1) * prob) >> 8);
    if (value) {
      this.bottom += split;
      this.range -= split;
    } else {
      this.range = split;
    }
    while (this.range < 128) {
      this.range <<= 1;
      if (this.bottom >= 0x8000_0000) this.addOneToOutput(); // the carry out of bit 31
      this.bottom = (this.bottom * 2) % TWO32;
      if (--this.bitCount === 0) {
        this.out.push(Math.floor(this.bottom / 0x100_0000) & 0xff);
        this.bottom %= 0x100_0000;
        this.bitCount = 8;
      }
    }
  }

  /** RFC 6386 §19.2 L(n): an n-bit unsigned literal, MSB first, each bit at probability 128. */
  literal(n: number, value: number): void {
    if (!Number.isInteger(value) || value < 0 || value >= 2 ** n) throw new Error(`BoolEncoder.literal: ${value} does not fit in ${n} bits`);
    for (let i = n - 1; i >= 0; i--) this.bool(128, Math.floor(value / 2 ** i) % 2 === 1);
  }

  /** RFC 6386 §8.1: writes the branch bits leading from the root of `tree` to leaf `value`. */
  tree(tree: Vp8Tree, probs: readonly Vp8Prob[], value: number, start = 0): void {
    const path = treePath(tree, value, start);
    if (!path) throw new Error(`BoolEncoder.tree: ${value} is not a leaf of the tree`);
    for (const { node, bit } of path) this.bool(probs[node >> 1]!, bit);
  }

  /** Flushes: 32 zero bits at probability 128 push every pending bit of `bottom` out. */
  finish(): Buffer {
    for (let i = 0; i < 32; i++) this.bool(128, 0);
    this.finished = true;
    return Buffer.from(this.out);
  }

  /** Propagates a carry into the bytes already written (a run of 0xff becomes 0x00). */
  private addOneToOutput(): void {
    let i = this.out.length - 1;
    while (i >= 0 && this.out[i] === 0xff) this.out[i--] = 0;
    if (i >= 0) this.out[i]!++;
  }
}

/** The branch decisions from `start` down to the leaf `value`, or undefined when absent. */
function treePath(tree: Vp8Tree, value: number, start: number): { node: number; bit: 0 | 1 }[] | undefined {
  for (const bit of [0, 1] as const) {
    const next = tree[start + bit];
    if (next === undefined) return undefined;
    if (next <= 0) {
      if (-next === value) return [{ node: start, bit }];
    } else {
      const rest = treePath(tree, value, next);
      if (rest) return [{ node: start, bit }, ...rest];
    }
  }
  return undefined;
}

/** RFC 6386 §7.3 bool_decoder: reads back what BoolEncoder wrote (zeros past the end). */
export class BoolDecoder {
  private value: number;
  private range = 255;
  private bitCount = 0;
  private pos = 2;

  constructor(private readonly data: Buffer) {
    this.value = ((data[0] ?? 0) << 8) | (data[1] ?? 0);
  }

  bool(prob: Vp8Prob): boolean {
    const split = 1 + (((this.range - 1) * prob) >> 8);
    const bigSplit = split << 8;
    let ret: boolean;
    if (this.value >= bigSplit) {
      ret = true;
      this.range -= split;
      this.value -= bigSplit;
    } else {
      ret = false;
      this.range = split;
    }
    while (this.range < 128) {
      this.value <<= 1;
      this.range <<= 1;
      if (++this.bitCount === 8) {
        this.bitCount = 0;
        this.value |= this.data[this.pos++] ?? 0;
      }
    }
    return ret;
  }

  literal(n: number): number {
    let v = 0;
    for (let i = 0; i < n; i++) v = v * 2 + (this.bool(128) ? 1 : 0);
    return v;
  }

  tree(tree: Vp8Tree, probs: readonly Vp8Prob[], start = 0): number {
    let i = start;
    for (;;) {
      i = tree[i + (this.bool(probs[i >> 1]!) ? 1 : 0)]!;
      if (i <= 0) return -i;
    }
  }
}

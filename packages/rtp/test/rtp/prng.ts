import { Prng as SeededPrng } from '@rivulet/testkit';

/**
 * Seeded draws so generated test cases are reproducible: testkit's mulberry32 Prng underneath
 * (the same sequence for a non-zero seed as the copy this file used to carry), with the shapes
 * the codec tests draw.
 */
export class Prng extends SeededPrng {
  /** Integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  u32(): number {
    return this.int(0, 0xffffffff);
  }
  /** True with probability `p`; always draws once (unlike chance(), which skips the draw for p ≤ 0 or ≥ 1). */
  bool(p = 0.5): boolean {
    return this.next() < p;
  }
  bytes(n: number): Buffer {
    const b = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i++) b[i] = this.int(0, 255);
    return b;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(0, xs.length - 1)]!;
  }
  /** `n` distinct integers from [min, max]. */
  distinct(n: number, min: number, max: number): number[] {
    const set = new Set<number>();
    while (set.size < n) set.add(this.int(min, max));
    return [...set];
  }
}

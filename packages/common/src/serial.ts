/**
 * Serial-number arithmetic, RFC 1982. Used for RTP sequence numbers (16-bit),
 * SCTP TSNs and RTP timestamps (32-bit). `a < b` in serial terms means b is
 * "after" a when the distance is less than half the number space.
 */

/** Signed distance b - a in 16-bit serial space, in [-32768, 32767]. */
export function seqDiff16(a: number, b: number): number {
  return (((b - a) & 0xffff) << 16) >> 16;
}

/** RFC 1982 §3.2: a < b for 16-bit serial numbers. */
export function seqLessThan16(a: number, b: number): boolean {
  const d = (b - a) & 0xffff;
  return d !== 0 && d < 0x8000;
}

export function seqLessOrEqual16(a: number, b: number): boolean {
  return a === b || seqLessThan16(a, b);
}

/** Signed distance b - a in 32-bit serial space. */
export function seqDiff32(a: number, b: number): number {
  return (b - a) | 0;
}

/** RFC 1982 §3.2: a < b for 32-bit serial numbers. */
export function seqLessThan32(a: number, b: number): boolean {
  const d = (b - a) >>> 0;
  return d !== 0 && d < 0x80000000;
}

export function seqLessOrEqual32(a: number, b: number): boolean {
  return a === b || seqLessThan32(a, b);
}

export function add16(a: number, n: number): number {
  return (a + n) & 0xffff;
}

export function add32(a: number, n: number): number {
  return (a + n) >>> 0;
}

/**
 * Extends a wrapping 16-bit counter into a monotonic number given the last
 * extended value (e.g. RTP sequence → extended sequence with cycles).
 */
export function unwrap16(lastExtended: number, seq: number): number {
  return lastExtended + seqDiff16(lastExtended & 0xffff, seq);
}

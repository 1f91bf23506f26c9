/**
 * RFC 6347 §4.1.2.6 anti-replay: a sliding window of the last `size` sequence numbers of one
 * epoch. `check` is consulted before decryption and `mark` only after the record authenticated,
 * so forged records cannot advance the window.
 */
export class ReplayWindow {
  private max = -1;
  private readonly seen: Uint8Array;

  constructor(private readonly size = 64) {
    this.seen = new Uint8Array(size);
  }

  /** True when `seq` is new: above the window, or inside it and not yet seen. */
  check(seq: number): boolean {
    if (seq > this.max) return true;
    if (this.max - seq >= this.size) return false; // too old to tell: treat as a replay
    return this.seen[seq % this.size] === 0;
  }

  mark(seq: number): void {
    if (seq > this.max) {
      // Slide: clear the slots of the numbers we skipped over.
      const shift = Math.min(seq - this.max, this.size);
      for (let i = 1; i <= shift; i++) this.seen[(this.max + i) % this.size] = 0;
      this.max = seq;
    }
    this.seen[seq % this.size] = 1;
  }
}

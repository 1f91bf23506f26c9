/**
 * SRTP packet index estimation across 16-bit sequence wrap (RFC 3711 §3.3.1 and Appendix A).
 *
 * State per SSRC: the highest sequence number s_l seen (or sent) so far and its rollover counter.
 * The guess v for the ROC of an incoming SEQ is ROC-1, ROC or ROC+1, whichever puts the packet
 * closest to s_l; index = v·2^16 + SEQ.
 */
export class RolloverState {
  /** Highest 48-bit index seen so far; -1 before the first packet. */
  private highest = -1;

  /** Seed the state, e.g. when the signalled ROC of a stream joined mid-way is known. */
  constructor(initialRoc?: number, initialSeq?: number) {
    if (initialRoc !== undefined) {
      if (!Number.isInteger(initialRoc) || initialRoc < 0 || initialRoc > 0xffffffff) {
        throw new Error(`rollover counter must be a 32-bit unsigned integer, got ${initialRoc}`);
      }
      this.highest = initialRoc * 65536 + ((initialSeq ?? 0) & 0xffff);
    }
  }

  get started(): boolean {
    return this.highest >= 0;
  }

  /** ROC of the highest index so far (0 before the first packet). */
  get roc(): number {
    return this.highest < 0 ? 0 : Math.floor(this.highest / 65536);
  }

  get highestIndex(): number {
    return this.highest;
  }

  /**
   * Appendix A: the packet index for `seq`, or -1 when the guess would be ROC-1 with ROC = 0
   * (a packet from before the stream's first index: it cannot be valid).
   * The first packet ever starts the stream at ROC 0.
   */
  estimate(seq: number): number {
    if (this.highest < 0) return seq;
    const roc = Math.floor(this.highest / 65536);
    const sl = this.highest % 65536;
    let v = roc;
    if (sl < 32768) {
      if (seq - sl > 32768) v = roc - 1;
    } else if (sl - 32768 > seq) {
      v = roc + 1;
    }
    if (v < 0 || v > 0xffffffff) return -1;
    return v * 65536 + seq;
  }

  /** Record an authenticated (or sent) index: it becomes s_l when it is the newest. */
  update(index: number): void {
    if (index > this.highest) this.highest = index;
  }
}

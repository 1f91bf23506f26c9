/**
 * Sliding replay window (RFC 3711 §3.3.2, Appendix B of RFC 4302 describes the same idea).
 *
 * We default to 128 packets, not the RFC's minimum of 64: video bursts plus NACK retransmissions
 * (which reuse their original sequence number when RTX is not negotiated) routinely arrive more
 * than 64 packets behind the newest one, and libsrtp, which browsers use, also defaults to 128.
 * Indexes are 48-bit SRTP packet indexes or 31-bit SRTCP indexes; both fit a JS number exactly.
 */
export const DEFAULT_REPLAY_WINDOW = 128;
export const MAX_REPLAY_WINDOW = 32768;

export type ReplayVerdict = 'new' | 'duplicate' | 'tooOld';

export class ReplayWindow {
  readonly size: number;
  private readonly bits: Uint32Array;
  /** Highest index accepted so far, -1 before the first. */
  private top = -1;

  constructor(size: number = DEFAULT_REPLAY_WINDOW) {
    if (!Number.isInteger(size) || size < 32 || size > MAX_REPLAY_WINDOW || size % 32 !== 0) {
      throw new Error(`replay window size must be a multiple of 32 in [32, ${MAX_REPLAY_WINDOW}], got ${size}`);
    }
    this.size = size;
    this.bits = new Uint32Array(size / 32);
  }

  get highest(): number {
    return this.top;
  }

  /** Would `index` be accepted? Does not change state (call `accept` after authentication). */
  check(index: number): ReplayVerdict {
    if (index > this.top) return 'new';
    if (this.top - index >= this.size) return 'tooOld';
    const slot = index % this.size;
    return (this.bits[slot >>> 5]! & (1 << (slot & 31))) !== 0 ? 'duplicate' : 'new';
  }

  /** Record `index` as received. Only call for authenticated packets whose `check` was 'new'. */
  accept(index: number): void {
    if (index > this.top) {
      const delta = this.top < 0 ? this.size : index - this.top;
      if (delta >= this.size) {
        this.bits.fill(0);
      } else {
        // Clear the slots the window slides over; they now stand for indexes top+1..index.
        for (let i = this.top + 1; i <= index; i++) {
          const s = i % this.size;
          this.bits[s >>> 5]! &= ~(1 << (s & 31));
        }
      }
      this.top = index;
    } else if (this.top - index >= this.size) {
      return;
    }
    const slot = index % this.size;
    this.bits[slot >>> 5]! |= 1 << (slot & 31);
  }
}

import { add32, seqLessOrEqual32, seqLessThan32 } from '@rivulet/common';
import type { GapBlock } from './chunks/types.js';

/**
 * The inbound TSN map (RFC 9260 §6.2, §6.7): the cumulative TSN received
 * in sequence, the set of TSNs received above it (reported as gap ack
 * blocks), and duplicates since the last SACK.
 */
export class TsnTracker {
  /** Highest TSN received with no gap before it. */
  cumTsn: number;
  private readonly above = new Set<number>();
  private duplicates: number[] = [];
  /** TSNs further ahead than this are refused: they could not be expressed in a gap block. */
  static readonly MAX_AHEAD = 0xffff;

  constructor(peerInitialTsn: number) {
    this.cumTsn = add32(peerInitialTsn, -1);
  }

  get hasGaps(): boolean {
    return this.above.size > 0;
  }

  get pendingDuplicates(): number {
    return this.duplicates.length;
  }

  /** 'new', 'duplicate', or 'too-far' (beyond what a gap block can report). */
  classify(tsn: number): 'new' | 'duplicate' | 'too-far' {
    if (seqLessOrEqual32(tsn, this.cumTsn) || this.above.has(tsn)) return 'duplicate';
    if (((tsn - this.cumTsn) >>> 0) > TsnTracker.MAX_AHEAD) return 'too-far';
    return 'new';
  }

  /** Records a duplicate for the next SACK (§6.2: report each duplicate, bounded here). */
  noteDuplicate(tsn: number): void {
    if (this.duplicates.length < 32) this.duplicates.push(tsn);
  }

  /** Marks a new TSN received; returns whether the cumulative TSN advanced. */
  receive(tsn: number): boolean {
    if (tsn === add32(this.cumTsn, 1)) {
      this.cumTsn = tsn;
      this.drain();
      return true;
    }
    this.above.add(tsn);
    return false;
  }

  /** RFC 3758 §3.6: FORWARD TSN moves the cumulative TSN as if the skipped TSNs had arrived. */
  forward(newCum: number): boolean {
    if (!seqLessThan32(this.cumTsn, newCum)) return false;
    for (const t of this.above) if (seqLessOrEqual32(t, newCum)) this.above.delete(t);
    this.cumTsn = newCum;
    this.drain();
    return true;
  }

  private drain(): void {
    if (this.above.size === 0) return;
    let next = add32(this.cumTsn, 1);
    while (this.above.delete(next)) {
      this.cumTsn = next;
      next = add32(next, 1);
    }
  }

  /** Gap ack blocks relative to cumTsn (§3.3.4), at most `max`. */
  gapBlocks(max: number): GapBlock[] {
    if (this.above.size === 0) return [];
    const offsets = new Uint32Array(this.above.size);
    let i = 0;
    for (const t of this.above) offsets[i++] = (t - this.cumTsn) >>> 0;
    offsets.sort();
    const blocks: GapBlock[] = [];
    let start = offsets[0]!;
    let end = start;
    for (let k = 1; k <= offsets.length; k++) {
      const o = offsets[k];
      if (o !== undefined && o === end + 1) {
        end = o;
        continue;
      }
      blocks.push({ start, end });
      if (blocks.length >= max || o === undefined) break;
      start = end = o;
    }
    return blocks;
  }

  takeDuplicates(): number[] {
    const d = this.duplicates;
    this.duplicates = [];
    return d;
  }
}

import type { CandidatePair } from './pair.js';

/** RFC 8445 §6.1.2.5: limit on pairs per check list (an unauthenticated flood cannot grow it). */
export const DEFAULT_MAX_PAIRS = 100;

/**
 * The check list of one data stream (RFC 8445 §6.1.2): pairs ordered by
 * priority, pruned by (base, remote address), with the triggered-check FIFO
 * (§6.1.4.1) and the freezing rules (§6.1.2.6, §7.2.5.3.3).
 */
export class CheckList {
  private pairs: CandidatePair[] = [];
  private readonly byKey = new Map<string, CandidatePair>();
  private triggered: CandidatePair[] = [];

  constructor(private readonly maxPairs = DEFAULT_MAX_PAIRS) {}

  get all(): readonly CandidatePair[] {
    return this.pairs;
  }

  get size(): number {
    return this.pairs.length;
  }

  find(key: string): CandidatePair | undefined {
    return this.byKey.get(key);
  }

  /**
   * Adds a pair unless one with the same base and remote address exists
   * (§6.1.2.4 pruning keeps the higher priority one, which is the existing
   * one for our pairing order). Returns the pair in the list, or undefined
   * when the list is full and the new pair ranks below every pair in it.
   */
  add(pair: CandidatePair): CandidatePair | undefined {
    const existing = this.byKey.get(pair.key);
    if (existing) {
      if (existing.priority >= pair.priority) return existing;
      // A higher priority duplicate (e.g. a host candidate after a prflx one): replace it.
      this.remove(existing);
    }
    if (this.pairs.length >= this.maxPairs) {
      const last = this.pairs[this.pairs.length - 1]!;
      if (last.priority >= pair.priority || (last.state !== 'frozen' && last.state !== 'waiting')) return undefined;
      this.remove(last);
    }
    // RFC 8838 §11 / RFC 8445 §6.1.2.6: one pair per foundation starts Waiting, the others Frozen,
    // unless a pair of the same foundation already succeeded.
    const same = this.pairs.filter((p) => p.foundation === pair.foundation);
    pair.state = same.length === 0 || same.some((p) => p.state === 'succeeded') ? 'waiting' : 'frozen';
    this.byKey.set(pair.key, pair);
    let i = this.pairs.findIndex((p) => p.priority < pair.priority);
    if (i < 0) i = this.pairs.length;
    this.pairs.splice(i, 0, pair);
    return pair;
  }

  remove(pair: CandidatePair): void {
    const i = this.pairs.indexOf(pair);
    if (i >= 0) this.pairs.splice(i, 1);
    if (this.byKey.get(pair.key) === pair) this.byKey.delete(pair.key);
    this.triggered = this.triggered.filter((p) => p !== pair);
  }

  /** §7.3.1.4: queue a triggered check (no duplicates). */
  trigger(pair: CandidatePair): void {
    if (pair.state !== 'in-progress') pair.state = 'waiting';
    if (!this.triggered.includes(pair)) this.triggered.push(pair);
  }

  /**
   * §6.1.4.2: the next pair to check; undefined when nothing to do. With
   * `ordinary` false only triggered checks run (after nomination, §8.1.2).
   */
  next(ordinary = true): CandidatePair | undefined {
    while (this.triggered.length > 0) {
      const p = this.triggered.shift()!;
      if (p.state === 'waiting' || p.state === 'failed' || p.state === 'frozen') return p;
    }
    if (!ordinary) return undefined;
    const waiting = this.pairs.find((p) => p.state === 'waiting');
    if (waiting) return waiting;
    const frozen = this.pairs.find(
      (p) => p.state === 'frozen' && !this.pairs.some((q) => q.foundation === p.foundation && (q.state === 'waiting' || q.state === 'in-progress')),
    );
    return frozen;
  }

  /** §7.2.5.3.3: a success unfreezes every pair with the same foundation. */
  unfreeze(foundation: string): void {
    for (const p of this.pairs) if (p.state === 'frozen' && p.foundation === foundation) p.state = 'waiting';
  }

  /** Role changes alter every pair priority (§7.2.5.1). */
  reprioritize(controlling: boolean): void {
    for (const p of this.pairs) p.updatePriority(controlling);
    this.pairs.sort((a, b) => (a.priority > b.priority ? -1 : a.priority < b.priority ? 1 : 0));
  }

  /** Pairs still waiting, frozen or in progress, or triggered checks queued. */
  get active(): boolean {
    return this.triggered.length > 0 || this.pairs.some((p) => p.state === 'waiting' || p.state === 'frozen' || p.state === 'in-progress');
  }

  clear(): void {
    this.pairs = [];
    this.byKey.clear();
    this.triggered = [];
  }
}

import type { Clock, Timer } from './clock.js';

interface Entry {
  at: number;
  seq: number;
  callback: () => void;
  cancelled: boolean;
}

/** Yields to the event loop so promise continuations and I/O callbacks run. */
function macrotask(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Deterministic clock for tests. Time moves only when the test says so;
 * timers fire in (time, creation) order, and a timer scheduled by a firing
 * callback fires in the same advance if it falls inside the window.
 */
export class FakeClock implements Clock {
  private current: number;
  private readonly epochMs: number;
  private seq = 0;
  private heap: Entry[] = [];

  constructor(options: { startMs?: number; epochMs?: number } = {}) {
    this.current = options.startMs ?? 0;
    this.epochMs = options.epochMs ?? Date.UTC(2026, 0, 1);
  }

  now(): number {
    return this.current;
  }

  wallTime(): number {
    return this.epochMs + this.current;
  }

  setTimeout(callback: () => void, delayMs: number): Timer {
    const entry: Entry = {
      at: this.current + Math.max(0, Number.isFinite(delayMs) ? delayMs : 0),
      seq: this.seq++,
      callback,
      cancelled: false,
    };
    this.push(entry);
    return {
      cancel: () => {
        entry.cancelled = true;
      },
    };
  }

  /** Number of live timers. */
  get pendingTimers(): number {
    return this.heap.filter((e) => !e.cancelled).length;
  }

  /** Time of the next live timer, or undefined. */
  nextTimerAt(): number | undefined {
    this.dropCancelledTop();
    return this.heap[0]?.at;
  }

  /** Advances time by `ms`, firing due timers synchronously in order. */
  advance(ms: number): void {
    const target = this.current + ms;
    for (;;) {
      this.dropCancelledTop();
      const top = this.heap[0];
      if (!top || top.at > target) break;
      this.pop();
      this.current = Math.max(this.current, top.at);
      top.callback();
    }
    this.current = target;
  }

  /**
   * Advances time by `ms`, yielding to the event loop after each fired timer
   * (and at least every `stepMs`), so async code reacting to timers runs.
   */
  async advanceAsync(ms: number, stepMs = 10): Promise<void> {
    const target = this.current + ms;
    await macrotask();
    while (this.current < target) {
      const next = this.nextTimerAt();
      const stepEnd = Math.min(target, this.current + stepMs, next ?? Infinity);
      this.advance(stepEnd - this.current);
      await macrotask();
    }
  }

  /**
   * Advances until `done()` holds, in steps of `stepMs`, yielding between
   * steps. Throws if it does not hold within `maxMs` of fake time.
   */
  async runUntil(done: () => boolean, options: { maxMs?: number; stepMs?: number } = {}): Promise<number> {
    const maxMs = options.maxMs ?? 60_000;
    const stepMs = options.stepMs ?? 10;
    const start = this.current;
    await macrotask();
    while (!done()) {
      if (this.current - start >= maxMs) {
        throw new Error(`FakeClock.runUntil: condition not met within ${maxMs} ms of fake time`);
      }
      await this.advanceAsync(stepMs, stepMs);
    }
    return this.current - start;
  }

  private dropCancelledTop(): void {
    while (this.heap.length > 0 && this.heap[0]!.cancelled) this.pop();
  }

  private less(a: Entry, b: Entry): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  private push(e: Entry): void {
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }

  private pop(): Entry | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.less(h[l]!, h[m]!)) m = l;
        if (r < h.length && this.less(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}

import { performance } from 'node:perf_hooks';
import type { Clock, Timer } from './clock.js';

/**
 * The process clock. Timers are unref'd by default: sockets keep a process
 * alive while a connection is open, timers alone should not.
 */
export class RealClock implements Clock {
  constructor(private readonly options: { unref?: boolean } = {}) {}

  now(): number {
    return performance.now();
  }

  wallTime(): number {
    return Date.now();
  }

  setTimeout(callback: () => void, delayMs: number): Timer {
    const handle = setTimeout(callback, Math.max(0, delayMs));
    if (this.options.unref !== false) handle.unref();
    return { cancel: () => clearTimeout(handle) };
  }
}

/** A shared default instance for runtime glue. */
export const realClock: Clock = new RealClock();

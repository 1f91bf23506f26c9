/**
 * Time source for every protocol core. Cores never call the global
 * setTimeout: they take a Clock, so tests drive retransmission and timeout
 * paths with a FakeClock in milliseconds of real time.
 */
export interface Timer {
  /** Cancels the timer; safe to call more than once or after it fired. */
  cancel(): void;
}

export interface Clock {
  /** Monotonic milliseconds (fractional allowed). */
  now(): number;
  /** Wall-clock milliseconds since the Unix epoch (for NTP timestamps in RTCP SR). */
  wallTime(): number;
  /** Runs `callback` once after `delayMs` (clamped to ≥ 0). */
  setTimeout(callback: () => void, delayMs: number): Timer;
}

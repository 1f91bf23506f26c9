import type { Clock, Timer } from '@rivulet/common';

/**
 * One named protocol timer (T1-init, T3-rtx, delayed SACK, ...) over a Clock: start,
 * restart, stop, with the callback bound once rather than per start.
 *
 * Restarts are cheap: T3-rtx is restarted on every SACK that advances the cumulative
 * TSN (RFC 9260 §6.3.2 R3) and the delayed-SACK timer is started and stopped once per
 * SACK, thousands of times a second in a bulk transfer. Cancelling and creating a clock
 * timer each time showed up in profiles, so the slot keeps its deadline separately: a
 * restart to a later deadline, or a stop, leaves the armed clock timer alone, and when
 * that fires early it re-arms for the rest (or does nothing once stopped). A restart to
 * an earlier deadline re-arms at once. `cancel()` really drops the clock timer.
 */
export class TimerSlot {
  private handle: Timer | undefined;
  /** When the armed clock timer fires. */
  private armedAt = 0;
  /** When the slot is due; meaningful while `active`. */
  private deadline = 0;
  private active = false;
  private readonly fire = (): void => {
    this.handle = undefined;
    if (!this.active) return;
    const now = this.clock.now();
    if (this.deadline > now) {
      this.arm(this.deadline - now, now);
      return;
    }
    this.active = false;
    this.callback();
  };

  constructor(
    private readonly clock: Clock,
    private readonly callback: () => void,
  ) {}

  get running(): boolean {
    return this.active;
  }

  start(ms: number): void {
    const now = this.clock.now();
    this.deadline = now + ms;
    this.active = true;
    if (this.handle && this.armedAt <= this.deadline) return;
    this.handle?.cancel();
    this.arm(ms, now);
  }

  /** Starts only when not already running. */
  ensure(ms: number): void {
    if (!this.active) this.start(ms);
  }

  stop(): void {
    this.active = false;
  }

  /** Stops and drops the clock timer (on teardown, so nothing stays scheduled). */
  cancel(): void {
    this.active = false;
    this.handle?.cancel();
    this.handle = undefined;
  }

  private arm(ms: number, now: number): void {
    this.armedAt = now + ms;
    this.handle = this.clock.setTimeout(this.fire, ms);
  }
}

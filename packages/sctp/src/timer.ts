import type { Clock, Timer } from '@rivulet/common';

/**
 * One named protocol timer (T1-init, T3-rtx, ...) over a Clock: start,
 * restart, stop, with the callback bound once rather than per start.
 */
export class TimerSlot {
  private handle: Timer | undefined;
  private readonly fire = (): void => {
    this.handle = undefined;
    this.callback();
  };

  constructor(
    private readonly clock: Clock,
    private readonly callback: () => void,
  ) {}

  get running(): boolean {
    return this.handle !== undefined;
  }

  start(ms: number): void {
    this.handle?.cancel();
    this.handle = this.clock.setTimeout(this.fire, ms);
  }

  /** Starts only when not already running. */
  ensure(ms: number): void {
    if (!this.handle) this.start(ms);
  }

  stop(): void {
    this.handle?.cancel();
    this.handle = undefined;
  }
}

import type { Clock, Timer } from '@rivulet/common';

export type ConsentStatus = 'fresh' | 'disconnected' | 'expired';

export interface ConsentOptions {
  /** RFC 7675 §5.1: mean interval between consent checks; default 5000 ms, randomized ×0.8–1.2. */
  intervalMs?: number;
  /** No answer to an outstanding consent check for this long → 'disconnected' (W3C); default 5000 ms. */
  disconnectedMs?: number;
  /** RFC 7675 §5.1: no response for this long → consent expired → 'failed'; default 30000 ms. */
  failedMs?: number;
  /** Granularity of the watchdog; default 500 ms (also the consent check RTO). */
  tickMs?: number;
}

/**
 * Consent freshness (RFC 7675) for the selected pair. Sends a check every
 * 4–6 s; the agent retransmits it every 500 ms until answered. Reports
 * 'disconnected' once a check has been unanswered for `disconnectedMs`,
 * 'expired' once nothing has been answered for `failedMs`, and 'fresh' again
 * when responses return before expiry.
 */
export class ConsentMonitor {
  readonly intervalMs: number;
  readonly disconnectedMs: number;
  readonly failedMs: number;
  readonly tickMs: number;
  status: ConsentStatus = 'fresh';
  lastResponseAt = 0;
  private outstandingSince: number | undefined;
  private nextCheckAt = 0;
  private timer: Timer | undefined;

  constructor(
    private readonly clock: Clock,
    options: ConsentOptions,
    private readonly sendCheck: () => void,
    private readonly onStatus: (s: ConsentStatus) => void,
  ) {
    this.intervalMs = options.intervalMs ?? 5000;
    this.disconnectedMs = options.disconnectedMs ?? 5000;
    this.failedMs = options.failedMs ?? 30_000;
    this.tickMs = options.tickMs ?? 500;
    for (const [name, v] of Object.entries({ intervalMs: this.intervalMs, disconnectedMs: this.disconnectedMs, failedMs: this.failedMs, tickMs: this.tickMs })) {
      if (!(v > 0)) throw new RangeError(`consent ${name} must be > 0 ms, got ${v}`);
    }
  }

  get running(): boolean {
    return this.timer !== undefined;
  }

  /** Starts (or restarts) monitoring; the pair just proved connectivity, so consent is fresh. */
  start(): void {
    this.stop();
    const now = this.clock.now();
    this.lastResponseAt = now;
    this.outstandingSince = undefined;
    this.status = 'fresh';
    this.nextCheckAt = now + this.jittered();
    this.timer = this.clock.setTimeout(() => this.tick(), this.tickMs);
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }

  /** An authenticated success response to a consent check arrived (RFC 7675 §5.1). */
  onResponse(): void {
    this.lastResponseAt = this.clock.now();
    this.outstandingSince = undefined;
    if (this.status === 'disconnected') this.setStatus('fresh');
  }

  private jittered(): number {
    return this.intervalMs * (0.8 + 0.4 * Math.random());
  }

  private tick(): void {
    this.timer = undefined;
    const now = this.clock.now();
    if (now >= this.nextCheckAt) {
      this.nextCheckAt = now + this.jittered();
      this.outstandingSince ??= now;
      this.sendCheck();
    }
    if (now - this.lastResponseAt >= this.failedMs) {
      this.setStatus('expired');
      return; // consent lost: stop checking (RFC 7675 §5.1 — stop sending on the pair)
    }
    if (this.outstandingSince !== undefined && now - this.outstandingSince >= this.disconnectedMs && this.status === 'fresh') {
      this.setStatus('disconnected');
    }
    this.timer = this.clock.setTimeout(() => this.tick(), this.tickMs);
  }

  private setStatus(s: ConsentStatus): void {
    if (this.status === s) return;
    this.status = s;
    this.onStatus(s);
  }
}

import type { Clock, Timer } from '@rivulet/common';
import type { StunMessage } from './message.js';

/** RFC 8489 §6.2.1 defaults. */
export const DEFAULT_RTO_MS = 500;
export const DEFAULT_RC = 7;
export const DEFAULT_RM = 16;

export interface TransactionOptions {
  /** Initial retransmission timeout (RFC 8489 §6.2.1: 500 ms recommended). */
  rto?: number;
  /** Total number of transmissions over unreliable transport (Rc, default 7). */
  rc?: number;
  /** Final wait, as a multiple of RTO, after the last transmission (Rm, default 16). */
  rm?: number;
  /** Reliable transport (TCP/TLS): send once, time out after 39.5 s (RFC 8489 §6.2.2). */
  reliable?: boolean;
  /** Double the interval after each transmission (default true; RFC 7675 consent checks use a fixed RTO). */
  backoff?: boolean;
  /** Upper bound on the interval between transmissions (default: none, pure RFC 8489 doubling). */
  maxIntervalMs?: number;
}

export class StunTimeoutError extends Error {
  constructor(readonly transactionId: string, readonly transmissions: number, readonly elapsedMs: number) {
    super(`STUN transaction ${transactionId} timed out after ${transmissions} transmissions (${elapsedMs} ms)`);
    this.name = 'StunTimeoutError';
  }
}

export class StunCancelledError extends Error {
  constructor(readonly transactionId: string, reason: string) {
    super(`STUN transaction ${transactionId} cancelled: ${reason}`);
    this.name = 'StunCancelledError';
  }
}

/**
 * One client transaction (RFC 8489 §6.2.1): transmits at 0, RTO, 3·RTO,
 * 7·RTO, … (doubling the interval) for Rc transmissions, then waits Rm·RTO
 * for a response. Driven entirely by the Clock.
 */
export class StunClientTransaction {
  readonly key: string;
  transmissions = 0;
  done = false;
  private timer: Timer | undefined;
  private readonly started: number;
  private interval: number;
  private readonly rc: number;
  private readonly rm: number;
  private readonly rto: number;
  private readonly reliable: boolean;
  private readonly backoff: boolean;
  private readonly maxInterval: number;
  readonly promise: Promise<StunMessage>;
  private resolveFn!: (m: StunMessage) => void;
  private rejectFn!: (e: Error) => void;

  constructor(
    readonly request: StunMessage,
    private readonly bytes: Buffer,
    private readonly send: (bytes: Buffer) => void,
    private readonly clock: Clock,
    options: TransactionOptions = {},
  ) {
    this.key = request.transactionKey;
    this.rto = options.rto ?? DEFAULT_RTO_MS;
    this.rc = options.rc ?? DEFAULT_RC;
    this.rm = options.rm ?? DEFAULT_RM;
    this.reliable = options.reliable ?? false;
    this.backoff = options.backoff ?? true;
    this.maxInterval = options.maxIntervalMs ?? Infinity;
    if (!(this.rto > 0)) throw new RangeError(`STUN RTO must be > 0 ms, got ${this.rto}`);
    if (!Number.isInteger(this.rc) || this.rc < 1) throw new RangeError(`STUN Rc must be an integer ≥ 1, got ${this.rc}`);
    this.interval = this.rto;
    this.started = clock.now();
    this.promise = new Promise<StunMessage>((resolve, reject) => {
      this.resolveFn = resolve;
      this.rejectFn = reject;
    });
    // Callers that only fire-and-forget must not see unhandled rejections.
    this.promise.catch(() => {});
    this.transmit();
  }

  private transmit(): void {
    if (this.done) return;
    this.transmissions++;
    this.send(this.bytes);
    if (this.reliable) {
      this.timer = this.clock.setTimeout(() => this.timeout(), 39_500);
      return;
    }
    if (this.transmissions >= this.rc) {
      this.timer = this.clock.setTimeout(() => this.timeout(), this.rm * this.rto);
      return;
    }
    const wait = this.interval;
    if (this.backoff) this.interval = Math.min(this.interval * 2, this.maxInterval);
    this.timer = this.clock.setTimeout(() => this.transmit(), wait);
  }

  private timeout(): void {
    if (this.done) return;
    this.done = true;
    this.rejectFn(new StunTimeoutError(this.key, this.transmissions, this.clock.now() - this.started));
  }

  /**
   * Stops retransmitting but keeps waiting Rm·RTO for a late response (RFC 8445 §7.3.1.4:
   * an in-progress check superseded by a triggered check).
   */
  stopRetransmitting(): void {
    if (this.done) return;
    this.timer?.cancel();
    this.timer = this.clock.setTimeout(() => this.timeout(), this.rm * this.rto);
  }

  /** Completes with a response (success or error class). */
  resolve(response: StunMessage): void {
    if (this.done) return;
    this.done = true;
    this.timer?.cancel();
    this.resolveFn(response);
  }

  cancel(reason = 'cancelled'): void {
    if (this.done) return;
    this.done = true;
    this.timer?.cancel();
    this.rejectFn(new StunCancelledError(this.key, reason));
  }
}

/**
 * Outstanding client transactions keyed by transaction id, so a response is
 * accepted only for a transaction we started (RFC 8489 §6.3.3).
 */
export class StunTransactionTable {
  private readonly pending = new Map<string, StunClientTransaction>();

  constructor(private readonly clock: Clock) {}

  get size(): number {
    return this.pending.size;
  }

  start(request: StunMessage, bytes: Buffer, send: (bytes: Buffer) => void, options?: TransactionOptions): StunClientTransaction {
    const t = new StunClientTransaction(request, bytes, send, this.clock, options);
    this.pending.set(t.key, t);
    const forget = () => {
      if (this.pending.get(t.key) === t) this.pending.delete(t.key);
    };
    t.promise.then(forget, forget);
    return t;
  }

  get(transactionKey: string): StunClientTransaction | undefined {
    return this.pending.get(transactionKey);
  }

  /** Hands a response to its transaction; false if no such transaction (caller drops and counts). */
  handleResponse(response: StunMessage): boolean {
    const t = this.pending.get(response.transactionKey);
    if (!t || t.done) return false;
    this.pending.delete(t.key);
    t.resolve(response);
    return true;
  }

  cancelAll(reason: string): void {
    for (const t of [...this.pending.values()]) t.cancel(reason);
    this.pending.clear();
  }
}

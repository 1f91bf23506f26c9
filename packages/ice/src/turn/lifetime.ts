import type { Clock, Counters, Timer } from '@rivulet/common';
import { StunMethod, attr, type StunMessage } from '../stun/index.js';
import type { TurnRequester } from './requester.js';
import { TurnError, type TurnCounter } from './types.js';

/**
 * An allocation's lifetime (RFC 8656 §8): what each Allocate or Refresh success response grants
 * (LIFETIME), the Refresh sent before it runs out (retried while the allocation still lives), and
 * the releasing Refresh with LIFETIME 0 (§7).
 */
export class AllocationLifetime {
  /** Seconds granted by the server's last Allocate/Refresh response. */
  seconds = 0;
  /** Clock time (ms) at which the allocation expires unless refreshed. */
  expiresAt = 0;
  private timer: Timer | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly requester: TurnRequester,
    private readonly counters: Counters<TurnCounter>,
    /** The LIFETIME asked for in every Allocate and Refresh. */
    readonly requestedSeconds: number,
    private readonly serverLabel: string,
    /** Whether the allocation still lives (allocated, not closing); nothing is refreshed otherwise. */
    private readonly live: () => boolean,
    /** Called when a Refresh failed for good: the allocation is lost. */
    private readonly lost: (error: TurnError) => void,
  ) {}

  /** Records the granted LIFETIME and schedules the next Refresh. */
  granted(response: StunMessage): void {
    let lifetime: number | undefined;
    try {
      lifetime = attr.getLifetime(response);
    } catch {
      lifetime = undefined;
    }
    this.seconds = lifetime ?? this.requestedSeconds;
    this.expiresAt = this.clock.now() + this.seconds * 1000;
    // Refresh a minute before expiry, or at half-life for short lifetimes.
    // (At least 1 s, so a server granting a nonsensical 0 cannot make us hammer it.)
    const lead = Math.max(1, this.seconds > 120 ? this.seconds - 60 : this.seconds / 2);
    this.timer?.cancel();
    this.timer = this.clock.setTimeout(() => this.refresh(), lead * 1000);
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }

  /**
   * RFC 8656 §7: a Refresh with LIFETIME 0 deletes the allocation at once. Resolves true when
   * the server confirmed within `waitMs`, false otherwise (the allocation then times out there).
   */
  async release(waitMs: number): Promise<boolean> {
    const release = this.requester
      .request(StunMethod.Refresh, (m) => attr.setLifetime(m, 0), { rc: 4, rm: 4 })
      .then(() => true, () => false);
    let timer: Timer | undefined;
    const timeout = new Promise<boolean>((resolve) => (timer = this.clock.setTimeout(() => resolve(false), waitMs)));
    const released = await Promise.race([release, timeout]);
    timer?.cancel();
    return released;
  }

  private refresh(): void {
    if (!this.live()) return;
    this.counters.inc('allocation-refreshes');
    this.requester.request(StunMethod.Refresh, (m) => attr.setLifetime(m, this.requestedSeconds)).then(
      (response) => {
        if (this.live()) this.granted(response);
      },
      (err: Error) => {
        if (!this.live()) return;
        // A timed-out Refresh (no error code) is retried while the allocation still lives:
        // the server may only have been unreachable for a while. An error response is final.
        const left = this.expiresAt - this.clock.now();
        if (err instanceof TurnError && err.code === undefined && left > 2_000) {
          this.timer = this.clock.setTimeout(() => this.refresh(), Math.min(5_000, left / 2));
          return;
        }
        this.lost(new TurnError(`TURN allocation on ${this.serverLabel} could not be refreshed: ${err.message}`, (err as TurnError).code));
      },
    );
  }
}

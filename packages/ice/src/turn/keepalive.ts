import type { Clock, Timer } from '@rivulet/common';

/**
 * Sends a keepalive after `intervalMs` without traffic to the server
 * (RFC 8489 §3: a Binding indication serves as a keep-alive), so the
 * client's NAT mapping outlives the gaps between refreshes; RFC 4787 REQ-5
 * lets NATs drop idle UDP mappings after 2 minutes, many do after 30 s.
 */
export class IdleKeepalive {
  private timer: Timer | undefined;
  private lastActivity: number;

  constructor(
    private readonly clock: Clock,
    private readonly intervalMs: number,
    private readonly sendKeepalive: () => void,
  ) {
    this.lastActivity = clock.now();
  }

  /** Call for every message sent to the server. */
  activity(): void {
    this.lastActivity = this.clock.now();
  }

  start(): void {
    if (this.intervalMs > 0) this.schedule(this.intervalMs);
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }

  private schedule(delayMs: number): void {
    this.timer = this.clock.setTimeout(() => {
      const idle = this.clock.now() - this.lastActivity;
      if (idle >= this.intervalMs) {
        this.sendKeepalive(); // counts as activity through the send path
        this.schedule(this.intervalMs);
      } else {
        this.schedule(this.intervalMs - idle);
      }
    }, delayMs);
  }
}

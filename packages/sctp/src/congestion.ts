/**
 * Retransmission timer (RFC 9260 §6.3) and congestion control (§7.2) state
 * for the single destination a WebRTC association has.
 */

export interface RtoConfig {
  /** RTO.Initial: used until the first RTT measurement. */
  initialMs: number;
  /** RTO.Min. */
  minMs: number;
  /** RTO.Max: the cap for exponential backoff. */
  maxMs: number;
}

/**
 * §6.3.1 RTO calculation with α = 1/8, β = 1/4, and §6.3.3 backoff.
 * Karn's rule (only measure chunks sent once) is the caller's job.
 */
export class RtoEstimator {
  srtt: number | undefined;
  rttvar = 0;
  rto: number;

  constructor(private readonly config: RtoConfig) {
    this.rto = config.initialMs;
  }

  /** C1/C2/C3: folds in one RTT measurement R (ms). */
  measure(r: number): void {
    if (this.srtt === undefined) {
      this.srtt = r;
      this.rttvar = r / 2;
    } else {
      this.rttvar = 0.75 * this.rttvar + 0.25 * Math.abs(this.srtt - r);
      this.srtt = 0.875 * this.srtt + 0.125 * r;
    }
    // C3: RTTVAR is floored at the clock granularity (G); ours is 1 ms.
    this.rto = this.clamp(this.srtt + 4 * Math.max(this.rttvar, 1));
  }

  /** §6.3.3 E2: "back off the timer" on T3-rtx (and T1, heartbeat) expiry. */
  backoff(): void {
    this.rto = this.clamp(this.rto * 2);
  }

  private clamp(v: number): number {
    return Math.min(this.config.maxMs, Math.max(this.config.minMs, v));
  }
}

/**
 * §7.2 slow start and congestion avoidance, §7.2.3 on loss, §7.2.4 fast
 * recovery. Sizes are in bytes of DATA chunks (header included), as the
 * RFC counts outstanding data.
 */
export class CongestionControl {
  cwnd: number;
  ssthresh: number;
  partialBytesAcked = 0;
  /** Set while in fast recovery: the highest TSN outstanding when it began (§7.2.4). */
  fastRecoveryExit: number | undefined;

  constructor(
    /** The current packet size; PLPMTUD changes it through Sender.setMtu(). */
    public mtu: number,
    peerRwnd: number,
    initialCwndPackets = 10,
  ) {
    // §7.2.1 asks for min(4*MTU, max(2*MTU, 4380 bytes)) = 3 packets at MTU 1200. A data
    // channel runs over an ICE-checked path and its first messages are often larger than
    // that (a 16 KiB message is 14 packets), so, like TCP's IW10 (RFC 6928) and the browser
    // SCTP stacks, we start at `initialCwndPackets` (default 10) packets.
    this.cwnd = initialCwndPackets * mtu;
    // §7.2.1: initial ssthresh may be arbitrarily high, e.g. the peer's a_rwnd.
    this.ssthresh = peerRwnd;
  }

  /**
   * §7.2.1 / §7.2.2 on a SACK that advanced the cumulative ack.
   * `cwndFull` says whether the sender was using the whole cwnd (the RFC
   * only grows cwnd when it limited the sender).
   */
  onCumulativeAck(bytesAcked: number, cwndFull: boolean): void {
    if (this.fastRecoveryExit !== undefined) return; // §7.2.4: no growth in fast recovery
    if (this.cwnd <= this.ssthresh) {
      if (cwndFull) this.cwnd += Math.min(bytesAcked, this.mtu);
    } else {
      this.partialBytesAcked += bytesAcked;
      if (this.partialBytesAcked >= this.cwnd && cwndFull) {
        this.partialBytesAcked -= this.cwnd;
        this.cwnd += this.mtu;
      }
    }
  }

  /** §7.2.2: when everything is acked, partial_bytes_acked resets. */
  onAllAcked(): void {
    this.partialBytesAcked = 0;
  }

  /** §7.2.4 on entering fast retransmit (once per recovery). */
  onFastRetransmit(highestOutstandingTsn: number): void {
    this.ssthresh = Math.max(this.cwnd / 2, 4 * this.mtu);
    this.cwnd = this.ssthresh;
    this.partialBytesAcked = 0;
    this.fastRecoveryExit = highestOutstandingTsn;
  }

  /** §7.2.3 on T3-rtx expiry. */
  onTimeout(): void {
    this.ssthresh = Math.max(this.cwnd / 2, 4 * this.mtu);
    this.cwnd = this.mtu;
    this.partialBytesAcked = 0;
    this.fastRecoveryExit = undefined;
  }
}

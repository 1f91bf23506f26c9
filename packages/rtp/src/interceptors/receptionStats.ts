import { unwrap16 } from '@rivulet/common';
import type { RtcpReportBlock } from '../rtcp/index.js';
import { unixMsFromNtp } from './ntp.js';

/** The sender's own counts from its latest SR (RFC 3550 §6.4.1). */
export interface RemoteSenderReport {
  /** Sender's packet count and octet count (payload octets), as sent (32-bit, wrapping). */
  packetsSent: number;
  octetsSent: number;
  /** The SR's NTP timestamp as Unix ms, on the sender's wall clock. */
  remoteTimeMs: number;
  /** SRs received from this source so far. */
  reportsReceived: number;
  /** When the latest SR arrived, on the chain clock (ms). */
  arrivalMs: number;
}

/**
 * Per-source reception statistics of RFC 3550 Appendix A: extended highest sequence number
 * (A.1), cumulative and interval loss (A.3) and interarrival jitter (A.8, §6.4.1), plus the LSR/DLSR
 * bookkeeping for the report block. Sans-IO: times are passed in (ms on the chain clock).
 *
 * Differences from A.1: no probation (sources are already authenticated by SRTP), and a jump of
 * more than 3000 packets restarts the statistics like A.1's "bad_seq" resync. Jitter is updated
 * only by packets that advance the highest sequence number, so retransmissions (which arrive late
 * by design) do not inflate it.
 */
export class ReceptionStatistics {
  private baseExt = -1;
  private maxExt = -1;
  received = 0;
  /** Bytes of payload received. */
  bytes = 0;
  private expectedPrior = 0;
  private receivedPrior = 0;
  private lastTransit = 0;
  private haveTransit = false;
  /** Interarrival jitter estimate J, in timestamp units (float; reports carry floor(J)). */
  jitter = 0;
  private lastSrMiddle = 0;
  private lastSrAt = 0;
  /**
   * What the source's last Sender Report said about itself (RFC 3550 §6.4.1), for webrtc-stats
   * remote-outbound-rtp; undefined until the first SR.
   */
  lastSenderReport: RemoteSenderReport | undefined;

  constructor(readonly ssrc: number, readonly clockRate: number) {}

  /** Record one received packet: `arrivalMs` on the chain clock. */
  onPacket(seq: number, rtpTimestamp: number, payloadBytes: number, arrivalMs: number): void {
    this.received++;
    this.bytes += payloadBytes;
    if (this.maxExt < 0) {
      this.baseExt = this.maxExt = seq;
      this.updateJitter(rtpTimestamp, arrivalMs);
      return;
    }
    const ext = unwrap16(this.maxExt, seq);
    if (ext - this.maxExt > 3000) {
      // RFC 3550 A.1: a very large jump means the source restarted; start over.
      this.baseExt = this.maxExt = ext;
      this.received = 1;
      this.expectedPrior = this.receivedPrior = 0;
      this.haveTransit = false;
      this.updateJitter(rtpTimestamp, arrivalMs);
      return;
    }
    if (ext > this.maxExt) {
      this.maxExt = ext;
      this.updateJitter(rtpTimestamp, arrivalMs);
    } else if (ext < this.baseExt) {
      this.baseExt = ext; // reordered packet from before the first one we saw
    }
  }

  /** RFC 3550 A.8: D = (Rj - Ri) - (Sj - Si) in timestamp units; J += (|D| - J) / 16. */
  private updateJitter(rtpTimestamp: number, arrivalMs: number): void {
    const arrival = Math.floor((arrivalMs * this.clockRate) / 1000);
    const transit = (arrival - rtpTimestamp) | 0;
    if (this.haveTransit) {
      const d = Math.abs((transit - this.lastTransit) | 0);
      this.jitter += (d - this.jitter) / 16;
    }
    this.lastTransit = transit;
    this.haveTransit = true;
  }

  /** Record an SR from this source (for LSR/DLSR in our next report block). */
  onSenderReport(ntpMiddle: number, arrivalMs: number, sr?: { ntpTimestamp: bigint; packetCount: number; octetCount: number }): void {
    this.lastSrMiddle = ntpMiddle >>> 0;
    this.lastSrAt = arrivalMs;
    if (sr !== undefined) {
      this.lastSenderReport = {
        packetsSent: sr.packetCount, octetsSent: sr.octetCount, remoteTimeMs: unixMsFromNtp(sr.ntpTimestamp),
        reportsReceived: (this.lastSenderReport?.reportsReceived ?? 0) + 1, arrivalMs,
      };
    }
  }

  get started(): boolean {
    return this.maxExt >= 0;
  }

  /** Extended highest sequence number received (cycles·2^16 + max_seq). */
  get extendedHighest(): number {
    return this.maxExt;
  }

  /** A.3: expected - received, clamped to the 24-bit signed field. */
  get cumulativeLost(): number {
    if (this.maxExt < 0) return 0;
    const lost = this.maxExt - this.baseExt + 1 - this.received;
    return Math.max(-0x800000, Math.min(0x7fffff, lost));
  }

  /**
   * Build the report block for now and start a new interval (A.3): fraction lost over the interval
   * since the previous call, as lost·256/expected.
   */
  reportBlock(nowMs: number): RtcpReportBlock {
    const expected = this.maxExt - this.baseExt + 1;
    const expectedInterval = expected - this.expectedPrior;
    const receivedInterval = this.received - this.receivedPrior;
    this.expectedPrior = expected;
    this.receivedPrior = this.received;
    const lostInterval = expectedInterval - receivedInterval;
    const fractionLost = expectedInterval === 0 || lostInterval <= 0 ? 0 : Math.floor((lostInterval * 256) / expectedInterval);
    return {
      ssrc: this.ssrc,
      fractionLost: Math.min(255, fractionLost),
      packetsLost: this.cumulativeLost,
      highestSequence: this.maxExt % 0x100000000,
      jitter: Math.floor(this.jitter),
      lastSr: this.lastSrMiddle,
      // §6.4.1: DLSR in units of 1/65536 s; 0 when no SR has been received.
      delaySinceLastSr: this.lastSrMiddle === 0 ? 0 : Math.floor(((nowMs - this.lastSrAt) / 1000) * 65536),
    };
  }
}

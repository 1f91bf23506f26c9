import type { XrDlrr, XrDlrrItem } from '../rtcp/index.js';
import { ntpMiddle32 } from './ntp.js';

/** Round-trip time measured as a receiver (RFC 3611 §4.5), about one remote sender. */
export interface ReceiverRoundTrip {
  /** The latest measurement, ms. */
  roundTripTimeMs: number | undefined;
  /** Sum of every measurement, ms, and how many there were. */
  totalRoundTripTimeMs: number;
  roundTripTimeMeasurements: number;
}

/** RRTRs remembered (one per remote receiver SSRC); the oldest is forgotten beyond this. */
const MAX_RRTR = 32;

/**
 * RFC 3611 round trip for a participant that only receives (RTCP SR/RR give the RTT to senders
 * only, RFC 3550 §6.4.1): a receiver sends a Receiver Reference Time block (§4.4, its NTP time);
 * the sender answers with a DLRR sub-block (§4.5: LRR = the middle 32 bits of that time, DLRR = the
 * delay since it arrived, in 1/65536 s); the receiver computes RTT = A − LRR − DLRR. Both roles live
 * here: remembering RRTRs to answer, and measuring from DLRRs about our own RRTRs.
 */
export class XrRoundTrip {
  private readonly rrtrs = new Map<number, { lastRr: number; atMs: number }>();
  private readonly measured = new Map<number, ReceiverRoundTrip>();

  /** An RRTR from `senderSsrc` arrived at `nowMs` (chain clock). */
  onReferenceTime(senderSsrc: number, ntpTimestamp: bigint, nowMs: number): void {
    this.rrtrs.delete(senderSsrc);
    this.rrtrs.set(senderSsrc, { lastRr: ntpMiddle32(ntpTimestamp), atMs: nowMs });
    if (this.rrtrs.size > MAX_RRTR) this.rrtrs.delete(this.rrtrs.keys().next().value!);
  }

  /** The DLRR block answering every RRTR we hold, or undefined when there is none. */
  dlrrBlock(nowMs: number): XrDlrr | undefined {
    if (this.rrtrs.size === 0) return undefined;
    const items: XrDlrrItem[] = [];
    for (const [ssrc, r] of this.rrtrs) {
      items.push({ ssrc, lastRr: r.lastRr, delaySinceLastRr: Math.min(0xffffffff, Math.floor(((nowMs - r.atMs) / 1000) * 65536)) });
    }
    return { type: 'dlrr', items };
  }

  /**
   * DLRR sub-blocks from remote sender `xrSsrc`: those about an RRTR of ours (`isOurs(item.ssrc)`,
   * LRR ≠ 0) give the round trip to that sender; `nowNtpMiddle` is A, our NTP time's middle 32 bits.
   */
  onDlrr(xrSsrc: number, items: readonly XrDlrrItem[], isOurs: (ssrc: number) => boolean, nowNtpMiddle: number): void {
    for (const it of items) {
      if (!isOurs(it.ssrc) || it.lastRr === 0) continue;
      const rtt = (nowNtpMiddle - it.lastRr - it.delaySinceLastRr) >>> 0;
      if (rtt >= 0x80000000) continue; // negative: clocks or a forged block; not a measurement
      let m = this.measured.get(xrSsrc);
      if (!m) {
        if (this.measured.size >= MAX_RRTR) this.measured.delete(this.measured.keys().next().value!);
        m = { roundTripTimeMs: undefined, totalRoundTripTimeMs: 0, roundTripTimeMeasurements: 0 };
        this.measured.set(xrSsrc, m);
      }
      m.roundTripTimeMs = (rtt / 65536) * 1000;
      m.totalRoundTripTimeMs += m.roundTripTimeMs;
      m.roundTripTimeMeasurements++;
    }
  }

  /** What we measured to remote sender `ssrc` (a copy), undefined before the first DLRR about it. */
  roundTrip(ssrc: number): ReceiverRoundTrip | undefined {
    const m = this.measured.get(ssrc);
    return m === undefined ? undefined : { ...m };
  }
}

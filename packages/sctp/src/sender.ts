import { add32, seqLessOrEqual32, seqLessThan32 } from '@rivulet/common';
import { DATA_HEADER_LENGTH } from './chunks/data.js';
import type { SackChunk } from './chunks/types.js';
import type { OutChunk, SackResult } from './outbound.js';
import { SendQueue } from './sendQueue.js';

export type { OutChunk, SackResult, SendOptions } from './outbound.js';

/**
 * The outbound half of an association. SendQueue (sendQueue.ts) holds the queue, TSN
 * assignment, fragmentation and PR-SCTP abandonment; this class moves chunks through it:
 * what may go next (§6.1), what was sent, SACK processing (§6.2.1), fast retransmit (§7.2.4)
 * and T3-rtx expiry (§6.3.3), with congestion control.
 */
export class Sender extends SendQueue {
  /**
   * Whether a packet of DATA may be started now. §6.1 B: no new data while
   * cwnd or more bytes are outstanding; C: respect the peer's rwnd, except
   * one chunk when nothing is in flight (zero-window probe).
   */
  canSend(): boolean {
    if (this.fastRtxBudget && this.rtxPending) return true;
    if (this.flightSize >= this.cc.cwnd) return false;
    if (this.rtxPending) return true;
    return (this.sendIdx < this.q.length || !this.scheduler.isEmpty) && (this.peerRwnd > 0 || this.flightSize === 0);
  }

  /**
   * Picks the next chunk to put in a packet with `room` bytes left:
   * retransmissions first (§6.1 A), then new data. Expired messages are
   * abandoned on the way (RFC 3758 §3.5 A1).
   */
  nextChunk(room: number, now: number): OutChunk | undefined {
    // A chunk made before the PLPMTU shrank (RFC 8899 black hole) is larger than any packet now;
    // it still goes, alone in a packet, rather than never (RFC 9260 §7.3 has no way to re-fragment).
    const alone = room + 12 >= this.mtu;
    while (this.rtxHead < this.retransmitList.length) {
      const c = this.retransmitList[this.rtxHead]!;
      if (!c.retransmit || c.acked || c.abandoned) {
        c.retransmit = false;
        this.rtxHead++;
        continue;
      }
      if (this.expired(c, now)) {
        this.rtxHead++;
        c.retransmit = false;
        this.abandon(c.msg);
        continue;
      }
      if (c.size > room && !alone) return undefined;
      this.rtxHead++;
      c.retransmit = false;
      return c;
    }
    if (this.rtxHead > 0) {
      this.retransmitList = [];
      this.rtxHead = 0;
    }
    // §7.2.4 step 3: the packet sent outside cwnd carries retransmissions only.
    if (this.fastRtxBudget && this.flightSize >= this.cc.cwnd) return undefined;
    for (;;) {
      while (this.sendIdx < this.q.length) {
        const c = this.q[this.sendIdx]!;
        if (c.abandoned) {
          this.sendIdx++;
          continue;
        }
        if (this.expired(c, now)) {
          this.abandon(c.msg);
          this.sendIdx++;
          continue;
        }
        if (c.size > room && !alone) return undefined;
        if (this.flightSize > 0 && this.peerRwnd < c.size) return undefined;
        this.sendIdx++;
        return c;
      }
      // The current message is out: let the scheduler pick the next one, if the window allows.
      if (this.scheduler.isEmpty || room < DATA_HEADER_LENGTH + 4) return undefined;
      if (this.flightSize > 0 && this.peerRwnd < DATA_HEADER_LENGTH + this.maxFragment) return undefined;
      const m = this.scheduler.pop(now);
      if (!m) return undefined;
      this.assign(m, room);
    }
  }

  /** Records that `c` was written into a packet. */
  onTransmit(c: OutChunk, now: number): void {
    if (c.sendCount === 0) this.unbuffer(c);
    else this.retransmissions++;
    c.sendCount++;
    c.sentAt = now;
    c.missIndications = 0;
    if (!c.inFlight) {
      c.inFlight = true;
      this.flightSize += c.size;
      this.peerRwnd = Math.max(0, this.peerRwnd - c.size);
    }
  }

  /** The packet carrying fast retransmissions has been sent (§7.2.4 step 3 allows one). */
  endPacket(): void {
    this.fastRtxBudget = false;
  }

  /** Whether nothing remains to be sent after the current packet (sets RFC 7053 I bit). */
  get drainedAfterPacket(): boolean {
    return this.sendIdx >= this.q.length && !this.rtxPending && this.scheduler.isEmpty;
  }

  /** RFC 9260 §6.2.1 processing of a received SACK. */
  handleSack(sack: SackChunk, now: number): SackResult {
    const result: SackResult = { cumAdvanced: false, fastRetransmit: false };
    const cum = sack.cumTsnAck;
    // §6.2.1 D i: a SACK older than our cumulative ack point is out of order; ignore it.
    if (seqLessThan32(cum, this.cumAckPoint)) return result;
    // A cumulative ack beyond what we ever assigned is bogus.
    if (!seqLessThan32(cum, this.nextTsn)) return result;
    const flightBefore = this.flightSize;
    let bytesAcked = 0;
    let highestNewlyAcked: number | undefined;
    let rttSample: number | undefined;
    while (this.head < this.q.length && seqLessOrEqual32(this.q[this.head]!.tsn, cum)) {
      const c = this.q[this.head]!;
      if (!c.acked) {
        if (c.sendCount > 0 && !c.abandoned) bytesAcked += c.size;
        highestNewlyAcked = c.tsn;
        // Karn's algorithm (§6.3.1 C5): only chunks transmitted once give RTT samples.
        if (c.sendCount === 1 && !c.abandoned) rttSample = now - c.sentAt;
      }
      if (c.inFlight) this.flightSize -= c.size;
      if (c.sendCount === 0 && !c.abandoned) this.unbuffer(c); // skipped by the peer via our FORWARD TSN
      c.retransmit = false;
      this.q[this.head] = undefined;
      this.head++;
      result.cumAdvanced = true;
    }
    if (this.sendIdx < this.head) this.sendIdx = this.head;
    if (result.cumAdvanced) this.cumAckPoint = cum;
    if (seqLessThan32(this.advancedPeerAckPoint, cum)) this.advancedPeerAckPoint = cum;
    this.compact();

    // Gap ack blocks, clamped to what was actually sent.
    const sentSpan = this.sendIdx - this.head;
    for (const g of sack.gapBlocks) {
      if (g.start === 0 || g.end < g.start) continue;
      const last = Math.min(g.end, sentSpan);
      for (let off = g.start; off <= last; off++) {
        const c = this.q[this.head + off - 1]!;
        if (c.acked) continue;
        c.acked = true;
        c.retransmit = false;
        if (c.inFlight) {
          c.inFlight = false;
          this.flightSize -= c.size;
        }
        if (!c.abandoned) bytesAcked += c.size;
        highestNewlyAcked = c.tsn;
        if (c.sendCount === 1 && !c.abandoned) rttSample = now - c.sentAt;
      }
    }
    if (rttSample !== undefined) this.rto.measure(rttSample);

    // §7.2.4: miss indications for TSNs below the highest newly acknowledged one.
    const inRecovery = this.cc.fastRecoveryExit !== undefined;
    if (
      highestNewlyAcked !== undefined &&
      seqLessThan32(this.cumAckPoint, highestNewlyAcked) &&
      (!inRecovery || result.cumAdvanced)
    ) {
      const limit = this.head + ((highestNewlyAcked - add32(this.cumAckPoint, 1)) >>> 0);
      for (let i = this.head; i < limit && i < this.sendIdx; i++) {
        const c = this.q[i]!;
        if (c.acked || c.abandoned || c.retransmit || c.sendCount === 0) continue;
        if (++c.missIndications >= 3 && !c.fastRetransmitted) {
          c.fastRetransmitted = true;
          this.markLost(c, now);
          result.fastRetransmit = true;
        }
      }
      if (result.fastRetransmit) {
        this.compactRtx();
        this.retransmitList.sort((a, b) => ((a.tsn - b.tsn) | 0));
        this.fastRtxBudget = true;
        if (!inRecovery) this.cc.onFastRetransmit(add32(this.cumAckPoint, this.sendIdx - this.head));
      }
    }
    if (this.cc.fastRecoveryExit !== undefined && seqLessOrEqual32(this.cc.fastRecoveryExit, this.cumAckPoint)) {
      this.cc.fastRecoveryExit = undefined;
    }
    if (result.cumAdvanced) this.cc.onCumulativeAck(bytesAcked, flightBefore + this.mtu > this.cc.cwnd);
    if (this.flightSize === 0) this.cc.onAllAcked();
    // §6.2.1 D iv: peer rwnd = a_rwnd − bytes still outstanding.
    this.peerRwnd = Math.max(0, sack.aRwnd - this.flightSize);
    this.advanceAckPoint(now);
    return result;
  }

  /** §6.3.3 T3-rtx expiry: everything outstanding is considered lost. */
  onT3Expired(now: number): void {
    this.onTimeout?.();
    this.rto.backoff();
    this.cc.onTimeout();
    for (let i = this.head; i < this.sendIdx; i++) {
      const c = this.q[i]!;
      if (c.acked || c.abandoned || c.sendCount === 0) continue;
      this.markLost(c, now);
    }
    this.compactRtx();
    this.retransmitList.sort((a, b) => ((a.tsn - b.tsn) | 0));
    this.advanceAckPoint(now);
  }
}

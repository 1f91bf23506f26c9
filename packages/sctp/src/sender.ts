import { add32, seqLessOrEqual32, seqLessThan32 } from '@rivulet/common';
import { CongestionControl, RtoEstimator, type RtoConfig } from './congestion.js';
import { DATA_HEADER_LENGTH } from './chunks/data.js';
import type { ForwardTsnChunk, SackChunk } from './chunks/types.js';
import { StreamScheduler } from './scheduler.js';
import type { OutChunk, OutMessage, SackResult, SendOptions } from './outbound.js';

export type { OutChunk, SackResult, SendOptions } from './outbound.js';

/**
 * The outbound half of an association: TSN assignment, fragmentation,
 * the retransmission queue, SACK processing, congestion control and
 * PR-SCTP abandonment.
 *
 * Chunks live in one array indexed by TSN distance from the oldest
 * unacknowledged TSN (TSNs are contiguous), so lookups by TSN are O(1) and
 * nothing is ever searched or concatenated per chunk. Messages wait in the
 * StreamScheduler until picked; then all their fragments get consecutive TSNs
 * at once (§6.9) and go out before the next message is picked.
 */
export class Sender {
  readonly rto: RtoEstimator;
  readonly cc: CongestionControl;
  peerRwnd: number;
  flightSize = 0;
  /** TSN of the last chunk the peer acknowledged cumulatively. */
  cumAckPoint: number;
  /** RFC 3758 §3.5 Advanced.Peer.Ack.Point. */
  advancedPeerAckPoint: number;
  private nextTsn: number;
  private q: (OutChunk | undefined)[] = [];
  private head = 0;
  /** Index in q of the first chunk never transmitted. */
  private sendIdx = 0;
  private retransmitList: OutChunk[] = [];
  private rtxHead = 0;
  private fastRtxBudget = false;
  private readonly scheduler = new StreamScheduler<OutMessage>(() => this.abandonedMessages++);
  retransmissions = 0;
  abandonedMessages = 0;
  /** Called on every T3-rtx expiry (PLPMTUD black-hole detection, RFC 8899 §4.3). */
  onTimeout: (() => void) | undefined;

  constructor(
    initialTsn: number,
    peerRwnd: number,
    private mtu: number,
    rtoConfig: RtoConfig,
    initialCwndPackets = 10,
  ) {
    this.nextTsn = initialTsn >>> 0;
    this.cumAckPoint = add32(initialTsn, -1);
    this.advancedPeerAckPoint = this.cumAckPoint;
    this.peerRwnd = peerRwnd;
    this.rto = new RtoEstimator(rtoConfig);
    this.cc = new CongestionControl(mtu, peerRwnd, initialCwndPackets);
  }

  /**
   * RFC 8899: the PLPMTU changed. Messages picked from now on fragment at the new size (chunks
   * that already have TSNs keep theirs: SCTP cannot re-fragment them, RFC 9260 §6.9). cwnd stays
   * in bytes (as Linux TCP does on an MSS change) but never below RFC 9260 §7.2.1's initial
   * window at the new size (2 MTU for MTU ≥ 2190): one packet of cwnd would leave the peer
   * waiting for its delayed SACK. On a decrease cwnd shrinks in proportion, to at least one MTU.
   */
  setMtu(mtu: number): void {
    const old = this.mtu;
    if (mtu === old) return;
    this.mtu = mtu;
    const cc = this.cc;
    cc.mtu = mtu;
    if (mtu > old) cc.cwnd = Math.max(cc.cwnd, Math.min(4 * mtu, Math.max(2 * mtu, 4380)));
    else cc.cwnd = Math.max(mtu, Math.floor((cc.cwnd * mtu) / old));
  }

  /** Largest user data per DATA chunk: MTU − common header − DATA header. */
  get maxFragment(): number {
    return (this.mtu - 12 - DATA_HEADER_LENGTH) & ~3;
  }

  /** Whether data is sent but not yet acknowledged (the T3 timer should run). */
  get hasInFlight(): boolean {
    return this.flightSize > 0 || this.rtxPending;
  }

  /** Everything sent has been acknowledged and nothing is queued (§9.2 shutdown). */
  get idle(): boolean {
    return this.q.length === this.head && this.scheduler.isEmpty;
  }

  /** Whether messages on this stream still wait for TSNs (an outgoing reset must wait for them). */
  hasPendingOn(streamId: number): boolean {
    return this.scheduler.hasPending(streamId);
  }

  private get rtxPending(): boolean {
    return this.rtxHead < this.retransmitList.length;
  }

  bufferedAmount(streamId: number): number {
    return this.scheduler.bufferedAmount(streamId);
  }

  /** The TSN the next new chunk will get, minus one (RFC 6525 Sender's Last Assigned TSN). */
  get lastAssignedTsn(): number {
    return add32(this.nextTsn, -1);
  }

  /** RFC 6525 §5.1.2: after an outgoing reset, the stream's SSNs restart at 0. */
  resetStreamSsn(streamId: number): void {
    this.scheduler.resetSsn(streamId);
  }

  takeDrained(): number[] {
    return this.scheduler.takeDrained();
  }

  /** Queues a user message with the stream scheduler. */
  enqueue(streamId: number, ppid: number, data: Buffer, options: SendOptions, now: number): void {
    this.scheduler.push(
      {
        streamId,
        ppid,
        data,
        unordered: options.unordered === true,
        ssn: 0,
        firstTsn: 0,
        count: 0,
        maxRetransmits: options.maxRetransmits,
        expiresAt: options.maxLifetimeMs !== undefined ? now + options.maxLifetimeMs : undefined,
        abandoned: false,
        counted: options.excludeFromBufferedAmount !== true,
      },
      options.priority,
    );
  }

  /**
   * Fragments a picked message into DATA chunks with consecutive TSNs (§6.9). `room` is what is
   * left in the packet being built (chunk header included).
   *
   * §6.9 leaves fragment sizes to the sender. A message that has to be fragmented anyway gets a
   * first fragment that fills the rest of the current packet (when that is at least a quarter of
   * a full fragment) instead of waiting for the next packet: otherwise, behind the short last
   * fragment of the previous message, every packet boundary falls on a message boundary and
   * the short tails travel alone. With 16 KiB messages and a 16 KiB PLPMTU (RFC 8899) that was
   * two packets per message, one of them ~60 bytes, i.e. twice the per-packet work (a DTLS record,
   * a sendto, a SACK share) for the same bytes. A message that fits one chunk is never split.
   */
  private assign(msg: OutMessage, room: number): void {
    const { streamId, ppid, data, unordered } = msg;
    const frag = this.maxFragment;
    const len = data.length;
    let first = frag;
    if (len > frag) {
      const fill = (room - DATA_HEADER_LENGTH) & ~3;
      if (fill < frag && fill >= frag >>> 2) first = fill;
    }
    const count = len <= first ? 1 : 1 + Math.ceil((len - first) / frag);
    msg.ssn = unordered ? 0 : this.scheduler.takeSsn(streamId);
    msg.firstTsn = this.nextTsn;
    msg.count = count;
    for (let i = 0, at = 0; i < count; i++) {
      const end = Math.min(len, at + (i === 0 ? first : frag));
      const part = data.subarray(at, end);
      at = end;
      this.q.push({
        tsn: this.nextTsn,
        msg,
        ppid,
        data: part,
        beginning: i === 0,
        ending: i === count - 1,
        size: DATA_HEADER_LENGTH + part.length,
        sendCount: 0,
        sentAt: 0,
        acked: false,
        inFlight: false,
        retransmit: false,
        fastRetransmitted: false,
        missIndications: 0,
        abandoned: false,
      });
      this.nextTsn = add32(this.nextTsn, 1);
    }
  }

  private at(tsn: number): OutChunk | undefined {
    const i = this.head + ((tsn - add32(this.cumAckPoint, 1)) >>> 0);
    return i < this.q.length ? this.q[i] : undefined;
  }

  private unbuffer(c: OutChunk): void {
    if (c.msg.counted) this.scheduler.unbuffer(c.msg.streamId, c.data.length);
  }

  /** RFC 3758 §3.5 A2 / RFC 8831: give up on every fragment of a message. */
  private abandon(msg: OutMessage): void {
    if (msg.abandoned) return;
    msg.abandoned = true;
    this.abandonedMessages++;
    for (let i = 0; i < msg.count; i++) {
      const c = this.at(add32(msg.firstTsn, i));
      if (!c || c.msg !== msg || c.abandoned) continue;
      c.abandoned = true;
      c.retransmit = false;
      if (c.inFlight) {
        c.inFlight = false;
        this.flightSize -= c.size;
      }
      if (c.sendCount === 0) this.unbuffer(c);
    }
  }

  private expired(c: OutChunk, now: number): boolean {
    return c.msg.expiresAt !== undefined && now >= c.msg.expiresAt;
  }

  /** Marks a lost chunk for retransmission unless its PR policy says to abandon it. */
  private markLost(c: OutChunk, now: number): void {
    if (c.inFlight) {
      c.inFlight = false;
      this.flightSize -= c.size;
    }
    const m = c.msg;
    if ((m.maxRetransmits !== undefined && c.sendCount > m.maxRetransmits) || this.expired(c, now)) {
      this.abandon(m);
      return;
    }
    if (!c.retransmit) {
      c.retransmit = true;
      this.retransmitList.push(c);
    }
  }

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

  private compactRtx(): void {
    if (this.rtxHead > 0) {
      this.retransmitList = this.retransmitList.slice(this.rtxHead);
      this.rtxHead = 0;
    }
  }

  /** RFC 3758 §3.5 C1: move past abandoned chunks at the front. */
  private advanceAckPoint(now: number): void {
    let i = this.head + ((this.advancedPeerAckPoint - this.cumAckPoint) >>> 0);
    for (;;) {
      const c = this.q[i];
      if (!c) break;
      // A chunk still in flight may yet arrive: maxPacketLifeTime bounds (re)transmissions
      // (RFC 8831 §6.1), so only unsent or lost-and-waiting chunks expire here.
      if (!c.abandoned && (c.sendCount === 0 || c.retransmit) && this.expired(c, now)) this.abandon(c.msg);
      if (!c.abandoned) break;
      this.advancedPeerAckPoint = c.tsn;
      i++;
    }
    if (i > this.sendIdx) this.sendIdx = i;
  }

  /** Whether a FORWARD TSN should be sent (RFC 3758 §3.5 C2). */
  get needsForwardTsn(): boolean {
    return seqLessThan32(this.cumAckPoint, this.advancedPeerAckPoint);
  }

  /** RFC 3758 §3.5 C4: the FORWARD TSN, naming the largest skipped SSN per ordered stream. */
  forwardTsnChunk(): ForwardTsnChunk {
    const perStream = new Map<number, number>();
    const n = (this.advancedPeerAckPoint - this.cumAckPoint) >>> 0;
    for (let i = 0; i < n; i++) {
      const c = this.q[this.head + i];
      if (c && !c.msg.unordered) perStream.set(c.msg.streamId, c.msg.ssn);
    }
    return {
      type: 192,
      newCumulativeTsn: this.advancedPeerAckPoint,
      streams: [...perStream].map(([streamId, ssn]) => ({ streamId, ssn })),
    };
  }

  /** Drops acknowledged slots from the front of the array now and then (amortized O(1)). */
  private compact(): void {
    if (this.head > 4096 && this.head * 2 > this.q.length) {
      this.q = this.q.slice(this.head);
      this.sendIdx -= this.head;
      this.head = 0;
    }
  }
}

import { add32, seqLessThan32 } from '@rivulet/common';
import { CongestionControl, RtoEstimator, type RtoConfig } from './congestion.js';
import { DATA_HEADER_LENGTH } from './chunks/data.js';
import type { ForwardTsnChunk } from './chunks/types.js';
import { StreamScheduler } from './scheduler.js';
import type { OutChunk, OutMessage, SendOptions } from './outbound.js';

/**
 * The outbound queue under Sender: TSN assignment, fragmentation (§6.9), and RFC 3758 PR-SCTP
 * abandonment with the Advanced.Peer.Ack.Point and FORWARD TSN it leads to. Sender (sender.ts)
 * adds what moves chunks through it: picking them for packets (§6.1), SACK processing (§6.2.1),
 * fast retransmit (§7.2.4) and T3-rtx (§6.3.3). One class split in two files by inheritance, so
 * the per-chunk paths call the same methods as before with no extra indirection.
 *
 * Chunks live in one array indexed by TSN distance from the oldest
 * unacknowledged TSN (TSNs are contiguous), so lookups by TSN are O(1) and
 * nothing is ever searched or concatenated per chunk. Messages wait in the
 * StreamScheduler until picked; then all their fragments get consecutive TSNs
 * at once (§6.9) and go out before the next message is picked.
 */
export class SendQueue {
  readonly rto: RtoEstimator;
  readonly cc: CongestionControl;
  peerRwnd: number;
  flightSize = 0;
  /** TSN of the last chunk the peer acknowledged cumulatively. */
  cumAckPoint: number;
  /** RFC 3758 §3.5 Advanced.Peer.Ack.Point. */
  advancedPeerAckPoint: number;
  protected nextTsn: number;
  protected q: (OutChunk | undefined)[] = [];
  protected head = 0;
  /** Index in q of the first chunk never transmitted. */
  protected sendIdx = 0;
  protected retransmitList: OutChunk[] = [];
  protected rtxHead = 0;
  protected fastRtxBudget = false;
  protected readonly scheduler = new StreamScheduler<OutMessage>(() => this.abandonedMessages++);
  retransmissions = 0;
  abandonedMessages = 0;
  /** Called on every T3-rtx expiry (PLPMTUD black-hole detection, RFC 8899 §4.3). */
  onTimeout: (() => void) | undefined;

  constructor(
    initialTsn: number,
    peerRwnd: number,
    protected mtu: number,
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

  protected get rtxPending(): boolean {
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
  protected assign(msg: OutMessage, room: number): void {
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

  protected at(tsn: number): OutChunk | undefined {
    const i = this.head + ((tsn - add32(this.cumAckPoint, 1)) >>> 0);
    return i < this.q.length ? this.q[i] : undefined;
  }

  protected unbuffer(c: OutChunk): void {
    if (c.msg.counted) this.scheduler.unbuffer(c.msg.streamId, c.data.length);
  }

  /** RFC 3758 §3.5 A2 / RFC 8831: give up on every fragment of a message. */
  protected abandon(msg: OutMessage): void {
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

  protected expired(c: OutChunk, now: number): boolean {
    return c.msg.expiresAt !== undefined && now >= c.msg.expiresAt;
  }

  /** Marks a lost chunk for retransmission unless its PR policy says to abandon it. */
  protected markLost(c: OutChunk, now: number): void {
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


  protected compactRtx(): void {
    if (this.rtxHead > 0) {
      this.retransmitList = this.retransmitList.slice(this.rtxHead);
      this.rtxHead = 0;
    }
  }

  /** RFC 3758 §3.5 C1: move past abandoned chunks at the front. */
  protected advanceAckPoint(now: number): void {
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
  protected compact(): void {
    if (this.head > 4096 && this.head * 2 > this.q.length) {
      this.q = this.q.slice(this.head);
      this.sendIdx -= this.head;
      this.head = 0;
    }
  }
}

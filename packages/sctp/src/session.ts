import { randomBytes } from 'node:crypto';
import type { Clock } from '@rivulet/common';
import { invalidStreamCause } from './chunks/error.js';
import { CauseCode, ChunkType, pad4, type Tlv, type Chunk, type DataChunk, type ForwardTsnChunk, type SackChunk } from './chunks/types.js';
import type { CookieContents } from './cookie.js';
import type { PacketBuilder } from './packetBuilder.js';
import type { ResolvedOptions } from './options.js';
import { PIECE_OVERHEAD, Reassembly } from './reassembly.js';
import { Sender } from './sender.js';
import { StreamReset } from './streamReset.js';
import { SackPolicy } from './sackPolicy.js';
import { TimerSlot } from './timer.js';
import { TsnTracker } from './tsnTracker.js';
import type { DropReason } from './associationTypes.js';

export interface SessionHooks {
  deliver(streamId: number, ppid: number, data: Buffer): void;
  incomingReset(streams: number[]): void;
  outgoingReset(streams: number[], result: number): void;
  drop(reason: DropReason): void;
  control(chunk: Chunk): void;
  flush(): void;
  pathFailure(why: string): void;
  /** Sends ABORT with this cause and ends the association (a protocol violation by the peer). */
  abort(cause: Tlv, why: string): void;
  /** Everything sent has been acknowledged (drives graceful shutdown). */
  onIdle(): void;
}

/**
 * The data-transfer half of an established association: both TSN spaces,
 * SACK generation and processing, the T3-rtx, delayed-SACK, heartbeat and
 * reconfiguration timers, and the error counter that detects a dead peer
 * (RFC 9260 §6, §8). The handshake and shutdown states live in
 * SctpAssociation, which creates one session per association.
 */
export class PeerSession {
  readonly sender: Sender;
  readonly tracker: TsnTracker;
  readonly reassembly: Reassembly;
  readonly reset: StreamReset;
  readonly outboundStreams: number;
  readonly inboundStreams: number;
  readonly peerForwardTsn: boolean;
  readonly peerReconfig: boolean;
  /** Our DATA / SACK packets may carry a zero checksum (both sides announced RFC 9653). */
  readonly zeroChecksum: boolean;
  private readonly clock: Clock;
  private readonly t3: TimerSlot;
  private readonly sackTimer: TimerSlot;
  private readonly hbTimer: TimerSlot;
  private readonly reconfigTimer: TimerSlot;
  /** §8.3 error counter: consecutive T3 / T2 / heartbeat / reconfig timeouts. */
  private errorCount = 0;
  private sackNeeded = false;
  private sackNow = false;
  private readonly sackPolicy: SackPolicy;
  private dataInPacket = false;
  private forwardTsnNeeded = false;
  private hbNonce: Buffer | undefined;
  private disposed = false;

  constructor(
    private readonly o: ResolvedOptions,
    c: CookieContents,
    private readonly hooks: SessionHooks,
  ) {
    this.clock = o.clock;
    this.outboundStreams = c.outboundStreams;
    this.inboundStreams = c.inboundStreams;
    this.peerForwardTsn = c.peerForwardTsn;
    this.peerReconfig = c.peerReconfig;
    this.zeroChecksum = c.peerZeroChecksum && o.zeroChecksum;
    this.sender = new Sender(c.localInitialTsn, c.peerARwnd, o.mtu, o.rto, o.initialCwndPackets);
    this.tracker = new TsnTracker(c.peerInitialTsn);
    this.reassembly = new Reassembly(hooks.deliver);
    this.reset = new StreamReset(c.localInitialTsn, c.peerInitialTsn, {
      lastAssignedTsn: () => this.sender.lastAssignedTsn,
      hasPendingData: (id) => this.sender.hasPendingOn(id),
      cumTsn: () => this.tracker.cumTsn,
      incomingReset: (ids) => {
        this.reassembly.resetStreams(ids);
        hooks.incomingReset(ids);
      },
      outgoingReset: (ids, result) => {
        for (const id of ids) this.sender.resetStreamSsn(id);
        hooks.outgoingReset(ids, result);
      },
    });
    this.t3 = new TimerSlot(this.clock, () => this.onT3());
    this.sackPolicy = new SackPolicy(o.sackFrequency);
    this.sackTimer = new TimerSlot(this.clock, () => {
      this.sackPolicy.onDelayedSackTimeout();
      this.sackNeeded = true;
      this.hooks.flush();
    });
    this.hbTimer = new TimerSlot(this.clock, () => this.onHeartbeatTimer());
    this.reconfigTimer = new TimerSlot(this.clock, () => {
      if (!this.countError()) return;
      this.sender.rto.backoff();
      this.reset.onTimeout();
      this.hooks.flush();
    });
  }

  dispose(): void {
    this.disposed = true;
    this.t3.cancel();
    this.sackTimer.cancel();
    this.hbTimer.cancel();
    this.reconfigTimer.cancel();
  }

  /** Counts a timeout; returns false (after reporting path failure) once the limit is passed. */
  countError(): boolean {
    if (++this.errorCount > this.o.maxRetransmits) {
      this.hooks.pathFailure(`${this.errorCount} consecutive timeouts`);
      return false;
    }
    return true;
  }

  // ---- receiving DATA, sending SACK (§6.2, §6.7) ----

  onData(c: DataChunk): void {
    this.dataInPacket = true;
    if (c.userData.length === 0) {
      // §6.2: a DATA chunk without user data is answered with ABORT, cause "No User Data".
      this.hooks.drop('noUserData');
      const v = Buffer.alloc(4);
      v.writeUInt32BE(c.tsn);
      this.hooks.abort({ type: CauseCode.NO_USER_DATA, value: v }, `peer sent DATA chunk TSN ${c.tsn} without user data`);
      return;
    }
    if (c.streamId >= this.inboundStreams) {
      this.hooks.drop('invalidStream');
      this.hooks.control({ type: ChunkType.ERROR, causes: [invalidStreamCause(c.streamId)] });
      // §6.5: the TSN is still acknowledged.
      if (this.tracker.classify(c.tsn) === 'new') this.tracker.receive(c.tsn);
      this.sackNow = true;
      return;
    }
    const kind = this.tracker.classify(c.tsn);
    if (kind === 'duplicate') {
      this.hooks.drop('duplicateTsn');
      this.tracker.noteDuplicate(c.tsn);
      this.sackNow = true;
      return;
    }
    if (kind === 'too-far') {
      this.hooks.drop('tsnTooFar');
      return;
    }
    // §6.2: without buffer space, drop everything except the chunk that fills the first
    // hole (it can release what waits behind it). In-order data past a full window is
    // dropped too: it can only grow an incomplete message.
    if (
      this.reassembly.bytesBuffered + c.userData.length + PIECE_OVERHEAD > this.o.receiveWindow &&
      !(this.tracker.hasGaps && c.tsn === ((this.tracker.cumTsn + 1) >>> 0))
    ) {
      this.hooks.drop('receiveWindowFull');
      this.sackNow = true;
      return;
    }
    const hadGaps = this.tracker.hasGaps;
    const advanced = this.tracker.receive(c.tsn);
    // §6.7: report a new gap at once, and also the packet that fills one.
    if (!advanced || hadGaps) this.sackNow = true;
    if (c.immediate) this.sackNow = true; // RFC 7053
    this.reassembly.add(c);
    if (advanced) this.reset.onCumAdvanced();
  }

  /** Called after each received packet: decides between immediate and delayed SACK (§6.2). */
  afterPacket(): void {
    if (this.dataInPacket) {
      this.dataInPacket = false;
      const due = this.sackPolicy.onDataPacket();
      if (this.sackNow || due || this.o.sackDelayMs === 0) this.sackNeeded = true;
      else this.sackTimer.ensure(this.o.sackDelayMs);
    } else if (this.sackNow) this.sackNeeded = true;
    this.sackNow = false;
  }

  private buildSack(room: number): SackChunk {
    const dups = this.tracker.takeDuplicates();
    const maxBlocks = Math.max(1, Math.min(128, Math.floor((room - 16 - 4 * dups.length) / 4)));
    return {
      type: ChunkType.SACK,
      cumTsnAck: this.tracker.cumTsn,
      aRwnd: Math.max(0, this.o.receiveWindow - this.reassembly.bytesBuffered),
      gapBlocks: this.tracker.gapBlocks(maxBlocks),
      duplicateTsns: dups,
    };
  }

  /** RFC 3758 §3.6 receiver side. */
  onForwardTsn(c: ForwardTsnChunk): void {
    if (this.tracker.forward(c.newCumulativeTsn)) this.reset.onCumAdvanced();
    this.reassembly.forward(c.newCumulativeTsn, c.streams);
    this.sackNow = true;
  }

  // ---- SACK processing and retransmission (§6.2.1, §6.3) ----

  onSack(c: SackChunk): void {
    const r = this.sender.handleSack(c, this.clock.now());
    if (r.cumAdvanced) {
      this.errorCount = 0; // §8.3
      // §6.3.2 R3: restart T3 with the current RTO when the earliest outstanding TSN is acked.
      if (this.sender.hasInFlight) this.t3.start(this.sender.rto.rto);
      else this.t3.stop();
    }
    if (this.sender.needsForwardTsn) this.forwardTsnNeeded = true;
    if (this.sender.idle) this.hooks.onIdle();
  }

  private onT3(): void {
    if (this.disposed) return;
    if (!this.sender.hasInFlight && !this.sender.needsForwardTsn) return;
    if (!this.countError()) return;
    this.sender.onT3Expired(this.clock.now());
    if (this.sender.needsForwardTsn) this.forwardTsnNeeded = true;
    this.t3.start(this.sender.rto.rto);
    this.hooks.flush();
  }

  /** Bundles SACK, FORWARD TSN and RE-CONFIG ahead of DATA (§6.10). */
  writeControl(pb: PacketBuilder): void {
    if (this.sackNeeded) {
      this.sackNeeded = false;
      this.sackPolicy.onSackSent();
      this.sackTimer.stop();
      const sack = this.buildSack(pb.empty ? this.o.mtu - 12 : pb.room);
      if (!pb.put(sack)) this.hooks.control(sack);
    }
    if (this.forwardTsnNeeded && this.peerForwardTsn) {
      this.forwardTsnNeeded = false;
      if (this.sender.needsForwardTsn) {
        const fwd = this.sender.forwardTsnChunk();
        if (!pb.put(fwd)) this.hooks.control(fwd);
        this.t3.ensure(this.sender.rto.rto);
      }
    }
    const rc = this.reset.takeChunk();
    if (rc && !pb.put(rc)) this.hooks.control(rc);
  }

  /** Writes DATA chunks from `off` up to `end`; returns the new offset. */
  /** Writes DATA chunks into `buf` from `off` up to `end`; `now` is the transmit time (clock ms). */
  writeData(buf: Buffer, off: number, end: number, now: number): number {
    let last = -1;
    for (;;) {
      const c = this.sender.nextChunk(end - off, now);
      if (!c) break;
      const len = 16 + c.data.length;
      const m = c.msg;
      buf[off] = ChunkType.DATA;
      buf[off + 1] = (m.unordered ? 4 : 0) | (c.beginning ? 2 : 0) | (c.ending ? 1 : 0);
      buf.writeUInt16BE(len, off + 2);
      buf.writeUInt32BE(c.tsn, off + 4);
      buf.writeUInt16BE(m.streamId, off + 8);
      buf.writeUInt16BE(m.ssn, off + 10);
      buf.writeUInt32BE(c.ppid, off + 12);
      c.data.copy(buf, off + 16);
      const padded = pad4(len);
      if (padded > len) buf.fill(0, off + len, off + padded);
      this.sender.onTransmit(c, now);
      last = off;
      off += padded;
    }
    // RFC 7053: ask for an immediate SACK when we have nothing more to send.
    if (last >= 0 && this.sender.drainedAfterPacket) buf[last + 1]! |= 8;
    return off;
  }

  /** Timer upkeep after packets went out (§6.3.2 R1, RFC 6525 §5.1.1). */
  afterFlush(): void {
    if (this.disposed) return;
    if (this.sender.hasInFlight) this.t3.ensure(this.sender.rto.rto);
    else if (!this.sender.needsForwardTsn) this.t3.stop();
    if (this.reset.awaitingResponse) this.reconfigTimer.ensure(this.sender.rto.rto);
    else this.reconfigTimer.stop();
  }

  // ---- heartbeats (§8.3) ----

  startHeartbeats(): void {
    if (this.o.heartbeatIntervalMs > 0) this.hbTimer.start(this.o.heartbeatIntervalMs);
  }

  private onHeartbeatTimer(): void {
    if (this.disposed) return;
    if (this.hbNonce) {
      // The last HEARTBEAT went unanswered for an RTO.
      if (!this.countError()) return;
      this.sender.rto.backoff();
    } else if (this.sender.hasInFlight) {
      // T3 already probes the path while data is outstanding.
      this.hbTimer.start(this.o.heartbeatIntervalMs);
      return;
    }
    const info = Buffer.alloc(16);
    randomBytes(8).copy(info, 0);
    info.writeDoubleBE(this.clock.now(), 8);
    this.hbNonce = info.subarray(0, 8);
    this.hooks.control({ type: ChunkType.HEARTBEAT, info });
    this.hbTimer.start(this.sender.rto.rto);
    this.hooks.flush();
  }

  onHeartbeatAck(info: Buffer): void {
    if (!this.hbNonce || info.length !== 16 || !info.subarray(0, 8).equals(this.hbNonce)) return;
    this.hbNonce = undefined;
    this.errorCount = 0;
    this.sender.rto.measure(this.clock.now() - info.readDoubleBE(8));
    this.hbTimer.start(this.o.heartbeatIntervalMs);
  }
}

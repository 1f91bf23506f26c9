import { Counters, ParseError, TypedEmitter, createLogger, reportError, type Clock } from '@rivulet/common';
import { describeCauses, protocolViolationCause, staleCookieCause, userInitiatedAbortCause } from './chunks/error.js';
import { forwardTsnSupportedParam, peerExtensions, stateCookieParam, supportedExtensionsParam } from './chunks/init.js';
import { findTlv } from './chunks/tlv.js';
import {
  ChunkType,
  ParamType,
  type Chunk,
  type CookieEchoChunk,
  type DataChunk,
  type InitChunk,
  type SackChunk,
} from './chunks/types.js';
import { CookieSigner, type CookieContents } from './cookie.js';
import { resolveOptions, type ResolvedOptions, type SctpAssociationOptions } from './options.js';
import { PacketBuilder } from './packetBuilder.js';
import { COMMON_HEADER_LENGTH, parsePacket, serializePacket, verifyChecksum } from './packet.js';
import { PeerSession } from './session.js';
import { TimerSlot } from './timer.js';
import type { SendOptions } from './sender.js';

const log = createLogger('sctp');

/** RFC 9260 §4 association states (CLOSED also after the end of an association). */
export type AssociationState =
  | 'closed'
  | 'cookie-wait'
  | 'cookie-echoed'
  | 'established'
  | 'shutdown-pending'
  | 'shutdown-sent'
  | 'shutdown-received'
  | 'shutdown-ack-sent';

export interface AssociationEvents {
  statechange: [state: AssociationState];
  established: [];
  /** The association ended; `reason` is set when it did not end by a clean shutdown. */
  closed: [reason: string | undefined];
  /** The peer aborted, the peer was declared unreachable, or the handshake failed. */
  error: [error: Error];
  message: [streamId: number, ppid: number, data: Buffer];
  /** Our Outgoing SSN Reset Request for these streams was answered (RFC 6525 §5.1.2). */
  outgoingStreamsReset: [streams: number[]];
  /** The peer reset its outgoing streams, i.e. our incoming ones (RFC 6525 §5.2.2). */
  incomingStreamsReset: [streams: number[]];
  /** The unsent bytes queued on a stream went down (sent for the first time, or abandoned). */
  bufferedAmountDecrease: [streamId: number, bufferedAmount: number];
}

export type DropReason =
  | 'badChecksum'
  | 'malformed'
  | 'badPort'
  | 'badVerificationTag'
  | 'outOfTheBlue'
  | 'unexpectedChunk'
  | 'badCookie'
  | 'staleCookie'
  | 'cookieTagMismatch'
  | 'duplicateTsn'
  | 'tsnTooFar'
  | 'receiveWindowFull'
  | 'noUserData'
  | 'invalidStream'
  | 'unknownChunk'
  | 'internalError';

const CONNECTED = new Set<AssociationState>(['established', 'shutdown-pending', 'shutdown-sent', 'shutdown-received', 'shutdown-ack-sent']);

/**
 * An SCTP association (RFC 9260) as a sans-IO core: packets in through
 * handlePacket(), packets out through the send callback, time from a Clock.
 * One destination address (WebRTC runs SCTP over one DTLS connection), so
 * there is no multi-homing, path selection or address parameters.
 */
export class SctpAssociation extends TypedEmitter<AssociationEvents> {
  readonly drops = new Counters<DropReason>();
  private readonly o: ResolvedOptions;
  private readonly clock: Clock;
  private readonly cookies: CookieSigner;
  private _state: AssociationState = 'closed';
  private ended = false;
  private started = false;
  private localTag = 0;
  private localInitialTsn = 0;
  private peerTag = 0;
  private session: PeerSession | undefined;
  private initChunk: InitChunk | undefined;
  private cookieEcho: CookieEchoChunk | undefined;
  private t1Rto = 0;
  private t1Count = 0;
  private readonly t1: TimerSlot;
  private readonly t2: TimerSlot;
  private t2Chunk: Chunk | undefined;
  private readonly control: Chunk[] = [];
  private flushScheduled = false;
  private readonly flushTimer: TimerSlot;
  private readonly builder: PacketBuilder;
  packetsSent = 0;
  packetsReceived = 0;

  constructor(options: SctpAssociationOptions) {
    super();
    this.o = resolveOptions(options);
    this.clock = this.o.clock;
    this.cookies = new CookieSigner(this.o.cookieSecret);
    this.builder = new PacketBuilder(this.o.mtu);
    this.t1 = new TimerSlot(this.clock, () => this.onT1());
    this.t2 = new TimerSlot(this.clock, () => this.onT2());
    this.flushTimer = new TimerSlot(this.clock, () => {
      this.flushScheduled = false;
      this.flush();
    });
  }

  get state(): AssociationState {
    return this._state;
  }

  get mtu(): number {
    return this.o.mtu;
  }

  /** Streams usable for sending: min(our offer, the peer's inbound streams); 0 before the handshake. */
  get outboundStreams(): number {
    return this.session?.outboundStreams ?? 0;
  }

  get inboundStreams(): number {
    return this.session?.inboundStreams ?? 0;
  }

  /** Whether the peer supports RFC 3758 partial reliability. */
  get peerSupportsForwardTsn(): boolean {
    return this.session?.peerForwardTsn ?? false;
  }

  /** Whether the peer supports RFC 6525 stream reset. */
  get peerSupportsReconfig(): boolean {
    return this.session?.peerReconfig ?? false;
  }

  bufferedAmount(streamId: number): number {
    return this.session?.sender.bufferedAmount(streamId) ?? 0;
  }

  /** Congestion and retransmission state, for getStats and tests. */
  get stats(): {
    rtoMs: number;
    srttMs: number | undefined;
    cwnd: number;
    ssthresh: number;
    flightSize: number;
    peerRwnd: number;
    retransmissions: number;
    abandonedMessages: number;
    packetsSent: number;
    packetsReceived: number;
  } {
    const s = this.session?.sender;
    return {
      rtoMs: s?.rto.rto ?? this.o.rto.initialMs,
      srttMs: s?.rto.srtt,
      cwnd: s?.cc.cwnd ?? 0,
      ssthresh: s?.cc.ssthresh ?? 0,
      flightSize: s?.flightSize ?? 0,
      peerRwnd: s?.peerRwnd ?? 0,
      retransmissions: s?.retransmissions ?? 0,
      abandonedMessages: s?.abandonedMessages ?? 0,
      packetsSent: this.packetsSent,
      packetsReceived: this.packetsReceived,
    };
  }

  private setState(s: AssociationState): void {
    if (this._state === s) return;
    log.debug('state %s -> %s', this._state, s);
    this._state = s;
    this.emit('statechange', s);
  }

  /** Sends INIT (RFC 9260 §5.1 A). Both WebRTC peers call this; collisions are handled (§5.2). */
  start(): void {
    if (this.ended) throw new Error('SctpAssociation.start(): the association has ended; create a new one');
    if (this.started || this._state !== 'closed') {
      throw new Error(`SctpAssociation.start(): already started (state '${this._state}')`);
    }
    this.started = true;
    this.localTag = this.nonZeroRandom();
    this.localInitialTsn = this.o.random() >>> 0;
    this.initChunk = this.makeInit(1, this.localTag, this.localInitialTsn);
    this.t1Rto = this.o.rto.initialMs;
    this.t1Count = 0;
    this.setState('cookie-wait');
    this.sendSingle(0, this.initChunk);
    this.t1.start(this.t1Rto);
  }

  /** Queues a user message (RFC 9260 §10.1 E SEND). Throws on misuse. */
  sendMessage(streamId: number, ppid: number, data: Uint8Array, options: SendOptions = {}): void {
    const s = this.session;
    if (!s || (this._state !== 'established' && this._state !== 'shutdown-pending' && this._state !== 'shutdown-received')) {
      throw new Error(`SctpAssociation.sendMessage(): cannot send in state '${this._state}'`);
    }
    if (this._state !== 'established') {
      throw new Error(`SctpAssociation.sendMessage(): the association is shutting down (state '${this._state}')`);
    }
    if (!Number.isInteger(streamId) || streamId < 0 || streamId >= s.outboundStreams) {
      throw new RangeError(`SctpAssociation.sendMessage(): stream id ${streamId} is outside [0, ${s.outboundStreams - 1}]`);
    }
    if (data.length === 0) {
      throw new RangeError('SctpAssociation.sendMessage(): SCTP cannot carry an empty message (RFC 9260 §6.2); send one byte with an "empty" PPID');
    }
    const buf = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    const pr = s.peerForwardTsn ? options : { unordered: options.unordered, excludeFromBufferedAmount: options.excludeFromBufferedAmount };
    s.sender.enqueue(streamId, ppid >>> 0, buf, pr, this.clock.now());
    this.scheduleFlush();
  }

  /** Starts an outgoing stream reset (RFC 6525 §5.1.2) for these streams. */
  resetStreams(streamIds: readonly number[]): void {
    const s = this.session;
    if (!s || !CONNECTED.has(this._state)) {
      throw new Error(`SctpAssociation.resetStreams(): no association (state '${this._state}')`);
    }
    for (const id of streamIds) {
      if (!Number.isInteger(id) || id < 0 || id >= s.outboundStreams) {
        throw new RangeError(`SctpAssociation.resetStreams(): stream id ${id} is outside [0, ${s.outboundStreams - 1}]`);
      }
    }
    if (!s.peerReconfig) {
      // Without RE-CONFIG support the peer cannot learn of the reset; report it done locally.
      for (const id of streamIds) s.sender.resetStreamSsn(id);
      this.emit('outgoingStreamsReset', [...streamIds]);
      return;
    }
    s.reset.request(streamIds);
    this.scheduleFlush();
  }

  /** Graceful shutdown (RFC 9260 §9.2): sends what is queued, then SHUTDOWN. */
  close(): void {
    if (this.ended) return;
    if (this._state === 'established') {
      this.setState('shutdown-pending');
      this.maybeShutdown();
      this.flush();
    } else if (!CONNECTED.has(this._state)) {
      this.end(undefined);
    }
  }

  /** Sends ABORT (RFC 9260 §9.1) and ends the association at once. */
  abort(reason = 'aborted by the application'): void {
    if (this.ended) return;
    if (this.peerTag !== 0) {
      this.sendSingle(this.peerTag, { type: ChunkType.ABORT, reflected: false, causes: [userInitiatedAbortCause(reason)] });
    }
    this.end(reason);
  }

  /** Feeds one received SCTP packet. Malformed input is dropped and counted, never thrown. */
  handlePacket(packet: Buffer): void {
    if (this.ended) return;
    try {
      this.receive(packet);
    } catch (err) {
      if (err instanceof ParseError) {
        this.drops.inc('malformed');
        log.debug('malformed packet: %s', err.message);
      } else {
        this.drops.inc('internalError');
        reportError(err, 'SctpAssociation.handlePacket');
      }
    }
    if (!this.ended) this.flush();
  }

  private receive(packet: Buffer): void {
    if (packet.length < COMMON_HEADER_LENGTH + 4) throw new ParseError(`SCTP packet of ${packet.length} bytes`);
    if (!verifyChecksum(packet)) {
      this.drops.inc('badChecksum');
      return;
    }
    const p = parsePacket(packet);
    if (p.destinationPort !== this.o.localPort || p.sourcePort !== this.o.remotePort) {
      this.drops.inc('badPort');
      return;
    }
    this.packetsReceived++;
    const first = p.chunks[0]!.chunk;
    // §8.5.1: INIT travels alone with tag 0; ABORT and SHUTDOWN COMPLETE may carry a reflected tag.
    if (first.type === ChunkType.INIT) {
      if (p.chunks.length !== 1 || p.verificationTag !== 0) {
        this.drops.inc('malformed');
        return;
      }
      this.onInit(first);
      return;
    }
    if (first.type === ChunkType.COOKIE_ECHO) {
      // The tag is checked against the cookie's contents (§5.1.5).
      if (!this.onCookieEcho(first, p.verificationTag)) return;
    } else if ((first.type === ChunkType.ABORT || first.type === ChunkType.SHUTDOWN_COMPLETE) && first.reflected) {
      if (this.peerTag === 0 || p.verificationTag !== this.peerTag) {
        this.drops.inc('badVerificationTag');
        return;
      }
    } else if (this.localTag === 0 || p.verificationTag !== this.localTag) {
      this.drops.inc(this.localTag === 0 ? 'outOfTheBlue' : 'badVerificationTag');
      return;
    }
    for (let i = first.type === ChunkType.COOKIE_ECHO ? 1 : 0; i < p.chunks.length && !this.ended; i++) {
      const { chunk, raw } = p.chunks[i]!;
      this.dispatch(chunk, raw);
    }
    this.session?.afterPacket();
  }

  private dispatch(c: Chunk, raw: Buffer): void {
    switch (c.type) {
      case ChunkType.DATA:
        return this.onData(c);
      case ChunkType.SACK:
        return this.onSack(c);
      case ChunkType.INIT_ACK:
        return this.onInitAck(c);
      case ChunkType.COOKIE_ACK:
        if (this._state === 'cookie-echoed') this.establish();
        return;
      case ChunkType.HEARTBEAT:
        if (this.session) this.control.push({ type: ChunkType.HEARTBEAT_ACK, info: Buffer.from(c.info) });
        return;
      case ChunkType.HEARTBEAT_ACK:
        this.session?.onHeartbeatAck(c.info);
        return;
      case ChunkType.ABORT: {
        const why = describeCauses(c.causes) || 'no cause given';
        this.end(`peer aborted the association: ${why}`, new Error(`SCTP association aborted by the peer: ${why}`));
        return;
      }
      case ChunkType.SHUTDOWN:
        return this.onShutdown(c.cumTsnAck);
      case ChunkType.SHUTDOWN_ACK:
        if (this._state === 'shutdown-sent' || this._state === 'shutdown-ack-sent') {
          this.sendSingle(this.peerTag, { type: ChunkType.SHUTDOWN_COMPLETE, reflected: false });
          this.end(undefined);
        } else this.drops.inc('unexpectedChunk');
        return;
      case ChunkType.SHUTDOWN_COMPLETE:
        if (this._state === 'shutdown-ack-sent') this.end(undefined);
        else this.drops.inc('unexpectedChunk');
        return;
      case ChunkType.ERROR:
        log.warn('peer reported: %s', describeCauses(c.causes));
        return;
      case ChunkType.FORWARD_TSN:
        if (this.session && CONNECTED.has(this._state)) this.session.onForwardTsn(c);
        else this.drops.inc('unexpectedChunk');
        return;
      case ChunkType.RECONFIG:
        if (this.session && CONNECTED.has(this._state)) this.session.reset.handle(c);
        else this.drops.inc('unexpectedChunk');
        return;
      case ChunkType.INIT:
      case ChunkType.COOKIE_ECHO:
        this.drops.inc('malformed'); // only legal first in a packet
        return;
      case 'unknown':
        return this.onUnknown(c.code, raw);
    }
  }

  /** §3.2: the two high bits of an unknown chunk type say whether to skip it and whether to report it. */
  private onUnknown(code: number, raw: Buffer): void {
    this.drops.inc('unknownChunk');
    if (code & 0x40) {
      this.control.push({ type: ChunkType.ERROR, causes: [{ type: 6, value: Buffer.from(raw) }] });
    }
    if ((code & 0x80) === 0) throw new ParseError(`unknown chunk type ${code} stops packet processing`);
  }

  // ---- handshake (RFC 9260 §5) ----

  private nonZeroRandom(): number {
    for (let i = 0; i < 16; i++) {
      const v = this.o.random() >>> 0;
      if (v !== 0) return v;
    }
    return 1;
  }

  private makeInit(type: 1 | 2, tag: number, tsn: number, cookie?: Buffer): InitChunk {
    const params = [forwardTsnSupportedParam(), supportedExtensionsParam([ChunkType.RECONFIG, ChunkType.FORWARD_TSN])];
    if (cookie) params.unshift(stateCookieParam(cookie));
    return {
      type,
      initiateTag: tag,
      aRwnd: this.o.receiveWindow,
      outboundStreams: this.o.streams,
      inboundStreams: this.o.streams,
      initialTsn: tsn,
      params,
    };
  }

  /** §5.1 B (stateless answer with a signed cookie) and §5.2.1 (INIT in COOKIE-WAIT/ECHOED). */
  private onInit(init: InitChunk): void {
    let tag: number;
    let tsn: number;
    if (this._state === 'closed' && !this.started) {
      tag = this.nonZeroRandom();
      tsn = this.o.random() >>> 0;
    } else if (this._state === 'cookie-wait' || this._state === 'cookie-echoed') {
      // §5.2.1: answer with the parameters of our own INIT, tag unchanged.
      tag = this.localTag;
      tsn = this.localInitialTsn;
    } else {
      // §5.2.2 would start a restart; WebRTC never restarts an association over one DTLS connection.
      this.drops.inc('unexpectedChunk');
      return;
    }
    const ext = peerExtensions(init);
    const cookie = this.cookies.sign({
      createdAt: this.clock.now(),
      localTag: tag,
      localInitialTsn: tsn,
      peerTag: init.initiateTag,
      peerInitialTsn: init.initialTsn,
      peerARwnd: init.aRwnd,
      outboundStreams: Math.min(this.o.streams, init.inboundStreams),
      inboundStreams: Math.min(this.o.streams, init.outboundStreams),
      peerForwardTsn: ext.forwardTsn,
      peerReconfig: ext.reconfig,
    });
    this.sendSingle(init.initiateTag, this.makeInit(2, tag, tsn, cookie));
  }

  /** §5.1 C: INIT ACK in COOKIE-WAIT → COOKIE ECHO. */
  private onInitAck(ack: InitChunk): void {
    if (this._state !== 'cookie-wait') {
      this.drops.inc('unexpectedChunk');
      return;
    }
    const cookie = findTlv(ack.params, ParamType.STATE_COOKIE);
    if (!cookie) throw new ParseError('INIT ACK without a State Cookie parameter');
    const ext = peerExtensions(ack);
    this.peerTag = ack.initiateTag;
    this.session = this.newSession({
      createdAt: this.clock.now(),
      localTag: this.localTag,
      localInitialTsn: this.localInitialTsn,
      peerTag: ack.initiateTag,
      peerInitialTsn: ack.initialTsn,
      peerARwnd: ack.aRwnd,
      outboundStreams: Math.min(this.o.streams, ack.inboundStreams),
      inboundStreams: Math.min(this.o.streams, ack.outboundStreams),
      peerForwardTsn: ext.forwardTsn,
      peerReconfig: ext.reconfig,
    });
    this.cookieEcho = { type: ChunkType.COOKIE_ECHO, cookie: Buffer.from(cookie.value) };
    this.t1.stop();
    this.t1Rto = this.o.rto.initialMs;
    this.t1Count = 0;
    this.setState('cookie-echoed');
    this.control.unshift(this.cookieEcho);
    this.t1.start(this.t1Rto);
  }

  /** §5.1 D and §5.2.4: returns whether the rest of the packet may be processed. */
  private onCookieEcho(echo: CookieEchoChunk, vtag: number): boolean {
    const c = this.cookies.verify(echo.cookie);
    if (!c) {
      this.drops.inc('badCookie');
      return false;
    }
    if (vtag !== c.localTag) {
      this.drops.inc('badVerificationTag');
      return false;
    }
    const age = this.clock.now() - c.createdAt;
    if (age > this.o.cookieLifetimeMs) {
      this.drops.inc('staleCookie');
      this.sendSingle(c.peerTag, { type: ChunkType.ERROR, causes: [staleCookieCause((age - this.o.cookieLifetimeMs) * 1000)] });
      return false;
    }
    if (this._state === 'closed' && !this.started) {
      this.localTag = c.localTag;
      this.localInitialTsn = c.localInitialTsn;
    } else if (c.localTag !== this.localTag) {
      // §5.2.4 A/C: a restart or a stale cookie from another association; we do not restart.
      this.drops.inc('cookieTagMismatch');
      return false;
    }
    if (CONNECTED.has(this._state)) {
      // §5.2.4 D: our COOKIE ACK was lost; repeat it.
      if (c.peerTag !== this.peerTag) {
        this.drops.inc('cookieTagMismatch');
        return false;
      }
      this.control.push({ type: ChunkType.COOKIE_ACK });
      return true;
    }
    // Closed (listening), COOKIE-WAIT or COOKIE-ECHOED: §5.2.4 B/D, take the peer from the cookie.
    this.peerTag = c.peerTag;
    this.session = this.newSession(c);
    this.control.push({ type: ChunkType.COOKIE_ACK });
    this.establish();
    return true;
  }

  private newSession(c: CookieContents): PeerSession {
    this.session?.dispose();
    return new PeerSession(this.o, c, {
      deliver: (streamId, ppid, data) => this.emit('message', streamId, ppid, data),
      incomingReset: (ids) => this.emit('incomingStreamsReset', ids),
      outgoingReset: (ids, result) => {
        if (result > 1) this.emit('error', new Error(`SCTP peer refused to reset streams ${ids.join(',')} (result ${result})`));
        this.emit('outgoingStreamsReset', ids);
      },
      drop: (reason) => this.drops.inc(reason),
      control: (chunk) => this.control.push(chunk),
      flush: () => this.flush(),
      pathFailure: (why) => this.pathFailure(why),
      onIdle: () => this.maybeShutdown(),
    });
  }

  private establish(): void {
    this.t1.stop();
    this.cookieEcho = undefined;
    this.initChunk = undefined;
    this.setState('established');
    this.session!.startHeartbeats();
    this.emit('established');
  }

  private onT1(): void {
    if (++this.t1Count > this.o.maxInitRetransmits) {
      this.end('handshake timed out', new Error(`SCTP handshake timed out after ${this.o.maxInitRetransmits} retransmissions`));
      return;
    }
    this.t1Rto = Math.min(this.t1Rto * 2, this.o.rto.maxMs);
    if (this._state === 'cookie-wait' && this.initChunk) this.sendSingle(0, this.initChunk);
    else if (this._state === 'cookie-echoed' && this.cookieEcho) {
      this.control.unshift(this.cookieEcho);
      this.flush();
    } else return;
    this.t1.start(this.t1Rto);
  }

  // ---- data and shutdown ----

  private onData(c: DataChunk): void {
    const s = this.session;
    if (!s || !(this._state === 'established' || this._state === 'shutdown-pending' || this._state === 'shutdown-sent')) {
      this.drops.inc('unexpectedChunk');
      return;
    }
    s.onData(c);
  }

  private onSack(c: SackChunk): void {
    const s = this.session;
    if (!s || !CONNECTED.has(this._state)) {
      this.drops.inc('unexpectedChunk');
      return;
    }
    s.onSack(c);
  }

  private onShutdown(cumTsnAck: number): void {
    const s = this.session;
    if (!s) return;
    if (this._state === 'established' || this._state === 'shutdown-pending') {
      s.onSack({ type: ChunkType.SACK, cumTsnAck, aRwnd: s.sender.peerRwnd + s.sender.flightSize, gapBlocks: [], duplicateTsns: [] });
      this.setState('shutdown-received');
      this.maybeShutdown();
    } else if (this._state === 'shutdown-sent') {
      // §9.2: both sides shut down at once; answer with SHUTDOWN ACK.
      this.startT2({ type: ChunkType.SHUTDOWN_ACK });
      this.setState('shutdown-ack-sent');
    }
  }

  /** §9.2: once everything we sent is acknowledged, move to the next shutdown step. */
  private maybeShutdown(): void {
    const s = this.session;
    if (!s || !s.sender.idle) return;
    if (this._state === 'shutdown-pending') {
      this.startT2({ type: ChunkType.SHUTDOWN, cumTsnAck: s.tracker.cumTsn });
      this.setState('shutdown-sent');
    } else if (this._state === 'shutdown-received') {
      this.startT2({ type: ChunkType.SHUTDOWN_ACK });
      this.setState('shutdown-ack-sent');
    }
  }

  private startT2(chunk: Chunk): void {
    this.t2Chunk = chunk;
    this.control.push(chunk);
    this.t2.start(this.session!.sender.rto.rto);
  }

  private onT2(): void {
    const s = this.session;
    if (!s || !this.t2Chunk) return;
    if (!s.countError()) return;
    s.sender.rto.backoff();
    if (this.t2Chunk.type === ChunkType.SHUTDOWN) this.t2Chunk = { type: ChunkType.SHUTDOWN, cumTsnAck: s.tracker.cumTsn };
    this.control.push(this.t2Chunk);
    this.t2.start(s.sender.rto.rto);
    this.flush();
  }

  private pathFailure(why: string): void {
    const reason = `peer unreachable: ${why} (Association.Max.Retrans ${this.o.maxRetransmits} exceeded)`;
    if (this.peerTag !== 0) {
      this.sendSingle(this.peerTag, { type: ChunkType.ABORT, reflected: false, causes: [protocolViolationCause(reason)] });
    }
    this.end(reason, new Error(`SCTP ${reason}`));
  }

  private end(reason: string | undefined, error?: Error): void {
    if (this.ended) return;
    this.ended = true;
    this.t1.stop();
    this.t2.stop();
    this.flushTimer.stop();
    this.session?.dispose();
    this.setState('closed');
    if (error) this.emit('error', error);
    this.emit('closed', reason);
  }

  // ---- output ----

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    this.flushTimer.start(0);
  }

  private sendSingle(vtag: number, chunk: Chunk): void {
    this.packetsSent++;
    this.o.send(serializePacket({ sourcePort: this.o.localPort, destinationPort: this.o.remotePort, verificationTag: vtag }, [chunk]));
  }

  /**
   * Builds and sends packets until nothing more may go out (RFC 9260 §6.10
   * bundling): control chunks first, then SACK, FORWARD TSN, RE-CONFIG,
   * then DATA up to the MTU, as cwnd and the peer's rwnd allow.
   */
  flush(): void {
    if (this.ended) return;
    const s = this.session;
    const pb = this.builder;
    for (let guard = 0; guard < 100_000; guard++) {
      while (this.control.length > 0 && pb.put(this.control[0]!)) this.control.shift();
      if (s && this.peerTag !== 0) {
        s.writeControl(pb);
        if (this.dataAllowed() && s.sender.canSend()) pb.off = s.writeData(pb.ensure(), pb.off, this.o.mtu);
      }
      if (pb.empty) break;
      const packet = pb.finish(this.o.localPort, this.o.remotePort, this.peerTag);
      this.packetsSent++;
      s?.sender.endPacket();
      this.o.send(packet);
      if (this.ended) return;
    }
    if (s) {
      s.afterFlush();
      for (const id of s.sender.takeDrained()) this.emit('bufferedAmountDecrease', id, s.sender.bufferedAmount(id));
    }
  }

  private dataAllowed(): boolean {
    const st = this._state;
    return st === 'established' || st === 'shutdown-pending' || st === 'shutdown-received';
  }
}

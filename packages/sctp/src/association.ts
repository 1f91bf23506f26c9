import { Counters, ParseError, TypedEmitter, createLogger, reportError, type Clock } from '@rivulet/common';
import { describeCauses, protocolViolationCause, unrecognizedChunkCause, userInitiatedAbortCause } from './chunks/error.js';
import { CauseCode, ChunkType, type Chunk, type DataChunk, type SackChunk } from './chunks/types.js';
import type { CookieContents } from './cookie.js';
import { Handshake } from './handshake.js';
import { GracefulShutdown } from './shutdown.js';
import type { AssociationEvents, AssociationState, DropReason } from './associationTypes.js';
import { resolveOptions, type ResolvedOptions, type SctpAssociationOptions } from './options.js';
import { PacketBuilder } from './packetBuilder.js';
import { PAD_CHUNK_TYPE } from './chunks/pad.js';
import type { PlpmtudStats } from './pmtu/plpmtud.js';
import { PathMtu } from './pmtu/pathMtu.js';
import { probeChunks } from './pmtu/probe.js';
import { COMMON_HEADER_LENGTH, parsePacket, serializePacket, verifyChecksum } from './packet.js';
import { PeerSession } from './session.js';
import type { SendOptions } from './sender.js';

export type { AssociationState, AssociationEvents, DropReason } from './associationTypes.js';

const log = createLogger('sctp');

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
  /** The clock this association runs on (the data-channel layer schedules its events with it). */
  readonly clock: Clock;
  /**
   * Runs `fn` in a later task without a timer floor (options.defer: setImmediate on the real clock,
   * a zero-delay timer on any other): for events that must be asynchronous but not late.
   */
  defer(fn: () => void): void {
    this.o.defer(fn);
  }
  private _state: AssociationState = 'closed';
  private ended = false;
  private session: PeerSession | undefined;
  private readonly handshake: Handshake;
  private readonly shutdown: GracefulShutdown;
  private readonly control: Chunk[] = [];
  private flushScheduled = false;
  /** Inside handlePacket(): sends wait for its final flush. */
  private receiving = false;
  /** The coalescing flush scheduleFlush() hands to options.defer. */
  private readonly runScheduledFlush = (): void => {
    if (!this.flushScheduled) return;
    this.flushScheduled = false;
    this.flush();
  };
  private readonly builder: PacketBuilder;
  /** RFC 8899 PLPMTUD (src/pmtu/). */
  private readonly pmtu: PathMtu;
  /** The configured `mtu`: BASE_PLPMTU. */
  private readonly baseMtu: number;
  packetsSent = 0;
  packetsReceived = 0;
  /** Packets sent larger than the base MTU (PLPMTUD at work). */
  packetsOverBase = 0;

  constructor(options: SctpAssociationOptions) {
    super();
    this.o = resolveOptions(options);
    this.clock = this.o.clock;
    this.builder = new PacketBuilder(this.o.mtu, this.o.sendConsumesPacket);
    this.baseMtu = this.o.mtu;
    this.pmtu = new PathMtu(this.clock, this.o.mtu, this.o.plpmtud, this.o.random, {
      sendProbe: (size, info) => this.sendProbe(size, info),
      changed: (mtu) => this.setPacketSize(mtu),
      rtoMs: () => this.session?.sender.rto.rto ?? this.o.rto.initialMs,
      control: (chunk) => this.control.push(chunk),
      connected: () => this.session !== undefined,
    });
    const self = this;
    this.handshake = new Handshake(this.o, {
      get state() {
        return self._state;
      },
      get connected() {
        return CONNECTED.has(self._state);
      },
      setState: (st) => this.setState(st),
      sendSingle: (vtag, chunk) => this.sendSingle(vtag, chunk),
      control: (chunk, first) => (first ? this.control.unshift(chunk) : this.control.push(chunk)),
      flush: () => this.flush(),
      drop: (reason) => this.drops.inc(reason),
      adopt: (c) => {
        this.session = this.newSession(c);
      },
      establish: () => this.establish(),
      fail: (reason, error) => this.end(reason, error),
    });
    this.shutdown = new GracefulShutdown(this.clock, {
      get state() {
        return self._state;
      },
      get session() {
        return self.session;
      },
      setState: (st) => this.setState(st),
      control: (chunk) => this.control.push(chunk),
      flush: () => this.flush(),
    });

  }

  get state(): AssociationState {
    return this._state;
  }

  /** The current packet size: the configured `mtu`, or the PLPMTU that PLPMTUD confirmed. */
  get mtu(): number {
    return this.o.mtu;
  }

  /** RFC 8899 PLPMTUD state and counters; undefined when `plpmtud` is off. */
  get plpmtud(): PlpmtudStats | undefined {
    return this.pmtu.stats;
  }

  /**
   * Sets MAX_PLPMTU (bytes of SCTP packet), e.g. once the lower layer knows the interface MTU
   * (plpmtuCap()). Above the current PLPMTU it starts a search once established; below it the
   * packet size drops at once. Ignored when PLPMTUD is off.
   */
  setMaxPlpmtu(bytes: number, pathMax = bytes): void {
    this.pmtu.setMax(bytes, pathMax);
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

  /** Both sides announced RFC 9653 zero checksum: our DATA / SACK packets go without CRC-32c. */
  get zeroChecksum(): boolean {
    return this.session?.zeroChecksum ?? false;
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
    plpmtu: number;
    packetsOverBase: number;
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
      plpmtu: this.o.mtu,
      packetsOverBase: this.packetsOverBase,
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
    if (this.handshake.started || this._state !== 'closed') {
      throw new Error(`SctpAssociation.start(): already started (state '${this._state}')`);
    }
    this.handshake.start();
  }

  /**
   * Queues a user message (RFC 9260 §10.1 E SEND). Throws on misuse. Also accepted in COOKIE-ECHOED:
   * the first packet's worth travels bundled with the COOKIE ECHO (§5.1 C), the rest after the
   * COOKIE ACK (the data channel layer uses this to send DATA_CHANNEL_OPEN one trip earlier).
   */
  sendMessage(streamId: number, ppid: number, data: Uint8Array, options: SendOptions = {}): void {
    const s = this.session;
    if (!s || (this._state !== 'established' && this._state !== 'shutdown-pending' && this._state !== 'shutdown-received' && this._state !== 'cookie-echoed')) {
      throw new Error(`SctpAssociation.sendMessage(): cannot send in state '${this._state}'`);
    }
    if (this._state !== 'established' && this._state !== 'cookie-echoed') {
      throw new Error(`SctpAssociation.sendMessage(): the association is shutting down (state '${this._state}')`);
    }
    if (!Number.isInteger(streamId) || streamId < 0 || streamId >= s.outboundStreams) {
      throw new RangeError(`SctpAssociation.sendMessage(): stream id ${streamId} is outside [0, ${s.outboundStreams - 1}]`);
    }
    if (data.length === 0) {
      throw new RangeError('SctpAssociation.sendMessage(): SCTP cannot carry an empty message (RFC 9260 §6.2); send one byte with an "empty" PPID');
    }
    const buf = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    const pr: SendOptions = s.peerForwardTsn ? options : { ...options, maxRetransmits: undefined, maxLifetimeMs: undefined };
    const wasIdle = s.sender.idle;
    // The clock is read only when a lifetime needs it (performance.now() showed in profiles).
    s.sender.enqueue(streamId, ppid >>> 0, buf, pr, pr.maxLifetimeMs !== undefined ? this.clock.now() : 0);
    // Latency: a message sent to an idle association goes out at once. Anything sent
    // right behind it is coalesced until the current task ends (options.defer: setImmediate with
    // the real clock, a zero-delay timer with a fake one; bundling, §6.10); inside
    // handlePacket() the flush at its end bundles replies with our SACK.
    if (wasIdle && !this.receiving && !this.flushScheduled) this.flush();
    else if (!this.receiving) this.scheduleFlush();
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
      this.shutdown.proceed();
      this.flush();
    } else if (!CONNECTED.has(this._state)) {
      this.end(undefined);
    }
  }

  /** Sends ABORT (RFC 9260 §9.1) and ends the association at once. */
  abort(reason = 'aborted by the application'): void {
    if (this.ended) return;
    if (this.handshake.peerTag !== 0) {
      this.sendSingle(this.handshake.peerTag, { type: ChunkType.ABORT, reflected: false, causes: [userInitiatedAbortCause(reason)] });
    }
    this.end(reason);
  }

  /** Feeds one received SCTP packet. Malformed input is dropped and counted, never thrown. */
  handlePacket(packet: Buffer): void {
    if (this.ended) return;
    this.receiving = true;
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
    } finally {
      this.receiving = false;
    }
    if (!this.ended) this.flush();
  }

  private receive(packet: Buffer): void {
    if (packet.length < COMMON_HEADER_LENGTH + 4) throw new ParseError(`SCTP packet of ${packet.length} bytes`);
    // RFC 9653 §5.3: having announced it, we take a zero checksum (DTLS vouches for the bytes).
    if (!(this.o.zeroChecksum && packet.readUInt32LE(8) === 0) && !verifyChecksum(packet)) {
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
      this.handshake.onInit(first);
      return;
    }
    if (first.type === ChunkType.COOKIE_ECHO) {
      // The tag is checked against the cookie's contents (§5.1.5).
      if (!this.handshake.onCookieEcho(first, p.verificationTag)) return;
    } else if ((first.type === ChunkType.ABORT || first.type === ChunkType.SHUTDOWN_COMPLETE) && first.reflected) {
      if (this.handshake.peerTag === 0 || p.verificationTag !== this.handshake.peerTag) {
        this.drops.inc('badVerificationTag');
        return;
      }
    } else if (this.handshake.localTag === 0 || p.verificationTag !== this.handshake.localTag) {
      this.drops.inc(this.handshake.localTag === 0 ? 'outOfTheBlue' : 'badVerificationTag');
      return;
    }
    this.pmtu.beginPacket();
    for (let i = first.type === ChunkType.COOKIE_ECHO ? 1 : 0; i < p.chunks.length && !this.ended; i++) {
      const { chunk, start, end } = p.chunks[i]!;
      this.dispatch(chunk, packet, start, end);
    }
    if (!this.ended) this.session?.afterPacket();
  }

  private dispatch(c: Chunk, packet: Buffer, start: number, end: number): void {
    switch (c.type) {
      case ChunkType.DATA:
        return this.onData(c);
      case ChunkType.SACK:
        return this.onSack(c);
      case ChunkType.INIT_ACK:
        return this.handshake.onInitAck(c);
      case ChunkType.COOKIE_ACK:
        this.handshake.onCookieAck();
        return;
      case ChunkType.HEARTBEAT:
        this.pmtu.onHeartbeat();
        if (this.session) this.control.push({ type: ChunkType.HEARTBEAT_ACK, info: Buffer.from(c.info) });
        return;
      case ChunkType.HEARTBEAT_ACK:
        if (this.pmtu.onHeartbeatAck(c.info)) return;
        this.session?.onHeartbeatAck(c.info);
        return;
      case ChunkType.ABORT: {
        const why = describeCauses(c.causes) || 'no cause given';
        this.end(`peer aborted the association: ${why}`, new Error(`SCTP association aborted by the peer: ${why}`));
        return;
      }
      case ChunkType.SHUTDOWN:
        return this.shutdown.onShutdown(c.cumTsnAck);
      case ChunkType.SHUTDOWN_ACK:
        if (this._state === 'shutdown-sent' || this._state === 'shutdown-ack-sent') {
          this.sendSingle(this.handshake.peerTag, { type: ChunkType.SHUTDOWN_COMPLETE, reflected: false });
          this.end(undefined);
        } else this.drops.inc('unexpectedChunk');
        return;
      case ChunkType.SHUTDOWN_COMPLETE:
        if (this._state === 'shutdown-ack-sent') this.end(undefined);
        else this.drops.inc('unexpectedChunk');
        return;
      case ChunkType.ERROR: {
        const stale = c.causes.find((x) => x.type === CauseCode.STALE_COOKIE && x.value.length >= 4);
        if (stale && this.handshake.onStaleCookie(stale.value.readUInt32BE(0))) return;
        log.warn('peer reported: %s', describeCauses(c.causes));
        return;
      }
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
        if (c.code === PAD_CHUNK_TYPE) return this.pmtu.onPad(c.value); // RFC 4820 §3: not an error, go on
        return this.onUnknown(c.code, packet.subarray(start, end));
    }
  }

  /** §3.2: the two high bits of an unknown chunk type say whether to skip it and whether to report it. */
  private onUnknown(code: number, raw: Buffer): void {
    this.drops.inc('unknownChunk');
    if (code & 0x40) {
      this.control.push({ type: ChunkType.ERROR, causes: [unrecognizedChunkCause(Buffer.from(raw))] });
    }
    if ((code & 0x80) === 0) throw new ParseError(`unknown chunk type ${code} stops packet processing`);
  }

  // ---- handshake glue ----

  private newSession(c: CookieContents): PeerSession {
    this.session?.dispose();
    const s = new PeerSession(this.o, c, {
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
      abort: (cause, why) => {
        this.sendSingle(this.handshake.peerTag, { type: ChunkType.ABORT, reflected: false, causes: [cause] });
        this.end(why, new Error(`SCTP association aborted: ${why}`));
      },
      onIdle: () => this.shutdown.proceed(),
    });
    s.sender.onTimeout = () => this.pmtu.onDataTimeout();
    return s;
  }

  private establish(): void {
    this.handshake.stop();
    this.setState('established');
    this.session!.startHeartbeats();
    this.pmtu.start();
    this.emit('established');
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

  private pathFailure(why: string): void {
    const reason = `peer unreachable: ${why} (Association.Max.Retrans ${this.o.maxRetransmits} exceeded)`;
    if (this.handshake.peerTag !== 0) {
      this.sendSingle(this.handshake.peerTag, { type: ChunkType.ABORT, reflected: false, causes: [protocolViolationCause(reason)] });
    }
    this.end(reason, new Error(`SCTP ${reason}`));
  }

  private end(reason: string | undefined, error?: Error): void {
    if (this.ended) return;
    this.ended = true;
    this.handshake.stop();
    this.shutdown.stop();
    this.flushScheduled = false;
    this.pmtu.stop();
    this.session?.dispose();
    this.setState('closed');
    if (error) this.emit('error', error);
    this.emit('closed', reason);
  }

  // ---- output ----

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    this.o.defer(this.runScheduledFlush);
  }

  /**
   * RFC 8899 §6.2.1.2: a PLPMTU probe, HEARTBEAT + PAD of exactly `size` bytes, with a real
   * CRC-32c (RFC 9653 §5.2: HEARTBEAT packets keep it). Outside cwnd: probes are not DATA.
   */
  private sendProbe(size: number, info: Buffer): void {
    if (this.ended || !this.session || this.handshake.peerTag === 0) return;
    this.packetsSent++;
    if (size > this.baseMtu) this.packetsOverBase++;
    this.o.send(serializePacket({ sourcePort: this.o.localPort, destinationPort: this.o.remotePort, verificationTag: this.handshake.peerTag }, probeChunks(size, info)));
  }

  /** PLPMTUD confirmed a new PLPMTU (or fell back): packetize and fragment at it from now on. */
  private setPacketSize(mtu: number): void {
    log.debug('PLPMTU %d -> %d', this.o.mtu, mtu);
    this.o.mtu = mtu;
    this.builder.setMtu(mtu);
    this.session?.sender.setMtu(mtu);
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
    // One clock read per 8 packets: transmit times (RTT samples, lifetimes) within one synchronous
    // flush differ by microseconds, and performance.now() per packet was ~5 % of a bulk profile.
    let now = 0;
    let nowAge = 8;
    // RFC 9260 §5.1 C: in COOKIE-ECHOED, DATA may go only bundled behind the COOKIE ECHO, and no
    // other packet until the COOKIE ACK.
    const echoing = this._state === 'cookie-echoed';
    for (let guard = 0; guard < 100_000; guard++) {
      // RFC 9653 §5.2: handshake and other control chunks keep a real CRC-32c; only packets of
      // SACK, DATA, FORWARD TSN and RE-CONFIG go with a zero checksum.
      let crc = !s?.zeroChecksum;
      let withCookie = false;
      while (this.control.length > 0 && pb.put(this.control[0]!)) {
        if (this.control[0]!.type === ChunkType.COOKIE_ECHO) withCookie = true;
        this.control.shift();
        crc = true;
      }
      const bundledWithCookie = echoing && withCookie;
      if (s && this.handshake.peerTag !== 0) {
        s.writeControl(pb);
        if ((this.dataAllowed() || bundledWithCookie) && s.sender.canSend()) {
          if (nowAge >= 8) {
            now = this.clock.now();
            nowAge = 0;
          }
          nowAge++;
          pb.off = s.writeData(pb.ensure(), pb.off, this.o.mtu, now);
        }
      }
      if (pb.empty) break;
      const packet = pb.finish(this.o.localPort, this.o.remotePort, this.handshake.peerTag, !crc);
      this.packetsSent++;
      if (packet.length > this.baseMtu) this.packetsOverBase++;
      s?.sender.endPacket();
      this.o.send(packet);
      if (this.ended) return;
      if (bundledWithCookie) break;
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

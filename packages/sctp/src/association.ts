import { Counters, ParseError, TypedEmitter, createLogger, reportError, type Clock } from '@rivulet/common';
import { userInitiatedAbortCause } from './chunks/error.js';
import { ChunkType, type Chunk } from './chunks/types.js';
import type { Handshake } from './handshake.js';
import type { GracefulShutdown } from './shutdown.js';
import type { AssociationEvents, AssociationState, DropReason } from './associationTypes.js';
import { associationStats, type AssociationStats } from './associationStats.js';
import { receivePacket } from './associationReceive.js';
import { createHandshake, createPathMtu, createShutdown } from './associationWiring.js';
import { CONNECTED } from './connectedStates.js';
import { resolveOptions, type ResolvedOptions, type SctpAssociationOptions } from './options.js';
import { PacketBuilder } from './packetBuilder.js';
import type { PlpmtudStats } from './pmtu/plpmtud.js';
import type { PathMtu } from './pmtu/pathMtu.js';
import { serializePacket } from './packet.js';
import type { PeerSession } from './session.js';
import type { SendOptions } from './sender.js';

export type { AssociationState, AssociationEvents, DropReason } from './associationTypes.js';
export type { AssociationStats } from './associationStats.js';

const log = createLogger('sctp');

/**
 * An SCTP association (RFC 9260) as a sans-IO core: packets in through
 * handlePacket(), packets out through the send callback, time from a Clock.
 * One destination address (WebRTC runs SCTP over one DTLS connection), so
 * there is no multi-homing, path selection or address parameters.
 *
 * This file holds the public API, the lifecycle and the output (bundling flush). The receive
 * path is in associationReceive.ts, the wiring of handshake / shutdown / PLPMTUD / session in
 * associationWiring.ts, the stats snapshot in associationStats.ts; they reach the members
 * marked @internal.
 */
export class SctpAssociation extends TypedEmitter<AssociationEvents> {
  readonly drops = new Counters<DropReason>();
  /** @internal */ readonly o: ResolvedOptions;
  /** The clock this association runs on (the data-channel layer schedules its events with it). */
  readonly clock: Clock;
  /**
   * Runs `fn` in a later task without a timer floor (options.defer: setImmediate on the real clock,
   * a zero-delay timer on any other): for events that must be asynchronous but not late.
   */
  defer(fn: () => void): void {
    this.o.defer(fn);
  }
  /** @internal */ _state: AssociationState = 'closed';
  /** @internal */ ended = false;
  /** @internal */ session: PeerSession | undefined;
  /** @internal */ readonly handshake: Handshake;
  /** @internal */ readonly shutdown: GracefulShutdown;
  /** @internal */ readonly control: Chunk[] = [];
  private flushScheduled = false;
  /** Inside handlePacket(): sends wait for its final flush. */
  private receiving = false;
  /** The coalescing flush scheduleFlush() hands to options.defer. */
  private readonly runScheduledFlush = (): void => {
    if (!this.flushScheduled) return;
    this.flushScheduled = false;
    this.flush();
  };
  /** @internal */ readonly builder: PacketBuilder;
  /** @internal RFC 8899 PLPMTUD (src/pmtu/). */
  readonly pmtu: PathMtu;
  /** @internal The configured `mtu`: BASE_PLPMTU. */
  readonly baseMtu: number;
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
    this.pmtu = createPathMtu(this);
    this.handshake = createHandshake(this);
    this.shutdown = createShutdown(this);
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
  get stats(): AssociationStats {
    return associationStats(this);
  }

  /** @internal */
  setState(s: AssociationState): void {
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
      receivePacket(this, packet);
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

  /** @internal */
  end(reason: string | undefined, error?: Error): void {
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

  /** @internal */
  sendSingle(vtag: number, chunk: Chunk): void {
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
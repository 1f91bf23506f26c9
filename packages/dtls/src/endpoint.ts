import { Counters, createLogger, TypedEmitter, type Timer } from '@rivulet/common';
import { AlertDescription, AlertLevel, ContentType } from './constants.js';
import { sendAlert, sendAlerts } from './endpointAlerts.js';
import { createHandshake } from './endpointHandshake.js';
import { drainRecords, MAX_EARLY_DATAGRAMS } from './endpointReceive.js';
import { FlightTransmitter } from './flight.js';
import type { RoleHandshake } from './handshake/context.js';
import type { HandshakeDriver } from './handshake/driver.js';
import { exportFromSession, srtpKeyingMaterialFor, type SrtpKeyingMaterial } from './keying.js';
import { resolveOptions, type DtlsEndpointOptions, type ResolvedOptions } from './options.js';
import { MAX_PLAINTEXT, parseRecords, type DtlsRecord } from './record/record.js';
import { RecordLayer } from './record/recordLayer.js';

const log = createLogger('dtls');

export type DtlsState = 'new' | 'connecting' | 'connected' | 'closed' | 'failed';

export interface DtlsEndpointEvents {
  statechange: [DtlsState];
  connected: [];
  data: [Buffer];
  error: [Error];
  close: [];
}

/**
 * One DTLS 1.2 association (RFC 6347), client or server, sans-IO: datagrams in through
 * handleDatagram, out through options.send, time from options.clock. Malformed input is dropped
 * and counted in `counters`; handshake failures end in 'failed' with an 'error' event. The
 * receive path (records to handshake, alerts, data) is in endpointReceive.ts, the handshake
 * wiring in endpointHandshake.ts, alerts in and out in endpointAlerts.ts, the exporter and SRTP keys in keying.ts.
 */
export class DtlsEndpoint extends TypedEmitter<DtlsEndpointEvents> {
  readonly counters = new Counters<string>();
  /** @internal */ readonly options: ResolvedOptions;
  /** @internal */ readonly records: RecordLayer;
  /** @internal */ readonly flights: FlightTransmitter;
  private readonly handshake: RoleHandshake;
  /** @internal */ readonly driver: HandshakeDriver;
  /** @internal */ currentState: DtlsState = 'new';
  private handshakeTimer: Timer | undefined;
  /** @internal records waiting for endpointReceive.ts, in arrival order */
  readonly queue: DtlsRecord[] = [];
  /** @internal */ draining = false;
  private readonly early: Buffer[] = [];
  /** @internal application data authenticated before our handshake completed */
  readonly earlyData: Buffer[] = [];
  /** A datagram arrived after start() (see resendIfUnanswered). */
  private heardFromPeer = false;

  constructor(options: DtlsEndpointOptions) {
    super();
    this.options = resolveOptions(options);
    const o = this.options;
    this.records = new RecordLayer((reason) => this.counters.inc(reason));
    this.flights = new FlightTransmitter(o.clock, this.records, o.mtu, o.initialRetransmitMs, (d) => this.output(d));
    const { handshake, driver } = createHandshake(this, o);
    this.handshake = handshake;
    this.driver = driver;
  }

  get state(): DtlsState {
    return this.currentState;
  }

  get role(): 'client' | 'server' {
    return this.options.role;
  }

  /** The negotiated SRTP protection profile (RFC 5764), once connected. */
  get srtpProfile(): number | undefined {
    return this.handshake.session?.srtpProfile;
  }

  /** The peer's DER certificate, once connected. */
  get remoteCertificate(): Buffer | undefined {
    return this.handshake.session?.remoteCertificate;
  }

  get cipherSuite(): number | undefined {
    return this.handshake.session?.suite.id;
  }

  /** Whether RFC 7627 extended master secret was negotiated. */
  get extendedMasterSecret(): boolean | undefined {
    return this.handshake.session?.extendedMasterSecret;
  }

  /** Flight retransmissions we made so far (timer-driven and peer-triggered). */
  get retransmissions(): number {
    return this.flights.retransmissions;
  }

  /** Begins the handshake: a client sends its ClientHello, a server waits for one. */
  start(): void {
    if (this.currentState !== 'new') throw new Error(`DtlsEndpoint.start: already started (state '${this.currentState}')`);
    this.setState('connecting');
    this.handshakeTimer = this.options.clock.setTimeout(() => {
      this.handshakeTimer = undefined;
      if (this.currentState === 'connecting') {
        this.fail(new Error(`DTLS handshake (${this.options.role}) did not complete within ${this.options.handshakeTimeoutMs} ms`), undefined);
      }
    }, this.options.handshakeTimeoutMs);
    this.guard(() => this.handshake.start());
    const early = this.early.splice(0);
    for (const d of early) this.handleDatagram(d);
  }

  /**
   * Hint from the transport that the path to the peer just became usable for sure (ICE selected a
   * pair). A client that started on an earlier valid pair (RFC 8445 §12.1) and has heard nothing
   * back resends its flight now: a peer that dropped data before its own selection then answers
   * one round trip later instead of after the 1 s retransmission timeout. Returns whether it sent.
   */
  resendIfUnanswered(): boolean {
    if (this.currentState !== 'connecting' || this.heardFromPeer) return false;
    return this.flights.resendNow();
  }

  /** Feeds one datagram from the peer. Never throws for network input. */
  handleDatagram(datagram: Buffer): void {
    if (this.currentState === 'new') {
      // The peer may finish ICE first and send its ClientHello before we are started: keep a few
      // datagrams and replay them in start() rather than making it wait for a retransmission.
      if (this.early.length < MAX_EARLY_DATAGRAMS) this.early.push(Buffer.from(datagram));
      else this.counters.inc('earlyDatagramOverflow');
      return;
    }
    if (this.currentState === 'closed' || this.currentState === 'failed') {
      this.counters.inc('afterClose');
      return;
    }
    if (!Buffer.isBuffer(datagram)) datagram = Buffer.from(datagram as Uint8Array);
    this.heardFromPeer = true;
    this.guard(() => {
      const { records, problem } = parseRecords(datagram);
      if (problem) this.counters.inc(problem);
      this.queue.push(...records);
      drainRecords(this);
    });
  }

  /**
   * Largest send() that fits one datagram of `mtu` bytes under the current keys: mtu minus the
   * record header and AEAD overhead (37 bytes for AES-GCM, 29 for ChaCha20-Poly1305). RFC 6347
   * §4.1.1.1 leaves path MTU to the application and RFC 8899 §4.4 asks the layer to report this
   * maximum packet size; an upper layer (SCTP) should size its packets to it.
   */
  get maxSendSize(): number {
    return this.options.mtu - this.records.overhead(this.records.writeEpoch);
  }

  /** Bytes a record adds to its plaintext under the current write keys (header, nonce / IV, tag / MAC, padding). */
  get recordOverhead(): number {
    return this.records.overhead(this.records.writeEpoch);
  }

  /** Set by setApplicationDataLimit(): the largest send() accepted, above `mtu`. */
  private appDataLimit: number | undefined;

  /**
   * Lets send() take application data up to `bytes` (at most 2^14, RFC 6347 §4.1) even above
   * `mtu`. For an upper layer that discovers the path MTU itself: SCTP's PLPMTUD (RFC 8261 §5,
   * RFC 8899) probes and sizes its packets, so its larger records are intended, not counted as
   * 'datagramOverMtu'. Handshake flights keep using `mtu`.
   */
  setApplicationDataLimit(bytes: number): void {
    if (!Number.isInteger(bytes) || bytes < this.options.mtu || bytes > MAX_PLAINTEXT) {
      throw new RangeError(`DtlsEndpoint.setApplicationDataLimit: ${bytes} is outside [${this.options.mtu}, ${MAX_PLAINTEXT}]`);
    }
    this.appDataLimit = bytes;
  }

  /**
   * Sends application data as one record in one datagram (RFC 6347 §4.1.1: records never span
   * datagrams, and splitting would break the message boundaries the upper layer relies on). Data
   * longer than `mtu` is refused (§4.1.1.1: generate an error rather than an IP-fragmented packet);
   * data between maxSendSize and mtu is still sent (the datagram exceeds mtu by the record overhead,
   * counted as 'datagramOverMtu') so that a 1200-byte SCTP packet over the default mtu 1200 works.
   */
  send(data: Uint8Array): void {
    if (this.currentState !== 'connected') {
      throw new Error(`DtlsEndpoint.send: state is '${this.currentState}'; data can be sent only when 'connected'`);
    }
    if (data.length > MAX_PLAINTEXT) throw new Error(`DtlsEndpoint.send: ${data.length} bytes exceed the record limit of ${MAX_PLAINTEXT}`);
    const limit = this.appDataLimit;
    if (limit !== undefined) {
      if (data.length > limit) throw new Error(`DtlsEndpoint.send: ${data.length} bytes exceed the application data limit of ${limit}`);
    } else if (data.length > this.options.mtu) {
      throw new Error(
        `DtlsEndpoint.send: ${data.length} bytes exceed the mtu of ${this.options.mtu} (one record per datagram; at most ${this.maxSendSize} bytes fit without exceeding it)`,
      );
    }
    if (limit === undefined && data.length > this.maxSendSize) this.counters.inc('datagramOverMtu');
    this.output(this.records.seal(ContentType.applicationData, this.records.writeEpoch, data));
  }

  /**
   * Ends the association (RFC 5246 §7.2.1). Connected: close_notify. Still connecting: a
   * user_canceled warning followed by close_notify, so the peer stops its handshake at once instead
   * of retransmitting until its timeout. Then 'closed' + 'close'.
   */
  close(): void {
    if (this.currentState === 'closed' || this.currentState === 'failed') return;
    if (this.currentState === 'connected') sendAlert(this, AlertLevel.warning, AlertDescription.closeNotify);
    if (this.currentState === 'connecting') sendAlerts(this, [AlertDescription.userCanceled, AlertDescription.closeNotify]);
    this.finish('closed');
    this.emit('close');
  }

  /** RFC 5705 keying material exporter; DTLS-SRTP uses label "EXTRACTOR-dtls_srtp" and no context. */
  exportKeyingMaterial(label: string, length: number, context?: Buffer): Buffer {
    const session = this.handshake.session;
    if (!session) throw new Error(`DtlsEndpoint.exportKeyingMaterial: no keys yet (state '${this.currentState}'); wait for 'connected'`);
    return exportFromSession(session, label, length, context);
  }

  /** RFC 5764 §4.2 SRTP master keys and salts for the negotiated profile. */
  srtpKeyingMaterial(): SrtpKeyingMaterial {
    const session = this.handshake.session;
    if (!session || session.srtpProfile === undefined) {
      throw new Error(`DtlsEndpoint.srtpKeyingMaterial: no SRTP profile negotiated (state '${this.currentState}')`);
    }
    return srtpKeyingMaterialFor(session, this.options.role);
  }

  /** @internal */
  output(datagram: Buffer): void {
    this.counters.inc('datagramsSent');
    try {
      this.options.send(datagram);
    } catch (err) {
      this.counters.inc('sendCallbackThrew');
      log.warn('send callback threw: %s', (err as Error).message);
    }
  }

  /** @internal */
  onHandshakeComplete(): void {
    this.handshakeTimer?.cancel();
    this.handshakeTimer = undefined;
    this.setState('connected');
    this.emit('connected');
    for (const data of this.earlyData.splice(0)) {
      if (this.currentState !== 'connected') break;
      this.counters.inc('applicationDataReceived');
      this.emit('data', data);
    }
  }

  /** @internal */
  fail(error: Error, alert: number | undefined): void {
    if (this.isTerminal()) return;
    if (alert !== undefined) sendAlert(this, AlertLevel.fatal, alert);
    log.debug('%s failed: %s', this.options.role, error.message);
    this.finish('failed');
    this.emit('error', error);
  }

  /** @internal */
  finish(state: 'closed' | 'failed'): void {
    this.handshakeTimer?.cancel();
    this.handshakeTimer = undefined;
    this.flights.clear();
    this.setState(state);
  }

  /** @internal */
  isTerminal(): boolean {
    return this.currentState === 'closed' || this.currentState === 'failed';
  }

  private setState(state: DtlsState): void {
    if (this.currentState === state) return;
    this.currentState = state;
    this.emit('statechange', state);
  }

  /** Last-resort containment: nothing escapes into the caller's socket handler. */
  private guard(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.counters.inc('internalError');
      this.fail(new Error(`DTLS internal error: ${(err as Error).message}`), AlertDescription.internalError);
    }
  }
}

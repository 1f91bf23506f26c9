import { Counters, ParseError, TypedEmitter, createLogger } from '@rivulet/common';
import type { SctpAssociation } from './association.js';
import { MAX_ID, channelParameters, openMessageFor, parametersFromOpen, type DataChannelInit } from './channelInit.js';
import { Ppid, parseDcep, priorityValue, serializeDcep } from './dcep.js';
import { SctpDataChannel, namedError, type ChannelLink } from './dataChannel.js';

export type { DataChannelInit } from './channelInit.js';

const log = createLogger('sctp:dcep');

export interface DataChannelManagerOptions {
  association: SctpAssociation;
  /** RFC 8832 §6: the DTLS client uses even stream ids, the server odd ones. */
  dtlsRole: 'client' | 'server';
  /** The peer's a=max-message-size (RFC 8841 §6); absent in SDP means 65536; 0 means unlimited. */
  maxMessageSize?: number;
  /** Per-channel cap on queued unsent bytes; send() beyond it throws OperationError (default 16 MiB). */
  maxBufferedAmount?: number;
}

export interface DataChannelManagerEvents {
  /** The peer opened a channel with DATA_CHANNEL_OPEN. */
  channel: [channel: SctpDataChannel];
}

export type DcepDropReason = 'malformedDcep' | 'unknownStream' | 'unknownPpid' | 'streamInUse' | 'unexpectedAck';

/** What we advertise in SDP a=max-message-size (RFC 8841 §6). */
export const LOCAL_MAX_MESSAGE_SIZE = 262144;

/**
 * The data-channel layer over one association (RFC 8831, RFC 8832):
 * stream id allocation by DTLS role, DCEP open/ack, message framing by
 * PPID, and closing by resetting both stream directions.
 */
export class DataChannelManager extends TypedEmitter<DataChannelManagerEvents> {
  readonly drops = new Counters<DcepDropReason>();
  readonly maxMessageSize: number;
  readonly maxBufferedAmount: number;
  private readonly assoc: SctpAssociation;
  private readonly role: 'client' | 'server';
  private readonly byId = new Map<number, SctpDataChannel>();
  /** Channels whose DATA_CHANNEL_OPEN went with the COOKIE ECHO, before 'established'. */
  private readonly openSent = new Set<SctpDataChannel>();
  private readonly link: ChannelLink;

  constructor(options: DataChannelManagerOptions) {
    super();
    this.assoc = options.association;
    this.role = options.dtlsRole;
    if (this.role !== 'client' && this.role !== 'server') {
      throw new TypeError(`DataChannelManager: dtlsRole must be 'client' or 'server', got '${String(this.role)}'`);
    }
    const mms = options.maxMessageSize ?? 65536;
    if (!Number.isInteger(mms) || mms < 0) throw new RangeError(`DataChannelManager: maxMessageSize ${mms} is not a non-negative integer`);
    // RFC 8841 §6.1: 0 means the peer can take any size.
    this.maxMessageSize = mms === 0 ? Number.MAX_SAFE_INTEGER : mms;
    this.maxBufferedAmount = options.maxBufferedAmount ?? 16 * 1024 * 1024;
    if (!Number.isInteger(this.maxBufferedAmount) || this.maxBufferedAmount < 1) {
      throw new RangeError(`DataChannelManager: maxBufferedAmount ${this.maxBufferedAmount} is not a positive integer`);
    }
    this.link = {
      maxMessageSize: this.maxMessageSize,
      send: (ch, ppid, data) => this.sendOn(ch, ppid, data),
      close: (ch) => this.closeChannel(ch),
      bufferedAmount: (ch) => (this.byId.get(ch.id) === ch ? this.assoc.bufferedAmount(ch.id) : 0),
    };
    this.assoc.on('established', () => this.onEstablished());
    // RFC 9260 §5.1 C lets DATA ride with the COOKIE ECHO: the opener's DATA_CHANNEL_OPEN then
    // reaches the peer together with the association set-up, one trip earlier (RFC 8832 §6 allows
    // sending it as soon as the association can carry it). The channel still opens on 'established'.
    this.assoc.on('statechange', (st) => {
      if (st === 'cookie-echoed') this.sendEarlyOpens();
    });
    this.assoc.on('message', (id, ppid, data) => this.onMessage(id, ppid, data));
    this.assoc.on('incomingStreamsReset', (ids) => this.onIncomingReset(ids));
    this.assoc.on('outgoingStreamsReset', (ids) => this.onOutgoingReset(ids));
    this.assoc.on('closed', (reason) => this.onAssociationClosed(reason));
    this.assoc.on('bufferedAmountDecrease', (id, amount) => this.onBufferedDecrease(id, amount));
  }

  get channels(): SctpDataChannel[] {
    return [...this.byId.values()];
  }

  private get established(): boolean {
    return this.assoc.state === 'established';
  }

  /** W3C createDataChannel() validation, then open (DCEP unless negotiated). */
  createChannel(init: DataChannelInit = {}): SctpDataChannel {
    const params = channelParameters(init, (id) => this.byId.has(id), () => this.allocateId());
    const ch = new SctpDataChannel(params, this.link);
    this.byId.set(params.id, ch);
    // W3C: 'open' is announced in a later task, so a listener added after
    // createChannel() returns still sees it; DCEP goes out at once.
    if (this.established) this.announce(ch, true);
    return ch;
  }

  private allocateId(): number {
    const limit = Math.min(MAX_ID, (this.assoc.outboundStreams || 65535) - 1);
    for (let id = this.role === 'client' ? 0 : 1; id <= limit; id += 2) {
      if (!this.byId.has(id)) return id;
    }
    throw namedError('OperationError', `no free ${this.role === 'client' ? 'even' : 'odd'} stream id below ${limit + 1}`);
  }

  /** Sends DATA_CHANNEL_OPEN (RFC 8832 §6) or, for negotiated channels, just opens. */
  private announce(ch: SctpDataChannel, deferOpen = false): void {
    if (!ch.negotiated && !this.openSent.delete(ch)) this.sendOpen(ch);
    // A later task (a listener added after createChannel() returns still hears 'open'), without the
    // >= 1 ms a zero-delay timer costs in Node.
    if (deferOpen) this.assoc.defer(() => ch.setOpen());
    else ch.setOpen();
  }

  /** DATA_CHANNEL_OPEN (RFC 8832 §5.1) on the channel's stream. */
  private sendOpen(ch: SctpDataChannel): void {
    const open = openMessageFor(ch);
    this.assoc.sendMessage(ch.id, Ppid.DCEP, serializeDcep(open), { excludeFromBufferedAmount: true, priority: open.priority });
  }

  private sendEarlyOpens(): void {
    for (const ch of this.byId.values()) {
      if (ch.readyState !== 'connecting' || ch.negotiated || ch.id >= this.assoc.outboundStreams || this.openSent.has(ch)) continue;
      this.sendOpen(ch);
      this.openSent.add(ch);
    }
  }

  private onEstablished(): void {
    for (const ch of this.byId.values()) {
      if (ch.readyState !== 'connecting') continue;
      if (ch.id >= this.assoc.outboundStreams) {
        this.byId.delete(ch.id);
        ch.setClosed(namedError('OperationError', `data channel id ${ch.id} is beyond the ${this.assoc.outboundStreams} negotiated streams`));
        continue;
      }
      this.announce(ch);
    }
  }

  private sendOn(ch: SctpDataChannel, ppid: number, data: Buffer): void {
    if (!this.established) {
      throw namedError('InvalidStateError', `RTCDataChannel '${ch.label}' (id ${ch.id}): the SCTP association is ${this.assoc.state}`);
    }
    const queued = this.assoc.bufferedAmount(ch.id);
    if (queued + data.length > this.maxBufferedAmount) {
      // W3C send(): data that cannot be queued is an OperationError; the application should
      // wait for bufferedamountlow (browsers cap the send buffer similarly).
      throw namedError(
        'OperationError',
        `RTCDataChannel '${ch.label}' (id ${ch.id}): ${queued} bytes already queued, ${data.length} more would exceed the ${this.maxBufferedAmount}-byte send buffer; wait for bufferedamountlow`,
      );
    }
    // Until the peer acknowledged DATA_CHANNEL_OPEN, keep order so it sees OPEN first (RFC 8832 §6).
    this.assoc.sendMessage(ch.id, ppid, data, {
      unordered: !ch.ordered && ch.acked,
      maxRetransmits: ch.maxRetransmits ?? undefined,
      maxLifetimeMs: ch.maxPacketLifeTime ?? undefined,
      priority: priorityValue(ch.priority),
      // An empty message travels as one placeholder byte; W3C counts it as 0 bytes buffered.
      excludeFromBufferedAmount: ppid === Ppid.STRING_EMPTY || ppid === Ppid.BINARY_EMPTY,
    });
    this.lastBuffered.set(ch, this.assoc.bufferedAmount(ch.id));
  }

  private onMessage(id: number, ppid: number, data: Buffer): void {
    if (ppid === Ppid.DCEP) {
      this.onDcep(id, data);
      return;
    }
    const ch = this.byId.get(id);
    if (!ch) {
      this.drops.inc('unknownStream');
      return;
    }
    if (!ch.receive(ppid, data)) this.drops.inc('unknownPpid');
  }

  private onDcep(id: number, data: Buffer): void {
    let msg;
    try {
      msg = parseDcep(data);
    } catch (err) {
      if (!(err instanceof ParseError)) throw err;
      this.drops.inc('malformedDcep');
      log.debug('bad DCEP message on stream %d: %s', id, err.message);
      return;
    }
    if (msg.type === 'ack') {
      const ch = this.byId.get(id);
      if (ch && !ch.negotiated) ch.acked = true;
      else this.drops.inc('unexpectedAck');
      return;
    }
    if (this.byId.has(id)) {
      this.drops.inc('streamInUse');
      return;
    }
    const ch = new SctpDataChannel(parametersFromOpen(id, msg), this.link);
    ch.acked = true; // the peer opened it; we may send unordered at once
    this.byId.set(id, ch);
    this.assoc.sendMessage(id, Ppid.DCEP, serializeDcep({ type: 'ack' }), { excludeFromBufferedAmount: true });
    this.emit('channel', ch);
    ch.setOpen();
  }

  private closeChannel(ch: SctpDataChannel): void {
    if (this.byId.get(ch.id) !== ch) return;
    if (!this.established || ch.readyState === 'connecting') {
      this.finish(ch);
      return;
    }
    if (!ch.outgoingReset) this.assoc.resetStreams([ch.id]);
  }

  private onOutgoingReset(ids: number[]): void {
    for (const id of ids) {
      const ch = this.byId.get(id);
      if (!ch) continue;
      ch.outgoingReset = true;
      if (!this.assoc.peerSupportsReconfig) ch.incomingReset = true;
      if (ch.incomingReset) this.finish(ch);
    }
  }

  private onIncomingReset(ids: number[]): void {
    for (const id of ids) {
      const ch = this.byId.get(id);
      if (!ch) continue;
      ch.incomingReset = true;
      if (ch.outgoingReset) this.finish(ch);
      else ch.remoteClosing(); // RFC 8831 §6.7: answer by resetting our outgoing stream too
    }
  }

  private finish(ch: SctpDataChannel, error?: Error): void {
    if (this.byId.get(ch.id) === ch) this.byId.delete(ch.id);
    ch.setClosed(error);
  }

  private onAssociationClosed(reason: string | undefined): void {
    const error = reason ? namedError('OperationError', `SCTP association closed: ${reason}`) : undefined;
    for (const ch of [...this.byId.values()]) this.finish(ch, error);
  }

  /** bufferedAmount after the last change we saw, per channel, to detect the fall below the threshold. */
  private readonly lastBuffered = new WeakMap<SctpDataChannel, number>();

  private onBufferedDecrease(id: number, amount: number): void {
    const ch = this.byId.get(id);
    if (!ch) return;
    const before = this.lastBuffered.get(ch) ?? 0;
    this.lastBuffered.set(ch, amount);
    ch.bufferedDecreased(before, amount);
  }
}

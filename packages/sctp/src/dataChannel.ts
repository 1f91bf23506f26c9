import { TypedEmitter } from '@rivulet/common';
import type { ChannelPriority } from './dcep.js';
import { Ppid } from './dcep.js';

export type DataChannelState = 'connecting' | 'open' | 'closing' | 'closed';

export interface DataChannelEvents {
  open: [];
  message: [data: string | Buffer];
  bufferedamountlow: [];
  /** The peer started closing the channel (its outgoing stream was reset). */
  closing: [];
  close: [];
  error: [error: Error];
}

/** What a channel needs from its manager; kept narrow so the channel stays testable. */
export interface ChannelLink {
  send(channel: SctpDataChannel, ppid: number, data: Buffer): void;
  close(channel: SctpDataChannel): void;
  bufferedAmount(channel: SctpDataChannel): number;
  /** The peer's max-message-size (RFC 8841 §6). */
  readonly maxMessageSize: number;
}

export interface ChannelParameters {
  id: number;
  label: string;
  protocol: string;
  ordered: boolean;
  maxRetransmits: number | null;
  maxPacketLifeTime: number | null;
  negotiated: boolean;
  priority: ChannelPriority;
}

/** An error whose `name` says which W3C DOMException the RTCDataChannel layer should raise. */
export function namedError(name: 'InvalidStateError' | 'OperationError' | 'TypeError', message: string): Error {
  const e = name === 'TypeError' ? new TypeError(message) : new Error(message);
  e.name = name;
  return e;
}

/**
 * One SCTP data channel (RFC 8831), shaped for W3C RTCDataChannel: a stream
 * id, DCEP parameters, readyState, bufferedAmount with its low-threshold
 * event, and messages as string or Buffer.
 *
 * bufferedAmount counts user bytes queued with send() that the association
 * has not yet transmitted for the first time (W3C: "not yet transmitted to
 * the network"); it drops when a chunk first goes on the wire or its message
 * is abandoned, not when the peer acknowledges it.
 */
export class SctpDataChannel extends TypedEmitter<DataChannelEvents> {
  readonly id: number;
  readonly label: string;
  readonly protocol: string;
  readonly ordered: boolean;
  readonly maxRetransmits: number | null;
  readonly maxPacketLifeTime: number | null;
  readonly negotiated: boolean;
  readonly priority: ChannelPriority;
  private _state: DataChannelState = 'connecting';
  private _threshold = 0;
  private lastBuffered = 0;
  /** Until DATA_CHANNEL_ACK arrives, the opener sends ordered (RFC 8832 §6). */
  acked: boolean;
  /** Close bookkeeping: both stream directions must be reset (RFC 8831 §6.7). */
  outgoingReset = false;
  incomingReset = false;
  private partial: Buffer[] = [];

  constructor(
    params: ChannelParameters,
    private readonly link: ChannelLink,
  ) {
    super();
    this.id = params.id;
    this.label = params.label;
    this.protocol = params.protocol;
    this.ordered = params.ordered;
    this.maxRetransmits = params.maxRetransmits;
    this.maxPacketLifeTime = params.maxPacketLifeTime;
    this.negotiated = params.negotiated;
    this.priority = params.priority;
    this.acked = params.negotiated;
  }

  get readyState(): DataChannelState {
    return this._state;
  }

  get bufferedAmount(): number {
    return this._state === 'closed' ? this.lastBuffered : this.link.bufferedAmount(this);
  }

  get bufferedAmountLowThreshold(): number {
    return this._threshold;
  }

  set bufferedAmountLowThreshold(v: number) {
    if (!Number.isInteger(v) || v < 0 || v > Number.MAX_SAFE_INTEGER) {
      throw namedError('TypeError', `bufferedAmountLowThreshold must be a non-negative integer, got ${v}`);
    }
    this._threshold = v;
  }

  /** Sends a message: string → PPID 51, binary → 53; empty ones as one byte with PPID 56 / 57. */
  send(data: string | Uint8Array): void {
    if (this._state !== 'open') {
      throw namedError('InvalidStateError', `RTCDataChannel '${this.label}' (id ${this.id}) is ${this._state}, not open`);
    }
    let buf: Buffer;
    let ppid: number;
    if (typeof data === 'string') {
      buf = Buffer.from(data, 'utf8');
      ppid = buf.length === 0 ? Ppid.STRING_EMPTY : Ppid.STRING;
    } else if (data instanceof Uint8Array) {
      buf = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
      ppid = buf.length === 0 ? Ppid.BINARY_EMPTY : Ppid.BINARY;
    } else {
      throw namedError('TypeError', `RTCDataChannel.send() takes a string or Uint8Array, got ${typeof data}`);
    }
    if (buf.length > this.link.maxMessageSize) {
      throw namedError(
        'TypeError',
        `message of ${buf.length} bytes exceeds the peer's max-message-size of ${this.link.maxMessageSize} bytes (RFC 8841)`,
      );
    }
    if (buf.length === 0) buf = Buffer.alloc(1);
    this.link.send(this, ppid, buf);
  }

  /** Starts the closing procedure (RFC 8831 §6.7: reset the outgoing stream). */
  close(): void {
    if (this._state === 'closing' || this._state === 'closed') return;
    this._state = 'closing';
    this.link.close(this);
  }

  // ---- called by the manager ----

  /** @internal */
  setOpen(): void {
    if (this._state !== 'connecting') return;
    this._state = 'open';
    this.emit('open');
  }

  /** @internal the peer reset its stream first */
  remoteClosing(): void {
    if (this._state === 'closed') return;
    const wasClosing = this._state === 'closing';
    this._state = 'closing';
    if (!wasClosing) {
      this.emit('closing');
      this.link.close(this);
    }
  }

  /** @internal */
  setClosed(error?: Error): void {
    if (this._state === 'closed') return;
    this.lastBuffered = this.link.bufferedAmount(this);
    this._state = 'closed';
    if (error) this.emit('error', error);
    this.emit('close');
  }

  /** @internal W3C: fire bufferedamountlow when the amount falls from above the threshold to at or below it. */
  bufferedDecreased(previous: number, now: number): void {
    if (previous > this._threshold && now <= this._threshold) this.emit('bufferedamountlow');
  }

  /** @internal delivers a user message by PPID; returns false for a PPID that is not ours. */
  receive(ppid: number, data: Buffer): boolean {
    if (this._state !== 'open' && this._state !== 'closing') return false;
    switch (ppid) {
      case Ppid.STRING:
      case Ppid.BINARY: {
        let whole = data;
        if (this.partial.length > 0) {
          this.partial.push(data);
          whole = Buffer.concat(this.partial);
          this.partial = [];
        }
        this.emit('message', ppid === Ppid.STRING ? whole.toString('utf8') : whole);
        return true;
      }
      case Ppid.STRING_PARTIAL:
      case Ppid.BINARY_PARTIAL:
        this.partial.push(data);
        return true;
      case Ppid.STRING_EMPTY:
        this.emit('message', '');
        return true;
      case Ppid.BINARY_EMPTY:
        this.emit('message', Buffer.alloc(0));
        return true;
      default:
        return false;
    }
  }
}

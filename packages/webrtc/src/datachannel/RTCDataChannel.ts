/**
 * RTCDataChannel (webrtc-pc §6.2) over a DataChannelHandle from the
 * transport bundle. The channel exists before SCTP does: the handle is
 * attached when the association starts (§6.1.1.2: ids are assigned then).
 */
import { RivuletEventTarget } from '../base/eventTarget.js';
import { RTCError, RTCErrorEvent, invalidState } from '../base/errors.js';
import type { DataChannelHandle, DataChannelParameters, DataChannelStateValue } from '../transport/bundle.js';

export type RTCDataChannelState = DataChannelStateValue;
export type BinaryType = 'blob' | 'arraybuffer';

let constructing = false;
// Assigned by the class's static block (declared first: temporal dead zone).
export let dataChannelInternals: {
  create(params: DataChannelParameters, maxMessageSize: () => number): RTCDataChannel;
  attach(dc: RTCDataChannel, handle: DataChannelHandle): void;
  handle(dc: RTCDataChannel): DataChannelHandle | null;
  /** Fires "open" for a channel whose handle is already open (announced remote channels). */
  announceOpen(dc: RTCDataChannel): void;
  /** close() of the peer connection: closed without events (§4.4.1.5). */
  closeSilently(dc: RTCDataChannel): void;
  /** The association failed or ended: error (if any) then close. */
  closeAbruptly(dc: RTCDataChannel, error?: RTCError): void;
};

/**
 * webrtc-pc §6.2 send(): the data is taken as it is at the time of the call, but SCTP keeps a
 * reference until the bytes are packed (possibly several turns later), so the caller's bytes are
 * copied here — once: SCTP and DTLS take this Buffer as it is. A pooled Buffer (Buffer.allocUnsafe
 * shares 8 KiB slabs for small sizes) costs about a tenth of ArrayBuffer.prototype.slice for a
 * 100-byte message and hands SCTP a Buffer it need not wrap again.
 */
function captureBytes(src: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(src.byteLength);
  out.set(src);
  return out;
}

export class RTCDataChannel extends RivuletEventTarget {
  readonly #params: DataChannelParameters;
  readonly #maxMessageSize: () => number;
  #handle: DataChannelHandle | null = null;
  #readyState: RTCDataChannelState = 'connecting';
  #binaryType: BinaryType = 'arraybuffer';
  #threshold = 0;
  #id: number | null;
  /** Bytes queued while a Blob is being read (kept in order with later sends). */
  #pendingBytes = 0;
  /**
   * webrtc-pc §6.2 bufferedAmount: the bytes queued by send() "as of the last time the event loop
   * started executing a task". The association may put data on the wire within the send() call, so
   * during a task the value only grows: it is the count at the task's first send plus what was sent
   * since, and the live count takes over again at the next task.
   */
  #taskBuffered: number | undefined;
  #sendChain: Promise<void> | null = null;
  #closeRequested = false;

  /** Not constructible by applications (RTCPeerConnection.createDataChannel). */
  constructor(params: DataChannelParameters, maxMessageSize: () => number) {
    super();
    if (!constructing) throw new TypeError('Illegal constructor: use RTCPeerConnection.createDataChannel()');
    constructing = false;
    this.#params = params;
    this.#maxMessageSize = maxMessageSize;
    this.#id = params.id;
  }

  get label(): string { return this.#params.label; }
  get ordered(): boolean { return this.#params.ordered; }
  get maxPacketLifeTime(): number | null { return this.#params.maxPacketLifeTime; }
  get maxRetransmits(): number | null { return this.#params.maxRetransmits; }
  get protocol(): string { return this.#params.protocol; }
  get negotiated(): boolean { return this.#params.negotiated; }
  get id(): number | null { return this.#id; }
  get priority(): string { return this.#params.priority; }
  get readyState(): RTCDataChannelState { return this.#readyState; }
  get bufferedAmount(): number {
    return (this.#taskBuffered ?? this.#handle?.bufferedAmount ?? 0) + this.#pendingBytes;
  }
  get bufferedAmountLowThreshold(): number { return this.#threshold; }
  set bufferedAmountLowThreshold(v: number) {
    const n = Number(v) >>> 0; // unsigned long (WebIDL)
    this.#threshold = n;
    if (this.#handle) this.#handle.bufferedAmountLowThreshold = n;
  }
  get binaryType(): BinaryType { return this.#binaryType; }
  set binaryType(v: BinaryType) {
    // WebIDL enum attribute: invalid values are ignored.
    if (v === 'blob' || v === 'arraybuffer') this.#binaryType = v;
  }

  get onopen() { return this.getHandler('open'); }
  set onopen(h) { this.setHandler('open', h); }
  get onmessage() { return this.getHandler<MessageEvent>('message'); }
  set onmessage(h) { this.setHandler('message', h); }
  get onbufferedamountlow() { return this.getHandler('bufferedamountlow'); }
  set onbufferedamountlow(h) { this.setHandler('bufferedamountlow', h); }
  get onerror() { return this.getHandler<RTCErrorEvent>('error'); }
  set onerror(h) { this.setHandler('error', h); }
  get onclosing() { return this.getHandler('closing'); }
  set onclosing(h) { this.setHandler('closing', h); }
  get onclose() { return this.getHandler('close'); }
  set onclose(h) { this.setHandler('close', h); }

  /** §6.2 send(): InvalidStateError unless open; TypeError above the SCTP transport's maxMessageSize. */
  send(data: string | ArrayBuffer | ArrayBufferView | Blob): void {
    if (this.#readyState !== 'open') {
      throw invalidState(`RTCDataChannel.send: readyState is "${this.#readyState}", not "open"`);
    }
    let bytes: Uint8Array | string;
    let size: number;
    if (typeof data === 'string') {
      bytes = data;
      size = Buffer.byteLength(data, 'utf8');
    } else if (data instanceof ArrayBuffer) {
      bytes = captureBytes(new Uint8Array(data));
      size = bytes.length;
    } else if (ArrayBuffer.isView(data)) {
      bytes = captureBytes(data instanceof Uint8Array ? data : new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
      size = bytes.length;
    } else if (typeof Blob !== 'undefined' && data instanceof Blob) {
      this.#checkSize(data.size);
      this.#sendBlob(data);
      return;
    } else {
      throw new TypeError('RTCDataChannel.send: data must be a string, ArrayBuffer, ArrayBufferView or Blob');
    }
    this.#checkSize(size);
    if (this.#sendChain) {
      // Keep order behind a Blob still being read.
      this.#pendingBytes += size;
      this.#sendChain = this.#sendChain.then(() => {
        this.#pendingBytes -= size;
        this.#transmit(bytes, size);
      });
      return;
    }
    this.#transmit(bytes, size);
  }

  close(): void {
    if (this.#readyState === 'closing' || this.#readyState === 'closed') return;
    this.#closeRequested = true;
    this.#readyState = 'closing';
    if (this.#handle) this.#handle.close();
    else this.#finishClose();
  }

  #checkSize(size: number): void {
    const max = this.#maxMessageSize();
    if (max > 0 && size > max) {
      throw new TypeError(`RTCDataChannel.send: message of ${size} bytes exceeds the SCTP transport's maxMessageSize ${max}`);
    }
  }

  #sendBlob(blob: Blob): void {
    const size = blob.size;
    this.#pendingBytes += size;
    const prev = this.#sendChain ?? Promise.resolve();
    const next = prev.then(async () => {
      const buf = new Uint8Array(await blob.arrayBuffer());
      this.#pendingBytes -= size;
      this.#transmit(buf, buf.byteLength);
    });
    this.#sendChain = next;
    void next.finally(() => {
      if (this.#sendChain === next) this.#sendChain = null;
    });
  }

  /** `size` is the message's byte length (UTF-8 for strings), already computed by send(). */
  #transmit(bytes: Uint8Array | string, size: number): void {
    if (this.#readyState !== 'open' || !this.#handle) return;
    if (this.#taskBuffered === undefined) {
      this.#taskBuffered = this.#handle.bufferedAmount;
      setImmediate(() => {
        this.#taskBuffered = undefined;
      });
    }
    this.#taskBuffered += size;
    this.#handle.send(bytes);
  }

  #finishClose(error?: RTCError): void {
    if (this.#readyState === 'closed') return;
    this.#readyState = 'closed';
    if (error) this.fire(new RTCErrorEvent('error', { error }));
    this.fire(new Event('close'));
  }

  #onMessage(data: string | Uint8Array): void {
    if (this.#readyState !== 'open') return;
    let payload: string | ArrayBuffer | Blob;
    if (typeof data === 'string') payload = data;
    else {
      // §6.2 "a new ArrayBuffer". A message SCTP reassembled from several chunks arrives in a
      // Buffer of its own that spans its whole ArrayBuffer, and @rivulet/sctp keeps no reference
      // to such a Buffer (its delivery contract, docs/sctp.md): that ArrayBuffer is handed over
      // as it is, saving a copy and an allocation of the message's size (16 KiB messages: as
      // many bytes again of external memory, which drives V8's mark-compact GCs). Anything else
      // is a view into a packet buffer: one copy, with the Uint8Array copy constructor
      // (allocates and copies in one step, no zero fill; ~25 % cheaper than new ArrayBuffer + set).
      const whole = data.byteOffset === 0 && data.byteLength === data.buffer.byteLength && data.buffer instanceof ArrayBuffer;
      const ab = whole ? (data.buffer as ArrayBuffer) : new Uint8Array(data).buffer;
      payload = this.#binaryType === 'blob' ? new Blob([ab]) : ab;
    }
    this.fire(new MessageEvent('message', { data: payload }));
  }

  static {
    dataChannelInternals = {
      create(params, maxMessageSize) {
        constructing = true;
        return new RTCDataChannel(params, maxMessageSize);
      },
      attach(dc, handle) {
        dc.#handle = handle;
        dc.#id = handle.id;
        handle.bufferedAmountLowThreshold = dc.#threshold;
        handle.on('open', () => {
          if (dc.#readyState !== 'connecting') return;
          dc.#id = handle.id;
          dc.#readyState = 'open';
          dc.fire(new Event('open'));
        });
        handle.on('message', (data) => dc.#onMessage(data));
        handle.on('bufferedamountlow', () => {
          // §6.2: "queue a task" to fire bufferedamountlow, and that task sees the decreased
          // bufferedAmount. The association reports the decrease synchronously (possibly inside a
          // send(), or in the same event-loop turn as an earlier send(): several datagrams are
          // handled per poll phase). Firing there, a listener that refills read the stale per-task
          // figure above its high-water mark, sent nothing, and no further event ever came: the
          // channel stalled (bench/datachannel-rate.ts stopped at 3 186 messages).
          setImmediate(() => {
            dc.#taskBuffered = undefined;
            if (dc.#readyState === 'open' || dc.#readyState === 'closing') dc.fire(new Event('bufferedamountlow'));
          });
        });
        handle.on('closing', () => {
          if (dc.#readyState === 'closed') return;
          if (dc.#readyState !== 'closing') {
            dc.#readyState = 'closing';
            if (!dc.#closeRequested) dc.fire(new Event('closing'));
          }
        });
        handle.on('error', (err) => {
          dc.#finishClose(new RTCError({ errorDetail: 'sctp-failure' }, err.message));
        });
        handle.on('close', () => dc.#finishClose());
        if (dc.#closeRequested) handle.close();
      },
      handle: (dc) => dc.#handle,
      announceOpen(dc) {
        if (dc.#readyState !== 'connecting') return;
        dc.#readyState = 'open';
        dc.fire(new Event('open'));
      },
      closeSilently(dc) {
        dc.#readyState = 'closed';
        dc.#handle?.close();
      },
      closeAbruptly(dc, error) {
        dc.#finishClose(error);
      },
    };
  }
}

export interface RTCDataChannelEventInit {
  bubbles?: boolean;
  cancelable?: boolean;
  composed?: boolean;
  channel: RTCDataChannel;
}

export class RTCDataChannelEvent extends Event {
  readonly channel: RTCDataChannel;
  constructor(type: string, init: RTCDataChannelEventInit) {
    super(type, init);
    if (!(init?.channel instanceof RTCDataChannel)) throw new TypeError('RTCDataChannelEvent: init.channel must be an RTCDataChannel');
    this.channel = init.channel;
  }
}

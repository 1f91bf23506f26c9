/**
 * RTCDTMFSender (webrtc-pc §7): DTMF as RFC 4733 telephone-event packets in the audio stream's SSRC
 * and sequence space. Tones play one after another, each `duration` ms (40-6000) then
 * `interToneGap` ms (30-6000); "," pauses 2 s; tonechange fires as each tone starts and with ""
 * when the buffer is empty.
 */
import type { Timer } from '@rivulet/common';
import { RivuletEventTarget } from '../base/eventTarget.js';
import { domError, invalidState } from '../base/errors.js';
import type { SenderState } from './RTCRtpSender.js';
import type { TransceiverState } from './RTCRtpTransceiver.js';

const VALID = /^[0-9A-D#*,]*$/;
/** RFC 4733 §3.2 event codes. */
const EVENT: Record<string, number> = {
  '0': 0, '1': 1, '2': 2, '3': 3, '4': 4, '5': 5, '6': 6, '7': 7, '8': 8, '9': 9, '*': 10, '#': 11, A: 12, B: 13, C: 14, D: 15,
};
/** RFC 4733 §2.5.1.2: update packets every 50 ms, the end packet sent three times. */
const PACKET_INTERVAL_MS = 50;
const END_REPEATS = 3;
/** -10 dBm0, a typical DTMF level (RFC 4733 §2.3.4). */
const VOLUME = 10;

export class RTCDTMFToneChangeEvent extends Event {
  readonly tone: string;
  constructor(type: string, init: { tone?: string; bubbles?: boolean; cancelable?: boolean; composed?: boolean } = {}) {
    super(type, init);
    this.tone = init.tone ?? '';
  }
}

let constructing = false;
// Assigned by the class's static block (declared first: temporal dead zone).
export let dtmfInternals: {
  create(sender: SenderState, transceiver: () => TransceiverState | null): RTCDTMFSender;
  /** Stops playout (transceiver stopped or connection closed). */
  stop(d: RTCDTMFSender): void;
};

export class RTCDTMFSender extends RivuletEventTarget {
  readonly #sender: SenderState;
  readonly #transceiver: () => TransceiverState | null;
  #toneBuffer = '';
  #duration = 100;
  #gap = 70;
  #playout: Timer | null = null;
  #packets: Timer | null = null;

  /** Not constructible by applications (RTCRtpSender.dtmf). */
  constructor(sender: SenderState, transceiver: () => TransceiverState | null) {
    super();
    if (!constructing) throw new TypeError('Illegal constructor');
    constructing = false;
    this.#sender = sender;
    this.#transceiver = transceiver;
  }

  get toneBuffer(): string { return this.#toneBuffer; }

  get ontonechange() { return this.getHandler<RTCDTMFToneChangeEvent>('tonechange'); }
  set ontonechange(h) { this.setHandler('tonechange', h); }

  /** True once telephone-event was negotiated and the transceiver sends. */
  get canInsertDTMF(): boolean {
    const t = this.#transceiver();
    if (!t || t.stopping || !this.#sender.pipeline) return false;
    if (t.currentDirection !== 'sendrecv' && t.currentDirection !== 'sendonly') return false;
    return this.#eventCodec() !== undefined;
  }

  insertDTMF(tones: string, duration = 100, interToneGap = 70): void {
    const t = this.#transceiver();
    if (this.#sender.ctx.isClosed || !t || t.stopping) throw invalidState('insertDTMF: the transceiver is stopping or stopped');
    if (t.currentDirection !== 'sendrecv' && t.currentDirection !== 'sendonly') {
      throw invalidState(`insertDTMF: the transceiver does not send (currentDirection ${JSON.stringify(t.currentDirection)})`);
    }
    const upper = String(tones).toUpperCase();
    if (!VALID.test(upper)) {
      throw domError('InvalidCharacterError', `insertDTMF: ${JSON.stringify(tones)} contains characters other than 0-9 A-D # * ,`);
    }
    this.#toneBuffer = upper;
    this.#duration = Math.min(6000, Math.max(40, Math.trunc(Number(duration) || 0)));
    this.#gap = Math.min(6000, Math.max(30, Math.trunc(Number(interToneGap) || 0)));
    if (this.#toneBuffer === '' || this.#playout) return;
    this.#schedule(0);
  }

  #eventCodec(): { payloadType: number; clockRate: number } | undefined {
    const n = this.#sender.negotiated;
    const send = n?.codecs[0];
    if (!n || !send) return undefined;
    // RFC 4733 §2.1: the event clock must be the audio stream's clock.
    return n.codecs.find((c) => c.mimeType.toLowerCase() === 'audio/telephone-event' && c.clockRate === send.clockRate);
  }

  #schedule(ms: number): void {
    this.#playout = this.#sender.ctx.clock.setTimeout(() => this.#runPlayout(), ms);
  }

  /** webrtc-pc §7.2 "playout task". */
  #runPlayout(): void {
    this.#playout = null;
    const t = this.#transceiver();
    if (this.#sender.ctx.isClosed || !t || t.stopping) return;
    if (this.#toneBuffer === '') {
      this.fire(new RTCDTMFToneChangeEvent('tonechange', { tone: '' }));
      return;
    }
    const tone = this.#toneBuffer[0]!;
    this.#toneBuffer = this.#toneBuffer.slice(1);
    if (tone === ',') {
      this.#schedule(2000);
    } else {
      this.#sendEvent(EVENT[tone]!, this.#duration);
      this.#schedule(this.#duration + this.#gap);
    }
    this.fire(new RTCDTMFToneChangeEvent('tonechange', { tone }));
  }

  /** RFC 4733 §2.5.1: start (marker), updates every 50 ms, three end packets; one timestamp. */
  #sendEvent(event: number, durationMs: number): void {
    const codec = this.#eventCodec();
    const pipeline = this.#sender.pipeline;
    if (!codec || !pipeline) return;
    const timestamp = pipeline.currentTimestamp();
    const units = (ms: number) => Math.min(0xffff, Math.round((ms * codec.clockRate) / 1000));
    let elapsed = 0;
    let endsSent = 0;
    let first = true;
    const step = () => {
      this.#packets = null;
      const p = this.#sender.pipeline;
      if (!p || this.#sender.ctx.isClosed) return;
      elapsed = Math.min(durationMs, elapsed + PACKET_INTERVAL_MS);
      const end = elapsed >= durationMs;
      const payload = Buffer.from([event, (end ? 0x80 : 0) | VOLUME, 0, 0]);
      payload.writeUInt16BE(units(elapsed), 2);
      // RFC 4733 §2.5.1.1: the marker bit flags the first packet of an event.
      p.sendOnMainStream(codec.payloadType, payload, first, timestamp);
      first = false;
      if (end) endsSent++;
      if (!end || endsSent < END_REPEATS) this.#packets = this.#sender.ctx.clock.setTimeout(step, end ? 0 : PACKET_INTERVAL_MS);
    };
    step();
  }

  static {
    dtmfInternals = {
      create(sender, transceiver) {
        constructing = true;
        return new RTCDTMFSender(sender, transceiver);
      },
      stop(d) {
        d.#playout?.cancel();
        d.#packets?.cancel();
        d.#playout = null;
        d.#packets = null;
        d.#toneBuffer = '';
      },
    };
  }
}

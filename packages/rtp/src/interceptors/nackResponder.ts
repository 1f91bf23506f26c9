import { Counters } from '@rivulet/common';
import { nackSequenceNumbers, type RtcpPacket } from '../rtcp/index.js';
import { wrapRtx, type RtpPacket } from '../rtp/index.js';
import { hasFeedback, type Interceptor, type InterceptorContext, type StreamInfo } from './interceptor.js';

export interface NackResponderOptions {
  /** Packets kept per stream; a power of two. Default 1024 (~1 s of 8 Mbit/s video). */
  historySize?: number;
  /** Packets older than this are not resent, ms. Default 1000. */
  maxAgeMs?: number;
  /** The same packet is resent at most once per this many ms (duplicate NACKs). Default 10. */
  minResendIntervalMs?: number;
  /** Most sequence numbers honoured from one NACK packet. Default 512. */
  maxPerNack?: number;
  /** First RTX sequence number per stream; default random (RFC 4588 §4 / RFC 3550 §5.1). */
  rtxInitialSequence?: (ssrc: number) => number;
  /**
   * Called on each RTX packet (a clone carrying the original's header extensions) before it is
   * sent, e.g. to replace the RtpStreamId extension with RepairedRtpStreamId (RFC 8852 §3).
   */
  rewriteRtx?: (rtx: RtpPacket, original: RtpPacket) => void;
}

export type NackResponderCounter = 'nacksReceived' | 'sequencesRequested' | 'resent' | 'resentRtx' | 'notInHistory' | 'tooOld' | 'throttled';

interface Slot {
  packet: RtpPacket;
  sentAt: number;
  resentAt: number;
}

interface LocalState {
  stream: StreamInfo;
  ring: (Slot | undefined)[];
  rtxSeq: number;
  rtx: boolean;
}

/**
 * Sender side of Generic NACK (RFC 4585 §6.2.1): a ring of recently sent packets per local stream
 * that negotiated 'nack'; each NACKed sequence number still in the ring (same sequence number, not
 * too old) is answered with an RFC 4588 RTX packet when an RTX stream is bound, else with the
 * original packet again. Anything else is counted and ignored.
 */
export class NackResponder implements Interceptor {
  readonly counters = new Counters<NackResponderCounter>();
  private ctx: InterceptorContext | undefined;
  private readonly streams = new Map<number, LocalState>();
  private readonly size: number;
  private readonly mask: number;
  private readonly maxAgeMs: number;
  private readonly minResendIntervalMs: number;
  private readonly maxPerNack: number;
  private readonly rtxInitial: (ssrc: number) => number;
  private readonly rewriteRtx: ((rtx: RtpPacket, original: RtpPacket) => void) | undefined;

  constructor(options: NackResponderOptions = {}) {
    this.size = options.historySize ?? 1024;
    if (!Number.isInteger(this.size) || this.size < 1 || this.size > 32768 || (this.size & (this.size - 1)) !== 0) {
      throw new Error(`NackResponder historySize must be a power of two in [1, 32768], got ${this.size}`);
    }
    this.mask = this.size - 1;
    this.maxAgeMs = options.maxAgeMs ?? 1000;
    this.minResendIntervalMs = options.minResendIntervalMs ?? 10;
    this.maxPerNack = options.maxPerNack ?? 512;
    this.rtxInitial = options.rtxInitialSequence ?? (() => Math.floor(Math.random() * 0x10000));
    this.rewriteRtx = options.rewriteRtx;
  }

  attach(context: InterceptorContext): void {
    this.ctx = context;
  }

  bindLocalStream(stream: StreamInfo): void {
    if (!hasFeedback(stream, 'nack')) return;
    const rtx = stream.rtxSsrc !== undefined && stream.rtxPayloadType !== undefined;
    this.streams.set(stream.ssrc, {
      stream,
      ring: new Array<Slot | undefined>(this.size),
      rtxSeq: rtx ? this.rtxInitial(stream.ssrc) & 0xffff : 0,
      rtx,
    });
  }

  unbindLocalStream(ssrc: number): void {
    this.streams.delete(ssrc);
  }

  outgoingRtp(packet: RtpPacket, now: number): RtpPacket | undefined {
    const st = this.streams.get(packet.ssrc);
    if (st !== undefined) st.ring[packet.sequenceNumber & this.mask] = { packet, sentAt: now, resentAt: -Infinity };
    return packet;
  }

  incomingRtcp(packets: RtcpPacket[], now: number): RtcpPacket[] {
    for (const p of packets) {
      if (p.kind !== 'nack') continue;
      const st = this.streams.get(p.mediaSsrc);
      if (st === undefined) continue;
      this.counters.inc('nacksReceived');
      const seqs = nackSequenceNumbers(p.items);
      const n = Math.min(seqs.length, this.maxPerNack);
      this.counters.inc('sequencesRequested', seqs.length);
      for (let i = 0; i < n; i++) this.resend(st, seqs[i]!, now);
    }
    return packets;
  }

  private resend(st: LocalState, seq: number, now: number): void {
    const slot = st.ring[seq & this.mask];
    if (slot === undefined || slot.packet.sequenceNumber !== seq) {
      this.counters.inc('notInHistory');
      return;
    }
    if (now - slot.sentAt > this.maxAgeMs) {
      this.counters.inc('tooOld');
      return;
    }
    if (now - slot.resentAt < this.minResendIntervalMs) {
      this.counters.inc('throttled');
      return;
    }
    slot.resentAt = now;
    if (st.rtx) {
      const rtx = wrapRtx(slot.packet, { payloadType: st.stream.rtxPayloadType!, ssrc: st.stream.rtxSsrc!, sequenceNumber: st.rtxSeq });
      st.rtxSeq = (st.rtxSeq + 1) & 0xffff;
      this.rewriteRtx?.(rtx, slot.packet);
      this.counters.inc('resentRtx');
      this.ctx?.sendRtp(rtx);
    } else {
      this.counters.inc('resent');
      this.ctx?.sendRtp(slot.packet);
    }
  }

  close(): void {
    this.streams.clear();
  }
}

import { Counters, unwrap16, type Timer } from '@rivulet/common';
import { nackItemsFromSequenceNumbers, type RtcpGenericNack } from '../rtcp/index.js';
import { unwrapRtx, type RtpPacket } from '../rtp/index.js';
import { hasFeedback, type Interceptor, type InterceptorContext, type StreamInfo } from './interceptor.js';

export interface NackGeneratorOptions {
  /** SSRC we put in the NACK's sender field (RFC 4585 §6.1). Default 1, as browsers do without a sender. */
  senderSsrc?: number;
  /** How often missing packets are examined and NACKs sent, ms. Default 20. */
  intervalMs?: number;
  /** A gap must be this old before its first NACK, so plain reordering is not NACKed. Default 10 ms. */
  reorderToleranceMs?: number;
  /**
   * Time between two NACKs for the same packet, ms, until an RTT is known (setRoundTripTime);
   * then 1.5 × RTT clamped to [minRetryIntervalMs, 1000]. Default 100.
   */
  retryIntervalMs?: number;
  /** Lower bound of the RTT-derived retry interval, ms. Default 20. */
  minRetryIntervalMs?: number;
  /** NACKs per packet before giving up. Default 5. */
  maxRetries?: number;
  /** A missing packet older than this is abandoned, ms. Default 1000. */
  maxAgeMs?: number;
  /** A forward jump larger than this many packets is a stream discontinuity, not loss. Default 1000. */
  maxGap?: number;
  /** Most sequence numbers in one NACK packet. Default 256. */
  maxPerNack?: number;
}

export type NackGeneratorCounter =
  | 'nackPacketsSent' | 'nackedSequences' | 'recovered' | 'recoveredLate' | 'givenUp' | 'discontinuities' | 'rtxUnwrapped'
  | 'rtxPaddingDropped' | 'rtxMalformed' | 'rtxDuplicate' | 'rtxUnknownPayloadType';

/** Most missing packets remembered per stream. */
const MAX_TRACKED = 2048;
/** Most RTX SSRCs per media stream (a sender restarting its RTX stream takes a new one). */
const MAX_RTX_SSRCS = 4;

interface Missing {
  detectedAt: number;
  sent: number;
  lastSentAt: number;
}

interface RemoteState {
  stream: StreamInfo;
  highest: number; // extended; -1 before the first packet
  missing: Map<number, Missing>;
  /** Extended sequence numbers given up on recently (a late retransmission still fills them). */
  givenUp: Set<number>;
  /** RTX SSRCs of this stream: the announced one (FID) and any learned later (bindRtx). */
  rtxSsrcs: number[];
  /** RTX payload type → original payload type (RFC 4588 §8.6 apt); undefined: the stream's payloadType. */
  apt: ReadonlyMap<number, number> | undefined;
}

/**
 * Receiver side of RFC 4585 Generic NACK. Keeps a receive log per remote stream that negotiated
 * 'nack' (16-bit sequence numbers unwrapped), and on a periodic tick sends one NACK per stream for
 * the gaps that are real: older than the reorder tolerance, not NACKed within the retry interval,
 * not retried too often, not too old. A persistent outage therefore costs at most maxRetries NACKs
 * per packet, paced by retryIntervalMs — no storm. Also unwraps RFC 4588 RTX packets back into the
 * original stream, so recovered packets fill the gaps and reach the application — from the RTX SSRC
 * announced at binding (a=ssrc-group:FID) or learned later with bindRtx (RFC 8852 repaired-rid).
 * A retransmission of a packet already received is dropped (rtxDuplicate), so nothing downstream
 * sees it twice and it is never counted as a repair.
 */
export class NackGenerator implements Interceptor {
  readonly counters = new Counters<NackGeneratorCounter>();
  private ctx: InterceptorContext | undefined;
  private timer: Timer | undefined;
  private readonly streams = new Map<number, RemoteState>();
  private readonly rtxToMedia = new Map<number, RemoteState>();
  private readonly o: Required<NackGeneratorOptions>;
  private retryMs: number;

  constructor(options: NackGeneratorOptions = {}) {
    this.o = {
      senderSsrc: options.senderSsrc ?? 1,
      intervalMs: options.intervalMs ?? 20,
      reorderToleranceMs: options.reorderToleranceMs ?? 10,
      retryIntervalMs: options.retryIntervalMs ?? 100,
      minRetryIntervalMs: options.minRetryIntervalMs ?? 20,
      maxRetries: options.maxRetries ?? 5,
      maxAgeMs: options.maxAgeMs ?? 1000,
      maxGap: options.maxGap ?? 1000,
      maxPerNack: options.maxPerNack ?? 256,
    };
    this.retryMs = this.o.retryIntervalMs;
    if (!(this.o.intervalMs > 0)) throw new Error(`NackGenerator intervalMs must be > 0, got ${this.o.intervalMs}`);
    if (!(this.o.maxRetries >= 1)) throw new Error(`NackGenerator maxRetries must be >= 1, got ${this.o.maxRetries}`);
  }

  attach(context: InterceptorContext): void {
    this.ctx = context;
  }

  /** The current retry interval, ms. */
  get retryIntervalMs(): number {
    return this.retryMs;
  }

  /**
   * A retransmission cannot arrive sooner than one RTT after the NACK, so re-NACKing earlier only
   * adds load: retry after 1.5 × RTT (clamped). Fed by RtcpReports in createDefaultInterceptors.
   */
  setRoundTripTime(rttMs: number): void {
    if (!Number.isFinite(rttMs) || rttMs < 0) return;
    this.retryMs = Math.min(1000, Math.max(this.o.minRetryIntervalMs, 1.5 * rttMs));
  }

  bindRemoteStream(stream: StreamInfo): void {
    if (!hasFeedback(stream, 'nack')) return;
    const st: RemoteState = {
      stream, highest: -1, missing: new Map(), givenUp: new Set(), rtxSsrcs: stream.rtxSsrc !== undefined ? [stream.rtxSsrc] : [], apt: undefined,
    };
    this.streams.set(stream.ssrc, st);
    if (stream.rtxSsrc !== undefined) this.rtxToMedia.set(stream.rtxSsrc, st);
    this.schedule();
  }

  /**
   * Adds an RTX stream to a bound media stream without touching its receive log (pending NACKs
   * stay pending). For RTX SSRCs learned from the packets themselves — RFC 8852 §3
   * RepairedRtpStreamId on rid-based simulcast, where the RTX SSRC is not in the SDP. `apt` maps
   * each RTX payload type to its original (RFC 4588 §8.6); an RTX packet of another payload type
   * is dropped and counted. Returns false when `mediaSsrc` is not bound (or did not negotiate
   * 'nack'), or `rtxSsrc` already repairs another stream.
   */
  bindRtx(mediaSsrc: number, rtxSsrc: number, apt?: ReadonlyMap<number, number>): boolean {
    const st = this.streams.get(mediaSsrc);
    if (st === undefined || this.streams.has(rtxSsrc)) return false;
    const other = this.rtxToMedia.get(rtxSsrc);
    if (other !== undefined && other !== st) return false;
    if (!st.rtxSsrcs.includes(rtxSsrc)) {
      // Bounded: a peer naming ever new RTX SSRCs cannot grow this; the oldest one is forgotten.
      if (st.rtxSsrcs.length >= MAX_RTX_SSRCS) this.rtxToMedia.delete(st.rtxSsrcs.shift()!);
      st.rtxSsrcs.push(rtxSsrc);
    }
    if (apt !== undefined) st.apt = apt;
    this.rtxToMedia.set(rtxSsrc, st);
    return true;
  }

  /** The media SSRC an RTX SSRC repairs, if bound. */
  mediaSsrcOfRtx(rtxSsrc: number): number | undefined {
    return this.rtxToMedia.get(rtxSsrc)?.stream.ssrc;
  }

  unbindRemoteStream(ssrc: number): void {
    const st = this.streams.get(ssrc);
    if (st === undefined) return;
    this.streams.delete(ssrc);
    for (const r of st.rtxSsrcs) if (this.rtxToMedia.get(r) === st) this.rtxToMedia.delete(r);
    if (this.streams.size === 0) this.stop();
  }

  /** Sequence numbers (16-bit) currently considered missing on `ssrc`, oldest first. */
  missingSequences(ssrc: number): number[] {
    const st = this.streams.get(ssrc);
    return st === undefined ? [] : [...st.missing.keys()].map((e) => e & 0xffff);
  }

  incomingRtp(packet: RtpPacket, now: number): RtpPacket | undefined {
    const st = this.streams.get(packet.ssrc);
    if (st !== undefined) {
      this.record(st, packet.sequenceNumber, now);
      return packet;
    }
    const rst = this.rtxToMedia.get(packet.ssrc);
    return rst === undefined ? packet : this.unwrap(rst, packet, now);
  }

  /**
   * RFC 4588 §4: payload = OSN ‖ original payload; the original gets back its sequence number,
   * payload type (apt) and SSRC. Empty payloads are padding probes (bandwidth estimation) and
   * carry nothing for the application. A retransmission of a packet already received (the
   * original was only late, or a second NACK was answered too) is dropped here, so it is neither
   * delivered twice nor counted as a repair.
   */
  private unwrap(st: RemoteState, packet: RtpPacket, now: number): RtpPacket | undefined {
    if (packet.payload.length < 2) {
      this.counters.inc(packet.payload.length === 0 ? 'rtxPaddingDropped' : 'rtxMalformed');
      return undefined;
    }
    let pt = st.stream.payloadType ?? packet.payloadType;
    if (st.apt !== undefined) {
      const a = st.apt.get(packet.payloadType);
      if (a === undefined) {
        this.counters.inc('rtxUnknownPayloadType');
        return undefined;
      }
      pt = a;
    }
    const p = unwrapRtx(packet, { payloadType: pt, ssrc: st.stream.ssrc });
    this.counters.inc('rtxUnwrapped');
    if (st.highest >= 0) {
      const ext = unwrap16(st.highest, p.sequenceNumber);
      if (ext <= st.highest && !st.missing.has(ext)) {
        if (!st.givenUp.delete(ext)) {
          this.counters.inc('rtxDuplicate');
          return undefined;
        }
        this.counters.inc('recoveredLate');
        return p;
      }
    }
    this.record(st, p.sequenceNumber, now);
    return p;
  }

  private giveUp(st: RemoteState, ext: number): void {
    st.missing.delete(ext);
    this.counters.inc('givenUp');
    if (st.givenUp.size >= MAX_TRACKED) st.givenUp.delete(st.givenUp.values().next().value!);
    st.givenUp.add(ext);
  }

  private record(st: RemoteState, seq: number, now: number): void {
    if (st.highest < 0) {
      st.highest = seq;
      return;
    }
    const ext = unwrap16(st.highest, seq);
    if (ext > st.highest) {
      const gap = ext - st.highest - 1;
      if (gap > this.o.maxGap) {
        // A jump this large is a restart or SSRC reuse, not loss: NACKing it would be a storm.
        st.missing.clear();
        st.givenUp.clear();
        this.counters.inc('discontinuities');
      } else {
        for (let s = st.highest + 1; s < ext; s++) {
          // Bound the log: the oldest gaps are the least likely to be recovered in time.
          if (st.missing.size >= MAX_TRACKED) this.giveUp(st, st.missing.keys().next().value!);
          st.missing.set(s, { detectedAt: now, sent: 0, lastSentAt: -Infinity });
        }
      }
      st.highest = ext;
    } else if (st.missing.delete(ext)) {
      this.counters.inc('recovered');
    } else {
      st.givenUp.delete(ext);
    }
  }

  private schedule(): void {
    if (this.timer !== undefined || this.ctx === undefined) return;
    this.timer = this.ctx.clock.setTimeout(() => {
      this.timer = undefined;
      this.tick();
      if (this.streams.size > 0) this.schedule();
    }, this.o.intervalMs);
  }

  private stop(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }

  private tick(): void {
    const ctx = this.ctx;
    if (ctx === undefined) return;
    const now = ctx.clock.now();
    const o = this.o;
    for (const st of this.streams.values()) {
      const due: number[] = [];
      for (const [ext, m] of st.missing) {
        if (now - m.detectedAt > o.maxAgeMs || m.sent >= o.maxRetries) {
          this.giveUp(st, ext);
          continue;
        }
        if (now - m.detectedAt < o.reorderToleranceMs || now - m.lastSentAt < this.retryMs) continue;
        if (due.length >= o.maxPerNack) continue;
        m.sent++;
        m.lastSentAt = now;
        due.push(ext & 0xffff);
      }
      if (due.length === 0) continue;
      const nack: RtcpGenericNack = {
        kind: 'nack',
        senderSsrc: o.senderSsrc,
        mediaSsrc: st.stream.ssrc,
        items: nackItemsFromSequenceNumbers(due),
      };
      this.counters.inc('nackPacketsSent');
      this.counters.inc('nackedSequences', due.length);
      ctx.sendRtcp([nack]);
    }
  }

  close(): void {
    this.stop();
    this.streams.clear();
    this.rtxToMedia.clear();
  }
}

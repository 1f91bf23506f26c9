import { Counters } from '@rivulet/common';
import type { RtcpFullIntraRequest, RtcpPacket } from '../rtcp/index.js';
import { hasFeedback, type Interceptor, type InterceptorContext, type StreamInfo } from './interceptor.js';

export interface KeyframeRequestsOptions {
  /** SSRC in the sender field of our PLI/FIR. Default 1. */
  senderSsrc?: number;
  /** At most one PLI/FIR per remote stream per this many ms (ours or the application's). Default 500. */
  minRequestIntervalMs?: number;
  /** At most one keyframe request per local stream is passed to the application per this many ms. Default 250. */
  minForwardIntervalMs?: number;
}

export type KeyframeCounter = 'pliSent' | 'firSent' | 'requestsThrottled' | 'pliReceived' | 'firReceived' | 'receivedThrottled' | 'firDuplicate' | 'unsupported';

interface Remote {
  stream: StreamInfo;
  lastSentAt: number;
  firSeq: number;
}

interface Local {
  lastForwardedAt: number;
  lastFirSeq: number;
}

/**
 * Keyframe requests (RFC 4585 §6.3.1 PLI, RFC 5104 §4.3.1 FIR) with throttling both ways.
 * Receiving side: `requestKeyframe(ssrc)` sends a PLI when 'nack pli' was negotiated, else a FIR
 * when 'ccm fir' was, at most once per minRequestIntervalMs — a decoder that keeps failing cannot
 * flood the sender; PLI/FIR the application writes itself are throttled the same way.
 * Sending side: PLI/FIR about our streams reach the application at most once per
 * minForwardIntervalMs, and a FIR whose sequence number repeats the last one is a retransmission
 * of the same request (§4.3.1.2) and is dropped.
 */
export class KeyframeRequests implements Interceptor {
  readonly counters = new Counters<KeyframeCounter>();
  private ctx: InterceptorContext | undefined;
  private readonly remotes = new Map<number, Remote>();
  private readonly locals = new Map<number, Local>();
  private readonly senderSsrc: number;
  private readonly minRequest: number;
  private readonly minForward: number;

  constructor(options: KeyframeRequestsOptions = {}) {
    this.senderSsrc = options.senderSsrc ?? 1;
    this.minRequest = options.minRequestIntervalMs ?? 500;
    this.minForward = options.minForwardIntervalMs ?? 250;
  }

  attach(context: InterceptorContext): void {
    this.ctx = context;
  }

  bindRemoteStream(stream: StreamInfo): void {
    this.remotes.set(stream.ssrc, { stream, lastSentAt: -Infinity, firSeq: 0 });
  }
  unbindRemoteStream(ssrc: number): void {
    this.remotes.delete(ssrc);
  }
  bindLocalStream(stream: StreamInfo): void {
    this.locals.set(stream.ssrc, { lastForwardedAt: -Infinity, lastFirSeq: -1 });
  }
  unbindLocalStream(ssrc: number): void {
    this.locals.delete(ssrc);
  }

  /** Ask the sender of remote stream `ssrc` for a keyframe. Returns false when throttled or not negotiated. */
  requestKeyframe(ssrc: number): boolean {
    const r = this.remotes.get(ssrc);
    if (r === undefined || this.ctx === undefined) {
      throw new Error(`requestKeyframe: SSRC ${ssrc} is not a bound remote stream`);
    }
    const now = this.ctx.clock.now();
    if (!hasFeedback(r.stream, 'nack pli') && !hasFeedback(r.stream, 'ccm fir')) {
      this.counters.inc('unsupported');
      return false;
    }
    if (now - r.lastSentAt < this.minRequest) {
      this.counters.inc('requestsThrottled');
      return false;
    }
    const pkt = this.requestFor(r)!;
    r.lastSentAt = now;
    this.countSent(pkt);
    this.ctx.sendRtcp([pkt]);
    return true;
  }

  private requestFor(r: Remote): RtcpPacket | undefined {
    if (hasFeedback(r.stream, 'nack pli')) return { kind: 'pli', senderSsrc: this.senderSsrc, mediaSsrc: r.stream.ssrc };
    if (hasFeedback(r.stream, 'ccm fir')) {
      // RFC 5104 §4.3.1.2: a new request gets a new sequence number; media SSRC field is 0.
      r.firSeq = (r.firSeq + 1) & 0xff;
      const fir: RtcpFullIntraRequest = { kind: 'fir', senderSsrc: this.senderSsrc, mediaSsrc: 0, entries: [{ ssrc: r.stream.ssrc, sequenceNumber: r.firSeq }] };
      return fir;
    }
    return undefined;
  }

  private countSent(p: RtcpPacket): void {
    this.counters.inc(p.kind === 'pli' ? 'pliSent' : 'firSent');
  }

  outgoingRtcp(packets: RtcpPacket[], now: number): RtcpPacket[] {
    let out: RtcpPacket[] | undefined;
    for (let i = 0; i < packets.length; i++) {
      const p = packets[i]!;
      const target = p.kind === 'pli' ? p.mediaSsrc : p.kind === 'fir' ? p.entries[0]?.ssrc : undefined;
      const r = target === undefined ? undefined : this.remotes.get(target);
      let keep = true;
      if (r !== undefined) {
        if (now - r.lastSentAt < this.minRequest) {
          keep = false;
          this.counters.inc('requestsThrottled');
        } else {
          r.lastSentAt = now;
          this.countSent(p);
        }
      }
      if (!keep && out === undefined) out = packets.slice(0, i);
      else if (keep && out !== undefined) out.push(p);
    }
    return out ?? packets;
  }

  incomingRtcp(packets: RtcpPacket[], now: number): RtcpPacket[] {
    let out: RtcpPacket[] | undefined;
    for (let i = 0; i < packets.length; i++) {
      const p = packets[i]!;
      let keep = true;
      if (p.kind === 'pli' || p.kind === 'fir') {
        const entry = p.kind === 'fir' ? p.entries.find((e) => this.locals.has(e.ssrc)) : undefined;
        const ssrc = p.kind === 'pli' ? p.mediaSsrc : entry?.ssrc;
        const l = ssrc === undefined ? undefined : this.locals.get(ssrc);
        if (l !== undefined) {
          this.counters.inc(p.kind === 'pli' ? 'pliReceived' : 'firReceived');
          if (entry !== undefined && entry.sequenceNumber === l.lastFirSeq) {
            keep = false;
            this.counters.inc('firDuplicate');
          } else if (now - l.lastForwardedAt < this.minForward) {
            keep = false;
            this.counters.inc('receivedThrottled');
          } else {
            l.lastForwardedAt = now;
          }
          if (entry !== undefined) l.lastFirSeq = entry.sequenceNumber;
        }
      }
      if (!keep && out === undefined) out = packets.slice(0, i);
      else if (keep && out !== undefined) out.push(p);
    }
    return out ?? packets;
  }

  close(): void {
    this.remotes.clear();
    this.locals.clear();
  }
}

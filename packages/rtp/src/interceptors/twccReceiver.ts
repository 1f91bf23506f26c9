import { Counters, unwrap16, type Timer } from '@rivulet/common';
import { buildTransportCc, type RtcpTransportCc } from '../rtcp/index.js';
import type { RtpPacket } from '../rtp/index.js';
import type { Interceptor, InterceptorContext, StreamInfo } from './interceptor.js';

export interface TwccReceiverOptions {
  /** SSRC in the feedback's sender field. Default 1. */
  senderSsrc?: number;
  /** Feedback interval, ms. Default 100 (libwebrtc sends every 50–250 ms). */
  intervalMs?: number;
  /** Most packets described by one feedback packet; more are split. Default 1000. */
  maxPacketsPerFeedback?: number;
}

/**
 * Receiver side of transport-wide congestion control: records the arrival time of every packet
 * carrying the transport-wide sequence number (draft-holmer §2) and every `intervalMs` sends TWCC
 * feedback (§3.1) covering everything since the previous feedback, lost packets included.
 * Packets arriving after their number was already reported are counted, not re-reported.
 */
export class TwccReceiver implements Interceptor {
  readonly counters = new Counters<'recorded' | 'late' | 'feedbacksSent' | 'malformedExtension' | 'split'>();
  private ctx: InterceptorContext | undefined;
  private timer: Timer | undefined;
  private readonly ids = new Map<number, number>();
  /**
   * The transport-cc extension id of the connection. In a BUNDLE group one id
   * names one URI in every m-section (RFC 8843 §9.1), and the transport-wide
   * sequence numbers are shared by every stream on the transport, so packets
   * from SSRCs not (yet) bound — RTX, unannounced simulcast layers — must be
   * recorded too: leaving them out makes the sender see them as lost and
   * collapse its bandwidth estimate.
   */
  private transportId: number | undefined;
  /** Streams bound explicitly without transport-cc: their packets are not ours to report. */
  private readonly withoutTwcc = new Set<number>();
  private readonly arrivals = new Map<number, number>();
  private highest = -1; // extended
  private nextBase = -1; // extended; first number not yet reported
  private feedbackCount = 0;
  private mediaSsrc = 0;
  private readonly senderSsrc: number;
  private readonly intervalMs: number;
  private readonly maxPackets: number;
  private epochMs: number | undefined;

  constructor(options: TwccReceiverOptions = {}) {
    this.senderSsrc = options.senderSsrc ?? 1;
    this.intervalMs = options.intervalMs ?? 100;
    this.maxPackets = options.maxPacketsPerFeedback ?? 1000;
    if (!(this.intervalMs > 0)) throw new Error(`TwccReceiver intervalMs must be > 0, got ${this.intervalMs}`);
  }

  attach(context: InterceptorContext): void {
    this.ctx = context;
  }

  bindRemoteStream(stream: StreamInfo): void {
    if (stream.transportCcExtensionId === undefined) {
      this.withoutTwcc.add(stream.ssrc);
      return;
    }
    this.ids.set(stream.ssrc, stream.transportCcExtensionId);
    this.transportId = stream.transportCcExtensionId;
    if (stream.rtxSsrc !== undefined) this.ids.set(stream.rtxSsrc, stream.transportCcExtensionId);
    if (this.ids.size <= 2) this.mediaSsrc = stream.ssrc;
    this.schedule();
  }

  unbindRemoteStream(ssrc: number): void {
    this.ids.delete(ssrc);
    this.withoutTwcc.delete(ssrc);
  }

  incomingRtp(packet: RtpPacket, now: number): RtpPacket | undefined {
    if (this.withoutTwcc.has(packet.ssrc)) return packet;
    const id = this.ids.get(packet.ssrc) ?? this.transportId;
    if (id === undefined) return packet;
    const ext = packet.getExtension(id);
    if (ext === undefined) return packet;
    if (ext.length !== 2) {
      this.counters.inc('malformedExtension');
      return packet;
    }
    const seq = (ext[0]! << 8) | ext[1]!;
    this.epochMs ??= now;
    const e = this.highest < 0 ? seq : unwrap16(this.highest, seq);
    if (this.nextBase >= 0 && e < this.nextBase) {
      this.counters.inc('late');
      return packet;
    }
    if (this.nextBase < 0 || e - this.nextBase > 0x4000) {
      // First packet, or a jump no feedback could describe sensibly: start a fresh span.
      this.arrivals.clear();
      this.nextBase = e;
    }
    if (e > this.highest) this.highest = e;
    // µs since the first arrival: the reference time field is only 24 bits of 64 ms (~12 days).
    this.arrivals.set(e, (now - this.epochMs) * 1000);
    this.counters.inc('recorded');
    return packet;
  }

  /** Build the feedback packets that cover everything recorded so far (the timer sends these). */
  buildFeedback(): RtcpTransportCc[] {
    const out: RtcpTransportCc[] = [];
    while (this.nextBase >= 0 && this.nextBase <= this.highest) {
      const base = this.nextBase;
      const end = Math.min(this.highest, base + this.maxPackets - 1);
      if (end < this.highest) this.counters.inc('split');
      const arrivalsUs: (number | undefined)[] = [];
      for (let e = base; e <= end; e++) arrivalsUs.push(this.arrivals.get(e));
      let fb: RtcpTransportCc | undefined;
      try {
        fb = buildTransportCc({
          senderSsrc: this.senderSsrc,
          mediaSsrc: this.mediaSsrc,
          baseSequenceNumber: base & 0xffff,
          feedbackPacketCount: this.feedbackCount,
          arrivalsUs,
        });
      } catch {
        fb = undefined; // a gap of more than ~8 s between arrivals: drop this span rather than stall
      }
      for (let e = base; e <= end; e++) this.arrivals.delete(e);
      this.nextBase = end + 1;
      if (fb !== undefined) {
        this.feedbackCount = (this.feedbackCount + 1) & 0xff;
        out.push(fb);
      }
    }
    return out;
  }

  private schedule(): void {
    if (this.timer !== undefined || this.ctx === undefined) return;
    this.timer = this.ctx.clock.setTimeout(() => {
      this.timer = undefined;
      for (const fb of this.buildFeedback()) {
        this.counters.inc('feedbacksSent');
        this.ctx?.sendRtcp([fb]);
      }
      if (this.ids.size > 0) this.schedule();
    }, this.intervalMs);
  }

  close(): void {
    this.timer?.cancel();
    this.timer = undefined;
    this.ids.clear();
    this.arrivals.clear();
  }
}

import type { Timer } from '@rivulet/common';
import { SdesItemType, type RtcpPacket, type RtcpReportBlock, type RtcpSenderReport, type XrBlock } from '../rtcp/index.js';
import type { RtpPacket } from '../rtp/index.js';
import type { Interceptor, InterceptorContext, StreamInfo } from './interceptor.js';
import { ntpFromUnixMs, ntpMiddle32, ntpMiddleFromUnixMs } from './ntp.js';
import { ReceptionStatistics } from './receptionStats.js';
import { XrRoundTrip, type ReceiverRoundTrip } from './xrRoundTrip.js';

export interface RtcpReportsOptions {
  /** Report interval, ms. Default 1000 (RFC 3550 §6.2 minimum is 5 s, but RFC 8888/WebRTC use ~1 s). */
  intervalMs?: number;
  /** SSRC of our RRs when we send no media (RFC 3550 §6.4.2). Default 1. */
  receiverSsrc?: number;
  /** When set, every report is a full compound with an SDES CNAME (RFC 3550 §6.1). */
  cname?: string;
  /**
   * Uniform [0, 1) source for the RFC 3550 §6.3.1 randomization: each interval is
   * intervalMs × (0.5 + random()), so that participants do not synchronise. Default Math.random;
   * pass () => 0.5 for exactly intervalMs.
   */
  random?: () => number;
  /** Called whenever a report block yields a round-trip time (ms) for one of our streams. */
  onRoundTripTime?: (ssrc: number, rttMs: number) => void;
  /**
   * RFC 3611 XR round trip: answer the peer's Receiver Reference Time blocks with DLRR while
   * sending (§4.5; the peer asked), and measure our own round trip from DLRRs about ours
   * (webrtc-stats remote-outbound-rtp.roundTripTime). Default false; createDefaultInterceptors
   * turns it on.
   */
  extendedReports?: boolean;
  /**
   * While receiving, add a Receiver Reference Time block (§4.4) to each report. Only meaningful
   * with `extendedReports`. RFC 3611 §5.1: a peer says it wants them with a=rtcp-xr:rcvr-rtt, so
   * a session driven by SDP keeps this off until the remote description has it
   * (`setReceiverReferenceTime`). Default: the value of `extendedReports`;
   * createDefaultInterceptors passes false.
   */
  receiverReferenceTime?: boolean;
}

/** What we know about a stream we send. */
export interface SenderStatistics {
  ssrc: number;
  packetsSent: number;
  /** Payload octets (RFC 3550 §6.4.1 sender's octet count). */
  octetsSent: number;
  /** Round-trip time from the last report block about this stream (RFC 3550 §6.4.1), ms. */
  roundTripTimeMs: number | undefined;
  /** The remote receiver's view from its last report block. */
  remoteFractionLost: number | undefined;
  remotePacketsLost: number | undefined;
  /** In timestamp units. */
  remoteJitter: number | undefined;
  /** Report blocks received about this stream, those that yielded an RTT, and the RTTs' sum (ms). */
  reportsReceived: number;
  roundTripTimeMeasurements: number;
  totalRoundTripTimeMs: number;
  /** When the last report block about this stream arrived (chain clock, ms). */
  lastReportAtMs: number | undefined;
}

interface LocalState {
  stream: StreamInfo;
  stats: SenderStatistics;
  lastRtpTimestamp: number;
  lastSentAt: number;
}

const MAX_BLOCKS = 31; // the 5-bit report count

/**
 * RTCP sender and receiver reports (RFC 3550 §6.4): counts what we send, keeps RFC 3550 Appendix A
 * statistics for what we receive, and every `intervalMs` emits one compound packet — an SR per
 * local stream that has sent (the first carrying the reception report blocks), or an RR from
 * `receiverSsrc` when we only receive. Report blocks about our streams give the RTT
 * (now − LSR − DLSR) and the remote's loss and jitter.
 */
export class RtcpReports implements Interceptor {
  private ctx: InterceptorContext | undefined;
  private timer: Timer | undefined;
  private readonly local = new Map<number, LocalState>();
  private readonly remote = new Map<number, ReceptionStatistics>();
  private readonly intervalMs: number;
  private readonly receiverSsrc: number;
  private readonly cname: string | undefined;
  private readonly random: () => number;
  private readonly xr: XrRoundTrip | undefined;
  private rrtr: boolean;
  onRoundTripTime: ((ssrc: number, rttMs: number) => void) | undefined;

  constructor(options: RtcpReportsOptions = {}) {
    this.intervalMs = options.intervalMs ?? 1000;
    if (!(this.intervalMs > 0)) throw new Error(`RtcpReports intervalMs must be > 0, got ${this.intervalMs}`);
    this.receiverSsrc = options.receiverSsrc ?? 1;
    this.cname = options.cname;
    this.random = options.random ?? Math.random;
    this.onRoundTripTime = options.onRoundTripTime;
    this.xr = options.extendedReports ? new XrRoundTrip() : undefined;
    this.rrtr = false;
    this.setReceiverReferenceTime(options.receiverReferenceTime ?? this.xr !== undefined);
  }

  /** Whether our reports carry a Receiver Reference Time block while we receive. */
  get receiverReferenceTime(): boolean {
    return this.rrtr;
  }

  /**
   * Starts or stops sending Receiver Reference Time blocks (RFC 3611 §4.4), e.g. after each
   * negotiation: on only when the peer's description has a=rtcp-xr:rcvr-rtt (§5.1).
   */
  setReceiverReferenceTime(enabled: boolean): void {
    if (enabled && this.xr === undefined) {
      throw new Error('RtcpReports.setReceiverReferenceTime(true) needs extendedReports: true (the DLRR answers are measured by it)');
    }
    this.rrtr = enabled;
  }

  attach(context: InterceptorContext): void {
    this.ctx = context;
  }

  bindLocalStream(stream: StreamInfo): void {
    this.local.set(stream.ssrc, {
      stream,
      stats: { ssrc: stream.ssrc, packetsSent: 0, octetsSent: 0, roundTripTimeMs: undefined, remoteFractionLost: undefined, remotePacketsLost: undefined, remoteJitter: undefined, reportsReceived: 0, roundTripTimeMeasurements: 0, totalRoundTripTimeMs: 0, lastReportAtMs: undefined },
      lastRtpTimestamp: 0,
      lastSentAt: -1,
    });
    this.schedule();
  }

  unbindLocalStream(ssrc: number): void {
    this.local.delete(ssrc);
  }

  bindRemoteStream(stream: StreamInfo): void {
    this.remote.set(stream.ssrc, new ReceptionStatistics(stream.ssrc, stream.clockRate));
    this.schedule();
  }

  unbindRemoteStream(ssrc: number): void {
    this.remote.delete(ssrc);
  }

  senderStatistics(ssrc: number): SenderStatistics | undefined {
    const s = this.local.get(ssrc)?.stats;
    return s === undefined ? undefined : { ...s };
  }

  receptionStatistics(ssrc: number): ReceptionStatistics | undefined {
    return this.remote.get(ssrc);
  }

  /** Our round trip to remote sender `ssrc` from its DLRR answers (RFC 3611 §4.5), if any. */
  receiverRoundTrip(ssrc: number): ReceiverRoundTrip | undefined {
    return this.xr?.roundTrip(ssrc);
  }

  outgoingRtp(packet: RtpPacket, now: number): RtpPacket | undefined {
    const st = this.local.get(packet.ssrc);
    if (st !== undefined) {
      st.stats.packetsSent++;
      st.stats.octetsSent += packet.payload.length;
      st.lastRtpTimestamp = packet.timestamp;
      st.lastSentAt = now;
    }
    return packet;
  }

  incomingRtp(packet: RtpPacket, now: number): RtpPacket | undefined {
    this.remote.get(packet.ssrc)?.onPacket(packet.sequenceNumber, packet.timestamp, packet.payload.length, now);
    return packet;
  }

  incomingRtcp(packets: RtcpPacket[], now: number): RtcpPacket[] {
    for (const p of packets) {
      if (p.kind === 'sr') {
        this.remote.get(p.ssrc)?.onSenderReport(ntpMiddle32(p.ntpTimestamp), now, p);
        this.onBlocks(p.reports);
      } else if (p.kind === 'rr') {
        this.onBlocks(p.reports);
      } else if (p.kind === 'xr' && this.xr !== undefined && this.ctx !== undefined) {
        for (const b of p.blocks) {
          if (b.type === 'rrt') this.xr.onReferenceTime(p.ssrc, b.ntpTimestamp, now);
          else if (b.type === 'dlrr') {
            const ours = (ssrc: number): boolean => this.local.has(ssrc) || ssrc === this.receiverSsrc;
            this.xr.onDlrr(p.ssrc, b.items, ours, ntpMiddleFromUnixMs(this.ctx.clock.wallTime()));
          }
        }
      }
    }
    return packets;
  }

  private onBlocks(blocks: readonly RtcpReportBlock[]): void {
    if (this.ctx === undefined) return;
    for (const b of blocks) {
      const st = this.local.get(b.ssrc);
      if (st === undefined) continue;
      st.stats.remoteFractionLost = b.fractionLost;
      st.stats.remotePacketsLost = b.packetsLost;
      st.stats.remoteJitter = b.jitter;
      st.stats.reportsReceived++;
      st.stats.lastReportAtMs = this.ctx.clock.now();
      if (b.lastSr === 0) continue; // §6.4.1: no SR received yet, no RTT
      // §6.4.1: RTT = A − LSR − DLSR, all in 1/65536 s, modulo 2^32.
      const a = ntpMiddleFromUnixMs(this.ctx.clock.wallTime());
      const rtt = (a - b.lastSr - b.delaySinceLastSr) >>> 0;
      if (rtt < 0x80000000) {
        st.stats.roundTripTimeMs = (rtt / 65536) * 1000;
        st.stats.roundTripTimeMeasurements++;
        st.stats.totalRoundTripTimeMs += st.stats.roundTripTimeMs;
        this.onRoundTripTime?.(b.ssrc, st.stats.roundTripTimeMs);
      }
    }
  }

  /** Build the compound packet that would be sent now (also used by the timer). */
  buildReport(): RtcpPacket[] {
    const ctx = this.ctx;
    if (ctx === undefined) return [];
    const now = ctx.clock.now();
    const blocks: RtcpReportBlock[] = [];
    for (const r of this.remote.values()) {
      if (r.started && blocks.length < MAX_BLOCKS) blocks.push(r.reportBlock(now));
    }
    const out: RtcpPacket[] = [];
    const ntp = ntpFromUnixMs(ctx.clock.wallTime());
    for (const st of this.local.values()) {
      if (st.lastSentAt < 0) continue;
      // §6.4.1: the SR's RTP timestamp is the same instant as its NTP timestamp.
      const rtpTs = (st.lastRtpTimestamp + Math.round(((now - st.lastSentAt) * st.stream.clockRate) / 1000)) >>> 0;
      const sr: RtcpSenderReport = {
        kind: 'sr',
        ssrc: st.stream.ssrc,
        ntpTimestamp: ntp,
        rtpTimestamp: rtpTs,
        packetCount: st.stats.packetsSent >>> 0,
        octetCount: st.stats.octetsSent >>> 0,
        reports: out.length === 0 ? blocks : [],
      };
      out.push(sr);
    }
    if (out.length === 0) {
      if (blocks.length === 0) return [];
      out.push({ kind: 'rr', ssrc: this.receiverSsrc, reports: blocks });
    }
    if (this.cname !== undefined) {
      const ssrcs = out.map((p) => (p as { ssrc: number }).ssrc);
      out.push({ kind: 'sdes', chunks: ssrcs.map((ssrc) => ({ ssrc, items: [{ type: SdesItemType.CNAME, text: this.cname! }] })) });
    }
    if (this.xr !== undefined) {
      // RFC 3611: RRTR while we receive (§4.4) if the peer asked for them (§5.1), DLRR answering
      // the peer's RRTRs while we send (§4.5) — having sent one, the peer wants the answer.
      const xrBlocks: XrBlock[] = [];
      if (this.rrtr && blocks.length > 0) xrBlocks.push({ type: 'rrt', ntpTimestamp: ntp });
      const dlrr = out[0]!.kind === 'sr' ? this.xr.dlrrBlock(now) : undefined;
      if (dlrr !== undefined) xrBlocks.push(dlrr);
      if (xrBlocks.length > 0) out.push({ kind: 'xr', ssrc: (out[0] as { ssrc: number }).ssrc, blocks: xrBlocks });
    }
    return out;
  }

  private schedule(): void {
    if (this.timer !== undefined || this.ctx === undefined) return;
    this.timer = this.ctx.clock.setTimeout(() => {
      this.timer = undefined;
      const report = this.buildReport();
      if (report.length > 0) this.ctx?.sendRtcp(report);
      if (this.local.size > 0 || this.remote.size > 0) this.schedule();
    }, this.intervalMs * (0.5 + this.random()));
  }

  close(): void {
    this.timer?.cancel();
    this.timer = undefined;
    this.local.clear();
    this.remote.clear();
  }
}

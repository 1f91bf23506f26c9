import type { RtcpPacket } from '../rtcp/index.js';
import type { RtpPacket } from '../rtp/index.js';
import type { Interceptor, StreamInfo } from './interceptor.js';
import { createDepayloader } from '../codecs/registry.js';
import { ReceivedFrames } from './receivedFrames.js';
import type { RemoteSenderReport } from './receptionStats.js';
import type { RtcpReports } from './reports.js';
import type { ReceiverRoundTrip } from './xrRoundTrip.js';

/** Counters of a stream we send (named after W3C webrtc-stats RTCOutboundRtpStreamStats). */
export interface OutboundStreamStats {
  ssrc: number;
  packetsSent: number;
  /** Payload bytes, as webrtc-stats' bytesSent. */
  bytesSent: number;
  /** RTP header and padding bytes of the packets counted in packetsSent (webrtc-stats headerBytesSent). */
  headerBytesSent: number;
  retransmittedPacketsSent: number;
  retransmittedBytesSent: number;
  /** Feedback received about this stream. */
  nackCount: number;
  pliCount: number;
  firCount: number;
  /** From the remote's report blocks (needs an RtcpReports in the chain). */
  roundTripTimeMs: number | undefined;
  remotePacketsLost: number | undefined;
  remoteFractionLost: number | undefined;
  /** The remote's interarrival jitter from its last report block, in seconds. */
  remoteJitterSeconds: number | undefined;
  /** Report blocks about this stream; those with an RTT (LSR ≠ 0) and the sum of those RTTs, ms. */
  reportsReceived: number;
  roundTripTimeMeasurements: number;
  totalRoundTripTimeMs: number;
  /** When the last report block about this stream arrived (chain clock, ms). */
  remoteReportAtMs: number | undefined;
}

/** Counters of a stream we receive (RTCInboundRtpStreamStats). */
export interface InboundStreamStats {
  ssrc: number;
  packetsReceived: number;
  bytesReceived: number;
  /** RTP header and padding bytes received (webrtc-stats headerBytesReceived). */
  headerBytesReceived: number;
  /** Feedback we sent about this stream. */
  nackCount: number;
  pliCount: number;
  firCount: number;
  /** RFC 3550 A.3 cumulative loss and A.8 jitter in seconds (needs an RtcpReports in the chain). */
  packetsLost: number | undefined;
  jitterSeconds: number | undefined;
  /** The sender's own counts from its latest Sender Report (webrtc-stats remote-outbound-rtp). */
  remoteSender: RemoteSenderReport | undefined;
  /** Our round trip to this stream's sender from RFC 3611 DLRR answers to our RRTRs, if any. */
  receiverRoundTrip: ReceiverRoundTrip | undefined;
  /** Complete frames and key frames (video streams of a codec we can inspect; else undefined). */
  framesReceived: number | undefined;
  keyFramesReceived: number | undefined;
}

/**
 * Per-stream counters for getStats. Put it LAST in the chain: it then also sees the NACKs, PLIs,
 * reports and retransmissions the other interceptors emit, and incoming RTX already unwrapped.
 */
export class StreamStats implements Interceptor {
  private readonly out = new Map<number, OutboundStreamStats>();
  private readonly rtxOut = new Map<number, OutboundStreamStats>();
  private readonly inb = new Map<number, InboundStreamStats>();
  private readonly clockRates = new Map<number, number>();
  private readonly outClockRates = new Map<number, number>();
  private readonly frames = new Map<number, ReceivedFrames>();

  constructor(private readonly reports?: RtcpReports) {}

  bindLocalStream(stream: StreamInfo): void {
    const s: OutboundStreamStats = {
      ssrc: stream.ssrc, packetsSent: 0, bytesSent: 0, headerBytesSent: 0, retransmittedPacketsSent: 0, retransmittedBytesSent: 0,
      nackCount: 0, pliCount: 0, firCount: 0, roundTripTimeMs: undefined, remotePacketsLost: undefined, remoteFractionLost: undefined,
      remoteJitterSeconds: undefined, reportsReceived: 0, roundTripTimeMeasurements: 0, totalRoundTripTimeMs: 0, remoteReportAtMs: undefined,
    };
    this.outClockRates.set(stream.ssrc, stream.clockRate);
    this.out.set(stream.ssrc, s);
    if (stream.rtxSsrc !== undefined) this.rtxOut.set(stream.rtxSsrc, s);
  }

  unbindLocalStream(ssrc: number): void {
    this.out.delete(ssrc);
    this.outClockRates.delete(ssrc);
    for (const [k, v] of this.rtxOut) if (v.ssrc === ssrc) this.rtxOut.delete(k);
  }

  bindRemoteStream(stream: StreamInfo): void {
    this.inb.set(stream.ssrc, { ssrc: stream.ssrc, packetsReceived: 0, bytesReceived: 0, headerBytesReceived: 0, nackCount: 0, pliCount: 0, firCount: 0, packetsLost: undefined, jitterSeconds: undefined, remoteSender: undefined, receiverRoundTrip: undefined, framesReceived: undefined, keyFramesReceived: undefined });
    this.clockRates.set(stream.ssrc, stream.clockRate);
    const mime = stream.mimeType?.toLowerCase();
    if (mime?.startsWith('video/')) {
      try {
        this.frames.set(stream.ssrc, new ReceivedFrames(createDepayloader(mime.slice('video/'.length))));
      } catch {
        // A video codec we cannot inspect: framesReceived stays unreported.
      }
    }
  }

  unbindRemoteStream(ssrc: number): void {
    this.inb.delete(ssrc);
    this.clockRates.delete(ssrc);
    this.frames.delete(ssrc);
  }

  outbound(ssrc: number): OutboundStreamStats | undefined {
    const s = this.out.get(ssrc);
    if (s === undefined) return undefined;
    const r = this.reports?.senderStatistics(ssrc);
    const rate = this.outClockRates.get(ssrc) ?? 90000;
    return {
      ...s, roundTripTimeMs: r?.roundTripTimeMs, remotePacketsLost: r?.remotePacketsLost, remoteFractionLost: r?.remoteFractionLost,
      remoteJitterSeconds: r?.remoteJitter === undefined ? undefined : r.remoteJitter / rate, reportsReceived: r?.reportsReceived ?? 0,
      roundTripTimeMeasurements: r?.roundTripTimeMeasurements ?? 0, totalRoundTripTimeMs: r?.totalRoundTripTimeMs ?? 0,
      remoteReportAtMs: r?.lastReportAtMs,
    };
  }

  inbound(ssrc: number): InboundStreamStats | undefined {
    const s = this.inb.get(ssrc);
    if (s === undefined) return undefined;
    const r = this.reports?.receptionStatistics(ssrc);
    const rate = this.clockRates.get(ssrc) ?? 90000;
    const sr = r?.lastSenderReport;
    return {
      ...s, packetsLost: r?.started ? r.cumulativeLost : undefined, jitterSeconds: r?.started ? r.jitter / rate : undefined,
      remoteSender: sr === undefined ? undefined : { ...sr }, receiverRoundTrip: this.reports?.receiverRoundTrip(ssrc),
      framesReceived: this.frames.get(ssrc)?.framesReceived, keyFramesReceived: this.frames.get(ssrc)?.keyFramesReceived,
    };
  }

  outgoingRtp(packet: RtpPacket): RtpPacket | undefined {
    const s = this.out.get(packet.ssrc);
    if (s !== undefined) {
      s.packetsSent++;
      s.bytesSent += packet.payload.length;
      s.headerBytesSent += packet.headerLength + packet.paddingLength;
    } else {
      const r = this.rtxOut.get(packet.ssrc);
      if (r !== undefined) {
        r.retransmittedPacketsSent++;
        r.retransmittedBytesSent += packet.payload.length;
      }
    }
    return packet;
  }

  incomingRtp(packet: RtpPacket): RtpPacket | undefined {
    const s = this.inb.get(packet.ssrc);
    if (s !== undefined) {
      s.packetsReceived++;
      s.bytesReceived += packet.payload.length;
      s.headerBytesReceived += packet.headerLength + packet.paddingLength;
      this.frames.get(packet.ssrc)?.onPacket(packet.sequenceNumber, packet.timestamp, packet.marker, packet.payload);
    }
    return packet;
  }

  outgoingRtcp(packets: RtcpPacket[]): RtcpPacket[] {
    for (const p of packets) this.countFeedback(p, this.inb);
    return packets;
  }

  incomingRtcp(packets: RtcpPacket[]): RtcpPacket[] {
    for (const p of packets) this.countFeedback(p, this.out);
    return packets;
  }

  private countFeedback(p: RtcpPacket, map: Map<number, { nackCount: number; pliCount: number; firCount: number }>): void {
    if (p.kind === 'nack') {
      const s = map.get(p.mediaSsrc);
      if (s !== undefined) s.nackCount++;
    } else if (p.kind === 'pli') {
      const s = map.get(p.mediaSsrc);
      if (s !== undefined) s.pliCount++;
    } else if (p.kind === 'fir') {
      for (const e of p.entries) {
        const s = map.get(e.ssrc);
        if (s !== undefined) s.firCount++;
      }
    }
  }
}

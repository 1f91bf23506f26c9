import type { Clock } from '@rivulet/common';
import type { RtcpPacket } from '../rtcp/index.js';
import type { RtpPacket } from '../rtp/index.js';

/**
 * One RTP stream an interceptor is bound to, as negotiated in SDP. Local streams are the ones we
 * send, remote streams the ones we receive.
 */
export interface StreamInfo {
  ssrc: number;
  /** RTP clock rate of the media, Hz (90000 for video). */
  clockRate: number;
  payloadType?: number;
  /** e.g. 'video/VP8'. */
  mimeType?: string;
  /** RFC 4588 retransmission stream, when negotiated. */
  rtxSsrc?: number;
  rtxPayloadType?: number;
  /** Negotiated a=rtcp-fb values: 'nack', 'nack pli', 'ccm fir', 'transport-cc', 'goog-remb'. */
  rtcpFeedback?: readonly string[];
  /** RFC 8285 id of the transport-wide sequence number extension, when negotiated. */
  transportCcExtensionId?: number;
}

export function hasFeedback(stream: StreamInfo, value: string): boolean {
  return stream.rtcpFeedback?.includes(value) ?? false;
}

/** What an interceptor can do towards the network. Emitted packets pass only the interceptors after it. */
export interface InterceptorContext {
  readonly clock: Clock;
  sendRtp(packet: RtpPacket): void;
  sendRtcp(packets: RtcpPacket[]): void;
}

/**
 * The one contract (the idea comes from pion's interceptors; this is our own shape). Every hook is
 * optional. The RTP hooks return the packet to pass on (possibly changed) or undefined to stop it;
 * the RTCP hooks return the packets to pass on. `now` is the chain clock's `now()` in ms, read once
 * per packet by the chain. Hooks must not throw on hostile input: count and drop instead.
 */
export interface Interceptor {
  /** Called once when the chain is built; keep the context to emit packets and set timers. */
  attach?(context: InterceptorContext): void;
  bindLocalStream?(stream: StreamInfo): void;
  unbindLocalStream?(ssrc: number): void;
  bindRemoteStream?(stream: StreamInfo): void;
  unbindRemoteStream?(ssrc: number): void;
  outgoingRtp?(packet: RtpPacket, now: number): RtpPacket | undefined;
  incomingRtp?(packet: RtpPacket, now: number): RtpPacket | undefined;
  outgoingRtcp?(packets: RtcpPacket[], now: number): RtcpPacket[];
  incomingRtcp?(packets: RtcpPacket[], now: number): RtcpPacket[];
  /** Cancel timers and drop state. */
  close?(): void;
}

/** Where the chain's outgoing end goes (typically: serialize, SRTP-protect, send). */
export interface InterceptorTransport {
  sendRtp(packet: RtpPacket): void;
  sendRtcp(packets: RtcpPacket[]): void;
}

/**
 * What senders, receivers and transceivers need from their peer connection.
 * Keeping it this narrow keeps RTCPeerConnection out of their files.
 */
import type { Clock } from '@rivulet/common';
import type { RTCStatsReport } from '../stats/RTCStatsReport.js';

export interface PeerContext {
  readonly isClosed: boolean;
  /** RTCP CNAME of the connection (RFC 7022), written in a=ssrc lines and SDES. */
  readonly cname: string;
  /** Timers of the connection (DTMF playout). */
  readonly clock: Clock;
  /** webrtc-pc §4.7.3 "update the negotiation-needed flag". */
  updateNegotiationNeeded(): void;
  /** webrtc-pc §4.4.1.2 "chain an operation". */
  chainOperation<T>(op: () => Promise<T>): Promise<T>;
  /** getStats restricted to one sender or receiver (webrtc-pc §8.5 stats selection). */
  getStatsFor(selector: object): Promise<RTCStatsReport>;
  sendRtp(packet: Uint8Array): void;
  sendRtcp(packet: Uint8Array): void;
}

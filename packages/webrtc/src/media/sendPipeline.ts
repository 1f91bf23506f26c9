/**
 * The send side of one RTCRtpSender: takes what its track delivers (frames
 * or RTP) and emits RTP for each negotiated encoding through the transport.
 */
import type { RTCRtpEncodingParameters } from '../transceiver/parameters.js';

export interface SendPipeline {
  updateEncodings(encodings: RTCRtpEncodingParameters[]): void;
  /** Re-subscribes to the sender's current track (after replaceTrack). */
  retarget(): void;
  stop(): void;
  readonly packetsSent: number;
  readonly bytesSent: number;
  readonly framesSent: number;
}

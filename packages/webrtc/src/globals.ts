/**
 * Non-standard: installs the W3C names on globalThis (where absent) so browser code that uses
 * `new RTCPeerConnection()` without importing runs unchanged. Returns the names installed.
 */
import { RTCError, RTCErrorEvent } from './base/errors.js';
import { RTCDataChannel, RTCDataChannelEvent } from './datachannel/RTCDataChannel.js';
import { RTCTrackEvent } from './jsep/remoteTracks.js';
import { MediaStream, MediaStreamTrackEvent } from './media/MediaStream.js';
import { MediaStreamTrack } from './media/MediaStreamTrack.js';
import { RTCPeerConnectionIceErrorEvent, RTCPeerConnectionIceEvent } from './pc/events.js';
import { RTCPeerConnection } from './pc/RTCPeerConnection.js';
import { RTCCertificate } from './rtc/RTCCertificate.js';
import { RTCIceCandidate } from './rtc/RTCIceCandidate.js';
import { RTCSessionDescription } from './rtc/RTCSessionDescription.js';
import { RTCStatsReport } from './stats/RTCStatsReport.js';
import { RTCRtpReceiver } from './transceiver/RTCRtpReceiver.js';
import { RTCRtpSender } from './transceiver/RTCRtpSender.js';
import { RTCDTMFSender, RTCDTMFToneChangeEvent } from './transceiver/RTCDTMFSender.js';
import { RTCRtpTransceiver } from './transceiver/RTCRtpTransceiver.js';
import { RTCDtlsTransport } from './transport/RTCDtlsTransport.js';
import { RTCIceTransport } from './transport/RTCIceTransport.js';
import { RTCSctpTransport } from './transport/RTCSctpTransport.js';

const NAMES: Record<string, unknown> = {
  RTCPeerConnection, RTCSessionDescription, RTCIceCandidate, RTCRtpTransceiver, RTCRtpSender, RTCRtpReceiver,
  RTCDataChannel, RTCDataChannelEvent, RTCTrackEvent, RTCPeerConnectionIceEvent, RTCPeerConnectionIceErrorEvent,
  RTCError, RTCErrorEvent, RTCCertificate, RTCStatsReport, RTCIceTransport, RTCDtlsTransport, RTCSctpTransport,
  MediaStream, MediaStreamTrack, MediaStreamTrackEvent, RTCDTMFSender, RTCDTMFToneChangeEvent,
};

export function installWebRtcGlobals(options: { overwrite?: boolean } = {}): string[] {
  const g = globalThis as Record<string, unknown>;
  const installed: string[] = [];
  for (const [name, value] of Object.entries(NAMES)) {
    if (g[name] !== undefined && !options.overwrite) continue;
    Object.defineProperty(g, name, { value, writable: true, configurable: true, enumerable: false });
    installed.push(name);
  }
  return installed;
}

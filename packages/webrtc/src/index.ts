// The W3C WebRTC surface (webrtc-pc, mediacapture-streams) for Node.js.
export { MediaStream, MediaStreamTrackEvent, type MediaStreamTrackEventInit } from './media/MediaStream.js';
export { MediaStreamTrack, readTrack, type MediaStreamTrackState } from './media/MediaStreamTrack.js';
export {
  MediaStreamTrackSource, type MediaStreamTrackSourceInit, type MediaTrackSettingsLike,
} from './media/MediaStreamTrackSource.js';
export type { EncodedFrame, RtpPacketBytes, TrackSink } from './media/frames.js';
export { RTCSessionDescription, type RTCSdpType, type RTCSessionDescriptionInit, type RTCLocalSessionDescriptionInit } from './rtc/RTCSessionDescription.js';
export {
  RTCIceCandidate, type RTCIceCandidateInit, type RTCIceComponent, type RTCIceProtocol, type RTCIceCandidateType,
  type RTCIceTcpCandidateType,
} from './rtc/RTCIceCandidate.js';
export { RTCCertificate, type RTCDtlsFingerprint } from './rtc/RTCCertificate.js';
export { RTCError, RTCErrorEvent, type RTCErrorInit, type RTCErrorDetailType, type RTCErrorEventInit } from './base/errors.js';

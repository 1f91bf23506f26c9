// The W3C WebRTC surface (webrtc-pc, mediacapture-streams) for Node.js.
export { RTCPeerConnection, type RTCAnswerOptions } from './pc/RTCPeerConnection.js';
export type {
  RTCConfiguration, RTCIceServer, RTCIceTransportPolicy, RTCBundlePolicy, RTCRtcpMuxPolicy, RivuletOptions,
} from './pc/configuration.js';
export type { RTCOfferOptions } from './pc/signaling.js';
export type { RTCRtpTransceiverInit } from './pc/tracks.js';
export type { RTCSignalingState, RTCIceGatheringState, RTCIceConnectionState, RTCPeerConnectionState } from './pc/state.js';
export {
  RTCPeerConnectionIceEvent, RTCPeerConnectionIceErrorEvent, type RTCPeerConnectionIceEventInit,
  type RTCPeerConnectionIceErrorEventInit,
} from './pc/events.js';
export { RTCTrackEvent, type TrackEventInit as RTCTrackEventInit } from './jsep/remoteTracks.js';
export { MediaStream, MediaStreamTrackEvent, type MediaStreamTrackEventInit } from './media/MediaStream.js';
export { MediaStreamTrack, readTrack, requestKeyframe, type MediaStreamTrackState } from './media/MediaStreamTrack.js';
export {
  MediaStreamTrackSource, type MediaStreamTrackSourceInit, type MediaTrackSettingsLike,
} from './media/MediaStreamTrackSource.js';
export type { EncodedFrame, RtpPacketBytes, TrackSink } from './media/frames.js';
export { RTCRtpTransceiver, type RTCRtpTransceiverDirection } from './transceiver/RTCRtpTransceiver.js';
export { RTCRtpSender, type RTCSetParameterOptions } from './transceiver/RTCRtpSender.js';
export { RTCDTMFSender, RTCDTMFToneChangeEvent } from './transceiver/RTCDTMFSender.js';
export { RTCRtpReceiver, simulcastLayerTrack, type RTCRtpContributingSource, type RTCRtpSynchronizationSource } from './transceiver/RTCRtpReceiver.js';
export type {
  RTCRtpEncodingParameters, RTCRtpSendParameters, RTCRtpReceiveParameters, RTCRtpParameters,
  RTCRtpHeaderExtensionParameters, RTCRtcpParameters, RTCPriorityType, RTCDegradationPreference,
} from './transceiver/parameters.js';
export type {
  RTCRtpCodec, RTCRtpCodecParameters, RTCRtpCapabilities, RTCRtpHeaderExtensionCapability, RTCRtcpFeedback,
} from './jsep/capabilities.js';
export { RTCDataChannel, RTCDataChannelEvent, type RTCDataChannelState, type BinaryType, type RTCDataChannelEventInit } from './datachannel/RTCDataChannel.js';
export type { RTCDataChannelInit } from './datachannel/init.js';
export { RTCSessionDescription, type RTCSdpType, type RTCSessionDescriptionInit, type RTCLocalSessionDescriptionInit } from './rtc/RTCSessionDescription.js';
export {
  RTCIceCandidate, type RTCIceCandidateInit, type RTCIceComponent, type RTCIceProtocol, type RTCIceCandidateType,
  type RTCIceTcpCandidateType,
} from './rtc/RTCIceCandidate.js';
export { RTCCertificate, type RTCDtlsFingerprint } from './rtc/RTCCertificate.js';
export type { AlgorithmIdentifier } from './rtc/generateCertificate.js';
export { RTCError, RTCErrorEvent, type RTCErrorInit, type RTCErrorDetailType, type RTCErrorEventInit } from './base/errors.js';
export { RTCIceTransport, type RTCIceRole, type RTCIceCandidatePair, type RTCIceParameters } from './transport/RTCIceTransport.js';
export { RTCDtlsTransport } from './transport/RTCDtlsTransport.js';
export { RTCSctpTransport } from './transport/RTCSctpTransport.js';
export { RTCStatsReport, type RTCStats, type RTCStatsType } from './stats/RTCStatsReport.js';
// The transport seam (non-standard): implement it to run the W3C surface over other lower layers.
export type {
  TransportBundle, TransportBundleFactory, TransportBundleInit, TransportBundleEvents, DataChannelHandle,
  DataChannelHandleEvents, DataChannelParameters, IceParameters, DtlsFingerprint, CandidatePair, TransportStats,
  IceTransportStateValue, IceGatheringStateValue, DtlsTransportStateValue, SctpTransportStateValue, DataChannelStateValue,
  IceRole, DtlsRole,
} from './transport/bundle.js';
export { installWebRtcGlobals } from './globals.js';

/**
 * What Rivulet offers: codecs (each with RTX where NACK applies, RFC 4588)
 * and header extensions, with the payload types and extension ids we use in
 * our own offers. Answers always reuse the offerer's numbers (RFC 8829 §5.3.1).
 */

export interface RTCRtcpFeedback {
  type: string;
  parameter?: string;
}

/** webrtc-pc §5.2 RTCRtpCodec (a capability). */
export interface RTCRtpCodec {
  mimeType: string;
  clockRate: number;
  channels?: number;
  sdpFmtpLine?: string;
}

/** webrtc-pc §5.2 RTCRtpCodecParameters (a negotiated codec). */
export interface RTCRtpCodecParameters extends RTCRtpCodec {
  payloadType: number;
}

export interface RTCRtpHeaderExtensionCapability {
  uri: string;
}

export interface RTCRtpCapabilities {
  codecs: RTCRtpCodec[];
  headerExtensions: RTCRtpHeaderExtensionCapability[];
}

/** A codec we offer, with its preferred payload type and feedback. */
export interface LocalCodec extends RTCRtpCodec {
  preferredPayloadType: number;
  rtcpFeedback: RTCRtcpFeedback[];
  /** Payload type of the RTX codec for this one, if any. */
  rtxPayloadType?: number;
}

const VIDEO_FB: RTCRtcpFeedback[] = [
  { type: 'goog-remb' }, { type: 'transport-cc' }, { type: 'ccm', parameter: 'fir' }, { type: 'nack' },
  { type: 'nack', parameter: 'pli' },
];

export const AUDIO_CODECS: readonly LocalCodec[] = [
  { mimeType: 'audio/opus', clockRate: 48000, channels: 2, sdpFmtpLine: 'minptime=10;useinbandfec=1', preferredPayloadType: 111, rtcpFeedback: [{ type: 'transport-cc' }] },
  { mimeType: 'audio/PCMU', clockRate: 8000, channels: 1, preferredPayloadType: 0, rtcpFeedback: [] },
  { mimeType: 'audio/PCMA', clockRate: 8000, channels: 1, preferredPayloadType: 8, rtcpFeedback: [] },
  // RFC 4733 DTMF events, one per audio clock rate we send with (RTCDTMFSender).
  { mimeType: 'audio/telephone-event', clockRate: 48000, channels: 1, preferredPayloadType: 110, rtcpFeedback: [] },
  { mimeType: 'audio/telephone-event', clockRate: 8000, channels: 1, preferredPayloadType: 126, rtcpFeedback: [] },
];

export const VIDEO_CODECS: readonly LocalCodec[] = [
  { mimeType: 'video/VP8', clockRate: 90000, preferredPayloadType: 96, rtxPayloadType: 97, rtcpFeedback: VIDEO_FB },
  { mimeType: 'video/H264', clockRate: 90000, sdpFmtpLine: 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f', preferredPayloadType: 102, rtxPayloadType: 103, rtcpFeedback: VIDEO_FB },
  { mimeType: 'video/H264', clockRate: 90000, sdpFmtpLine: 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f', preferredPayloadType: 104, rtxPayloadType: 105, rtcpFeedback: VIDEO_FB },
  { mimeType: 'video/H264', clockRate: 90000, sdpFmtpLine: 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=4d001f', preferredPayloadType: 106, rtxPayloadType: 107, rtcpFeedback: VIDEO_FB },
  { mimeType: 'video/VP9', clockRate: 90000, sdpFmtpLine: 'profile-id=0', preferredPayloadType: 98, rtxPayloadType: 99, rtcpFeedback: VIDEO_FB },
  { mimeType: 'video/AV1', clockRate: 90000, preferredPayloadType: 45, rtxPayloadType: 46, rtcpFeedback: VIDEO_FB },
];

/** Header extensions with the ids we use in offers; the same id for a URI in every m-section (RFC 8843 §9.2). */
export const HEADER_EXTENSIONS: readonly { uri: string; id: number; kinds: readonly ('audio' | 'video')[] }[] = [
  { uri: 'urn:ietf:params:rtp-hdrext:ssrc-audio-level', id: 1, kinds: ['audio'] },
  { uri: 'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time', id: 2, kinds: ['audio', 'video'] },
  { uri: 'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01', id: 3, kinds: ['audio', 'video'] },
  { uri: 'urn:ietf:params:rtp-hdrext:sdes:mid', id: 4, kinds: ['audio', 'video'] },
  { uri: 'urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id', id: 10, kinds: ['video'] },
  { uri: 'urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id', id: 11, kinds: ['video'] },
];

export function localCodecs(kind: 'audio' | 'video'): readonly LocalCodec[] {
  return kind === 'audio' ? AUDIO_CODECS : VIDEO_CODECS;
}

/** RTCRtpSender/Receiver.getCapabilities(kind) (webrtc-pc §5.2.1): includes RTX as its own entry. */
export function getCapabilities(kind: string): RTCRtpCapabilities | null {
  if (kind !== 'audio' && kind !== 'video') return null;
  const codecs: RTCRtpCodec[] = [];
  for (const c of localCodecs(kind)) {
    const cap: RTCRtpCodec = { mimeType: c.mimeType, clockRate: c.clockRate };
    if (c.channels !== undefined && kind === 'audio') cap.channels = c.channels;
    if (c.sdpFmtpLine !== undefined) cap.sdpFmtpLine = c.sdpFmtpLine;
    codecs.push(cap);
  }
  if (kind === 'video') codecs.push({ mimeType: 'video/rtx', clockRate: 90000 });
  return {
    codecs,
    headerExtensions: HEADER_EXTENSIONS.filter((h) => h.kinds.includes(kind)).map((h) => ({ uri: h.uri })),
  };
}

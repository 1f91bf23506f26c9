/** URIs of the header extensions we know (the a=extmap values, RFC 8285 §5). */
export const RtpExtensionUri = {
  /** RFC 8843 §15.1 (BUNDLE MID). */
  mid: 'urn:ietf:params:rtp-hdrext:sdes:mid',
  /** RFC 8852 §3.1 (RtpStreamId, "rid"). */
  rid: 'urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id',
  /** RFC 8852 §3.2 (RepairedRtpStreamId). */
  repairedRid: 'urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id',
  absSendTime: 'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time',
  transportCc: 'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01',
  /** RFC 6464. */
  audioLevel: 'urn:ietf:params:rtp-hdrext:ssrc-audio-level',
  /** 3GPP TS 26.114 §7.4.5 coordination of video orientation. */
  videoOrientation: 'urn:3gpp:video-orientation',
  playoutDelay: 'http://www.webrtc.org/experiments/rtp-hdrext/playout-delay',
  dependencyDescriptor: 'https://aomediacodec.github.io/av1-rtp-spec/#dependency-descriptor-rtp-header-extension',
} as const;

export type KnownRtpExtensionUri = (typeof RtpExtensionUri)[keyof typeof RtpExtensionUri];

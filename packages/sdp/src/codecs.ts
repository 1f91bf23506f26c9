/**
 * The RTP codec view of a media section (rtpmap + fmtp + rtcp-fb joined by
 * payload type) and codec matching on parameters, as JSEP needs it
 * (RFC 8829 §5.3.1: a codec matches when the mime type, clock rate, channels
 * AND the codec-specific format parameters that change meaning all agree).
 */
import { parseFmtpParameters } from './attributes/rtp.js';
import { findAttributes } from './query.js';
import type { MediaDescription } from './types.js';

export interface SdpRtpCodec {
  payloadType: number;
  /** Encoding name as written, e.g. "H264", "opus". */
  name: string;
  /** "audio/opus", "video/H264". */
  mimeType: string;
  clockRate: number;
  channels?: number;
  /** fmtp parameters, keys lower-cased. */
  parameters: Map<string, string>;
  /** fmtp line as written ("" when none). */
  fmtp: string;
  rtcpFeedback: { type: string; parameter?: string }[];
}

/** RFC 3551 §6 static payload types that may appear without rtpmap. */
const STATIC_PAYLOAD_TYPES: Record<number, [string, number, number?]> = {
  0: ['PCMU', 8000, 1], 8: ['PCMA', 8000, 1], 9: ['G722', 8000, 1], 13: ['CN', 8000, 1],
};

/** Codecs of an RTP media section in m= line (preference) order. */
export function getRtpCodecs(media: MediaDescription): SdpRtpCodec[] {
  const rtpmaps = findAttributes(media.attributes, 'rtpmap');
  const fmtps = findAttributes(media.attributes, 'fmtp');
  const fbs = findAttributes(media.attributes, 'rtcp-fb');
  const out: SdpRtpCodec[] = [];
  for (const f of media.formats) {
    const pt = Number(f);
    if (!Number.isInteger(pt)) continue;
    const map = rtpmaps.find((r) => r.payloadType === pt);
    const fixed = STATIC_PAYLOAD_TYPES[pt];
    if (!map && !fixed) continue;
    const name = map ? map.encodingName : fixed![0];
    const fmtp = fmtps.find((x) => x.payloadType === pt)?.parameters ?? '';
    const codec: SdpRtpCodec = {
      payloadType: pt, name, mimeType: `${media.kind}/${name}`, clockRate: map ? map.clockRate : fixed![1],
      parameters: parseFmtpParameters(fmtp), fmtp,
      rtcpFeedback: fbs.filter((x) => x.payloadType === pt || x.payloadType === '*')
        .map((x) => (x.parameter !== undefined ? { type: x.type, parameter: x.parameter } : { type: x.type })),
    };
    const channels = map ? map.channels : fixed![2];
    if (channels !== undefined) codec.channels = channels;
    out.push(codec);
  }
  return out;
}

/** The parts of a codec that matching looks at. */
export interface CodecLike {
  mimeType: string;
  clockRate: number;
  channels?: number;
  parameters: Map<string, string> | Record<string, string>;
}

function param(c: CodecLike, key: string): string | undefined {
  return c.parameters instanceof Map ? c.parameters.get(key) : c.parameters[key];
}

/**
 * H.264 profile from profile-level-id (RFC 6184 §8.1): profile_idc and the
 * profile-iop constraint flags decide the profile; level_idc is ignored for
 * matching because level is negotiated separately (level-asymmetry-allowed).
 * Default profile-level-id is 420010 (Baseline) when absent.
 */
export function h264Profile(profileLevelId: string | undefined): string | undefined {
  const id = profileLevelId ?? '420010';
  if (!/^[0-9a-fA-F]{6}$/.test(id)) return undefined;
  const idc = parseInt(id.slice(0, 2), 16);
  const iop = parseInt(id.slice(2, 4), 16);
  const set0 = (iop & 0x80) !== 0, set1 = (iop & 0x40) !== 0, set3 = (iop & 0x10) !== 0;
  switch (idc) {
    case 0x42: return set1 ? 'constrained-baseline' : 'baseline';
    case 0x4d: return set0 ? 'constrained-baseline' : 'main';
    case 0x58: return set0 && set1 ? 'constrained-baseline' : set0 ? 'baseline' : 'extended';
    case 0x64: return (iop & 0x0c) === 0x0c ? 'constrained-high' : 'high';
    case 0xf4: return 'high-4:4:4';
    default: return `idc-${idc.toString(16)}${set3 ? '-set3' : ''}`;
  }
}

/** True when two codecs are the same codec for negotiation purposes. */
export function codecsMatch(a: CodecLike, b: CodecLike): boolean {
  if (a.mimeType.toLowerCase() !== b.mimeType.toLowerCase()) return false;
  if (a.clockRate !== b.clockRate) return false;
  const audio = a.mimeType.toLowerCase().startsWith('audio/');
  // RFC 8866 §6.6: channels defaults to 1 for audio.
  if (audio && (a.channels ?? 1) !== (b.channels ?? 1)) return false;
  const name = a.mimeType.slice(a.mimeType.indexOf('/') + 1).toLowerCase();
  switch (name) {
    case 'h264':
      // RFC 6184 §8.2.2: packetization-mode (default 0) must be equal; profiles must match.
      return (param(a, 'packetization-mode') ?? '0') === (param(b, 'packetization-mode') ?? '0') &&
        h264Profile(param(a, 'profile-level-id')) !== undefined &&
        h264Profile(param(a, 'profile-level-id')) === h264Profile(param(b, 'profile-level-id'));
    case 'vp9':
      return (param(a, 'profile-id') ?? '0') === (param(b, 'profile-id') ?? '0');
    case 'av1':
      return (param(a, 'profile') ?? '0') === (param(b, 'profile') ?? '0');
    default:
      return true;
  }
}

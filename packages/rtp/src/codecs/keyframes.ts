import { av1StartsCodedVideoSequence, splitAv1Obus } from './av1Obu.js';
import { H264NalType, splitAnnexB } from './h264Nal.js';
import { isVp8KeyframeData } from './vp8.js';
import { parseVp9FrameHeader } from './vp9.js';

/**
 * Sender-side keyframe test on an encoded frame as the payloaders take it
 * (VP8/VP9 frame, H.264 Annex B access unit, AV1 low-overhead temporal unit).
 * The same rules the payloaders signal on the wire (docs/codecs.md):
 * VP8 payload header P=0 (RFC 7741 §4.3); VP9 uncompressed header frame_type
 * KEY_FRAME; H.264 an IDR slice; AV1 a sequence header and a KEY_FRAME (a new
 * coded video sequence). Audio frames always stand alone. Throws for an unknown codec.
 */
export function isKeyframe(encodingName: string, frame: Buffer): boolean {
  switch (encodingName.toLowerCase()) {
    case 'vp8':
      return isVp8KeyframeData(frame);
    case 'vp9':
      return parseVp9FrameHeader(frame)?.keyframe === true;
    case 'h264':
      return splitAnnexB(frame).some((nal) => (nal[0]! & 0x1f) === H264NalType.Idr);
    case 'av1':
      return av1StartsCodedVideoSequence(splitAv1Obus(frame) ?? []);
    case 'opus':
    case 'pcmu':
    case 'pcma':
      return true;
    default:
      throw new Error(`isKeyframe: unknown encoding '${encodingName}'; supported: VP8, VP9, H264, AV1, opus, PCMU, PCMA`);
  }
}

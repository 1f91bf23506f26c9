/**
 * Codec order for a transceiver: setCodecPreferences when the application called it; otherwise,
 * when the sender's track comes from a source that declares its codec (e.g. an H.264 camera), that
 * codec first, then the rest. A browser encoder can produce any codec; a Rivulet source produces
 * one, and we never transcode, so the negotiation should favour it.
 */
import { trackInternals } from '../media/MediaStreamTrack.js';
import { senderInternals } from '../transceiver/RTCRtpSender.js';
import type { RTCRtpTransceiver, TransceiverState } from '../transceiver/RTCRtpTransceiver.js';
import { getCapabilities, type RTCRtpCodec } from './capabilities.js';

export function effectiveCodecPreferences(t: RTCRtpTransceiver, s: TransceiverState): RTCRtpCodec[] {
  if (s.codecPreferences.length > 0) return s.codecPreferences;
  const track = senderInternals.state(t.sender).track;
  const declared = track ? trackInternals.source(track).mimeType?.toLowerCase() : undefined;
  if (!declared) return [];
  const all = getCapabilities(s.kind)?.codecs ?? [];
  const first = all.filter((c) => c.mimeType.toLowerCase() === declared);
  if (first.length === 0) return [];
  return [...first, ...all.filter((c) => c.mimeType.toLowerCase() !== declared)];
}

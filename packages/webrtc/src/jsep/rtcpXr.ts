/**
 * RTCP XR negotiation (RFC 3611 §5.1): every RTP section of our offers and answers says
 * a=rtcp-xr:rcvr-rtt=all — we send Receiver Reference Time blocks (§4.4) and answer the peer's
 * with DLRR (§4.5) — and we send our own RRTRs only to a peer whose description says rcvr-rtt.
 * All sections share one RTP session (one transport per connection, RFC 9143 BUNDLE), so one
 * section asking for it is enough.
 */
import { getRcvrRttMode, type MediaDescription, type RtcpXrAttribute, type SessionDescription } from '@rivulet/sdp';
import { isRejected } from './rejected.js';

/** The attribute our audio/video sections carry. */
export function rcvrRttAttribute(): RtcpXrAttribute {
  return { name: 'rtcp-xr', formats: [{ name: 'rcvr-rtt', value: 'all' }] };
}

const isRtp = (m: MediaDescription) => m.kind === 'audio' || m.kind === 'video';

/**
 * Whether we may send RRTRs to the author of `remote`: true when a used (not rejected) audio or
 * video section, or the session level (§5.1 allows both), lists rcvr-rtt in either mode; null when
 * the description has no used RTP section (nothing to report on).
 */
export function remoteWantsReceiverRtt(remote: SessionDescription): boolean | null {
  const used = remote.media.filter((m) => isRtp(m) && !isRejected(m));
  if (used.length === 0) return null;
  if (getRcvrRttMode(remote.attributes) !== undefined) return true;
  return used.some((m) => getRcvrRttMode(m.attributes) !== undefined);
}

/**
 * webrtc-pc §4.7.3 "check if negotiation is needed", step by step, against
 * [[CurrentLocalDescription]] / [[CurrentRemoteDescription]].
 */
import { isRejected } from '../jsep/rejected.js';
import { findAttributes, getDirection, getMid, intersectDirection, reverseDirection, type MediaDescription } from '@rivulet/sdp';
import { senderInternals } from '../transceiver/RTCRtpSender.js';
import type { PeerState } from './state.js';

function sectionFor(media: readonly MediaDescription[] | undefined, mid: string | null): MediaDescription | undefined {
  if (!media || mid === null) return undefined;
  return media.find((m) => getMid(m) === mid);
}

export function isNegotiationNeeded(st: PeerState): boolean {
  // Step 2: restartIce() asked for new credentials.
  if (st.iceRestartPending) return true;
  const description = st.currentLocal;
  const local = description?.sdp;
  // Step 4: a data channel exists but no data section has been negotiated.
  if (st.dataChannelRequested && !(local?.media.some((m) => m.kind === 'application' && !isRejected(m)))) return true;
  for (const t of st.transceivers) {
    const s = st.transceiverState(t);
    // 5.1
    if (s.stopping && !s.stopped) return true;
    const m = sectionFor(local?.media, s.mid);
    // 5.2
    if (!s.stopped && !m) return true;
    if (!s.stopped && m) {
      const direction = s.direction as Exclude<typeof s.direction, 'stopped'>;
      // 5.3.1: msid lines must match the sender's stream ids.
      if (direction === 'sendrecv' || direction === 'sendonly') {
        const lines = findAttributes(m.attributes, 'msid');
        const ids = lines.map((l) => l.streamId).filter((id) => id !== '-');
        const want = senderInternals.state(t.sender).streamIds;
        if (lines.length === 0 || ids.length !== want.length || ids.some((id, i) => id !== want[i])) return true;
      }
      const localDir = getDirection(m, local);
      if (description!.type === 'offer') {
        // 5.3.2
        const r = sectionFor(st.currentRemote?.sdp.media, s.mid);
        const remoteDir = r ? reverseDirection(getDirection(r, st.currentRemote!.sdp)) : undefined;
        if (localDir !== direction && remoteDir !== direction) return true;
      } else {
        // 5.3.3: our answer must equal the intersection with the offered direction.
        const offer = sectionFor(st.currentRemote?.sdp.media, s.mid);
        if (offer && localDir !== intersectDirection(getDirection(offer, st.currentRemote!.sdp), direction)) return true;
      }
    }
    // 5.4
    if (s.stopped && s.mLineIndex !== null) {
      const l = st.currentLocal?.sdp.media[s.mLineIndex];
      const r = st.currentRemote?.sdp.media[s.mLineIndex];
      if (!((l && isRejected(l)) || (r && isRejected(r)))) return true;
    }
  }
  return false;
}

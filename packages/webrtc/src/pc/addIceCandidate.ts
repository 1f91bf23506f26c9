/**
 * addIceCandidate (webrtc-pc §4.4.1.5): TypeError without sdpMid and
 * sdpMLineIndex, InvalidStateError without a remote description,
 * OperationError for an unknown mid, an index out of range, a foreign
 * ufrag or an unparsable candidate; "" (or no argument) is end-of-candidates.
 */
import { isRejected } from '../jsep/rejected.js';
import { formatCandidate, getMediaOrSession, getMid } from '@rivulet/sdp';
import { invalidState, operationError } from '../base/errors.js';
import { parseCandidateString, RTCIceCandidate, type RTCIceCandidateInit } from '../rtc/RTCIceCandidate.js';
import { iceTransportInternals } from '../transport/RTCIceTransport.js';
import type { PeerCore } from './core.js';

export function addIceCandidate(core: PeerCore, input: RTCIceCandidateInit | RTCIceCandidate | null | undefined): Promise<void> {
  const c: RTCIceCandidateInit = input instanceof RTCIceCandidate ? input.toJSON() : { ...(input ?? {}) };
  const candidate = c.candidate ?? '';
  const sdpMid = c.sdpMid ?? null;
  const sdpMLineIndex = c.sdpMLineIndex ?? null;
  const ufrag = c.usernameFragment ?? null;
  if (candidate !== '' && sdpMid === null && sdpMLineIndex === null) {
    return Promise.reject(new TypeError('addIceCandidate: a candidate needs sdpMid or sdpMLineIndex'));
  }
  return core.chain.chain(async () => {
    const st = core.st;
    const remote = st.pendingRemote ?? st.currentRemote;
    if (!remote) throw invalidState('addIceCandidate: no remote description has been set');
    const media = remote.sdp.media;
    let index: number | undefined;
    if (sdpMid !== null) {
      index = media.findIndex((m) => getMid(m) === sdpMid);
      if (index < 0) throw operationError(`addIceCandidate: no m-section has mid ${JSON.stringify(sdpMid)}`);
    } else if (sdpMLineIndex !== null) {
      if (sdpMLineIndex >= media.length) {
        throw operationError(`addIceCandidate: sdpMLineIndex ${sdpMLineIndex} is out of range (${media.length} m-sections)`);
      }
      index = sdpMLineIndex;
    }
    const targets = index === undefined ? media.map((_, i) => i) : [index];
    if (ufrag !== null) {
      const known = targets.some((i) => getMediaOrSession(media[i]!, remote.sdp, 'ice-ufrag')?.ufrag === ufrag);
      if (!known) throw operationError(`addIceCandidate: usernameFragment ${JSON.stringify(ufrag)} matches no remote ICE generation`);
    }
    const bundle = st.bundle!;
    if (candidate === '') {
      // RFC 8838 §13: end-of-candidates for this generation.
      for (const i of targets) {
        const m = media[i]!;
        if (!m.attributes.some((a) => a.name === 'end-of-candidates')) m.attributes.push({ name: 'end-of-candidates' });
      }
      bundle.addRemoteCandidate(null);
      return;
    }
    const parsed = parseCandidateString(candidate);
    if (!parsed) throw operationError(`addIceCandidate: ${JSON.stringify(candidate.slice(0, 120))} is not a valid a=candidate (RFC 8839 §5.1)`);
    const m = media[targets[0]!]!;
    if (isRejected(m)) return; // rejected section: nothing to add
    m.attributes.push(parsed);
    const ufragOf = ufrag ?? getMediaOrSession(m, remote.sdp, 'ice-ufrag')?.ufrag ?? '';
    core.appliedRemoteCandidates.add(`${ufragOf} ${formatCandidate(parsed)}`);
    iceTransportInternals.addRemoteCandidate(st.iceTransport!, new RTCIceCandidate({ candidate, sdpMid, sdpMLineIndex, usernameFragment: ufrag }));
    bundle.addRemoteCandidate(parsed);
  });
}

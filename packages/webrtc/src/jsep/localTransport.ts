/** The ICE/DTLS attributes every m-section of our descriptions carries (BUNDLE: all the same, RFC 9143 §7). */
import { certificateMaterial } from '../rtc/RTCCertificate.js';
import type { PeerState } from '../pc/state.js';
import type { TransportAttributes } from './sections.js';

export function localTransportAttributes(st: PeerState, setup: TransportAttributes['setup']): TransportAttributes {
  // restartIce()/iceRestart already switched the bundle to new credentials (createOffer).
  const ice = st.bundle!.localIceParameters;
  const material = certificateMaterial(st.certificate!);
  // Only sha-256 is signalled (RFC 8122 §5; what browsers send), so only that digest is computed
  // (material.fingerprints would hash the certificate with sha-384 and sha-512 too).
  const sha256 = { algorithm: 'sha-256', value: material.fingerprint('sha-256') };
  return {
    ufrag: ice.usernameFragment,
    pwd: ice.password,
    fingerprints: [{ algorithm: sha256.algorithm.toLowerCase(), value: sha256.value.toUpperCase() }],
    setup,
    // Candidates of the current generation only (a restart clears the list, RFC 8445 §9).
    candidates: [...st.localCandidates],
    endOfCandidates: st.localEndOfCandidates,
  };
}

/** Every mid used by a description or transceiver, so a new mid never collides (RFC 8843 §7.1). */
export function allocateMid(st: PeerState): string {
  const used = new Set<string>();
  for (const d of [st.currentLocal, st.pendingLocal, st.currentRemote, st.pendingRemote]) {
    for (const m of d?.sdp.media ?? []) {
      const mid = m.attributes.find((a) => a.name === 'mid');
      if (mid && 'mid' in mid) used.add(mid.mid);
    }
  }
  for (const t of st.transceivers) {
    const s = st.transceiverState(t);
    if (s.mid !== null) used.add(s.mid);
    if (s.proposedMid !== null) used.add(s.proposedMid);
  }
  if (st.dataMid !== null) used.add(st.dataMid);
  if (st.dataProposedMid !== null) used.add(st.dataProposedMid);
  while (used.has(String(st.nextMid))) st.nextMid++;
  return String(st.nextMid++);
}

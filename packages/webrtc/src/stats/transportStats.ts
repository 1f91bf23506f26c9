/**
 * What the built-in transport bundle reports about ICE and DTLS for getStats
 * (webrtc-stats §8.16 RTCTransportStats, §8.17 RTCIceCandidateStats, §8.18
 * RTCIceCandidatePairStats): read from the agent's check list and the DTLS
 * endpoint when getStats asks, never on the data path.
 */
import { cipherSuiteName, SrtpProfile, type DtlsEndpoint } from '@rivulet/dtls';
import type { CandidatePair as IcePair, IceAgent, IceCandidate, LocalCandidate } from '@rivulet/ice';
import { parseCandidate, type CandidateAttribute } from '@rivulet/sdp';
import type { CandidatePairStats, CandidateStats, TransportStats } from '../transport/bundle.js';

function attribute(c: IceCandidate): CandidateAttribute | undefined {
  return parseCandidate(c.toSdp().slice('candidate:'.length));
}

/** IANA "DTLS-SRTP Protection Profiles" names (RFC 5764 §4.1.2, RFC 7714 §14.2), by id. */
const SRTP_NAMES = new Map<number, string>(Object.entries(SrtpProfile).map(([name, id]) => [id, name]));

function localStats(lc: LocalCandidate, ufrag: string | undefined): CandidateStats | undefined {
  const a = attribute(lc.candidate);
  if (!a) return undefined;
  const l: CandidateStats = { candidate: a };
  const lu = ufrag ?? lc.candidate.usernameFragment;
  if (lu !== undefined) l.usernameFragment = lu;
  if (lc.url !== undefined) l.url = lc.url;
  if (lc.relayProtocol !== undefined) l.relayProtocol = lc.relayProtocol;
  return l;
}

function pairStats(agent: IceAgent, p: IcePair, selected: boolean): CandidatePairStats | undefined {
  const creds = selected ? agent.selectedCredentials : undefined;
  const l = localStats(p.local, creds?.localUfrag);
  const remote = attribute(p.remote);
  if (!l || !remote) return undefined;
  const r: CandidateStats = { candidate: remote };
  const ru = creds?.remoteUfrag ?? p.remote.usernameFragment ?? agent.remoteParameters?.usernameFragment;
  if (ru !== undefined) r.usernameFragment = ru;
  const s: CandidatePairStats = {
    local: l, remote: r, state: p.state, nominated: p.nominated, selected, priority: Number(p.priority),
    packetsSent: p.packetsSent, packetsReceived: p.packetsReceived, bytesSent: p.bytesSent, bytesReceived: p.bytesReceived,
    totalRoundTripTime: p.totalRttMs / 1000, requestsSent: p.requestsSent, requestsReceived: p.requestsReceived,
    responsesSent: p.responsesSent, responsesReceived: p.responsesReceived, consentRequestsSent: p.consentRequestsSent,
  };
  if (p.rttMs !== undefined) s.currentRoundTripTime = p.rttMs / 1000;
  if (p.lastPacketSentAt !== undefined) s.lastPacketSentAt = p.lastPacketSentAt;
  if (p.lastPacketReceivedAt !== undefined) s.lastPacketReceivedAt = p.lastPacketReceivedAt;
  if (p.requestsReceived > 0) s.lastRequestReceivedAt = p.lastRequestReceived;
  if (p.responsesReceived > 0) s.lastResponseReceivedAt = p.lastResponseReceived;
  return s;
}

/** Pairs (selected first; it stays reported while an ICE restart's new check list runs) and every candidate. */
export function iceAgentStats(agent: IceAgent): Pick<TransportStats, 'candidatePairs' | 'remoteCandidates' | 'localCandidates'> {
  const sel = agent.selectedPair;
  const pairs: CandidatePairStats[] = [];
  if (sel) {
    const s = pairStats(agent, sel, true);
    if (s) pairs.push(s);
  }
  for (const p of agent.pairs) {
    if (p === sel) continue;
    const s = pairStats(agent, p, false);
    if (s) pairs.push(s);
  }
  const remoteCandidates: CandidateStats[] = [];
  for (const c of agent.remoteCandidateList) {
    const a = attribute(c);
    if (!a) continue;
    const ufrag = c.usernameFragment ?? agent.remoteParameters?.usernameFragment;
    remoteCandidates.push(ufrag !== undefined ? { candidate: a, usernameFragment: ufrag } : { candidate: a });
  }
  const localCandidates: CandidateStats[] = [];
  for (const lc of agent.localCandidates) {
    const l = localStats(lc, undefined);
    if (l) localCandidates.push(l);
  }
  return { candidatePairs: pairs, remoteCandidates, localCandidates };
}

/** webrtc-stats tlsVersion / dtlsCipher / srtpCipher once the handshake completed. */
export function dtlsStats(dtls: DtlsEndpoint | null): Pick<TransportStats, 'tlsVersion' | 'dtlsCipher' | 'srtpCipher'> {
  const suite = dtls?.cipherSuite;
  if (!dtls || suite === undefined) return {};
  // We negotiate DTLS 1.2 only (RFC 6347): version 254.253 on the wire.
  const out: Pick<TransportStats, 'tlsVersion' | 'dtlsCipher' | 'srtpCipher'> = { tlsVersion: 'FEFD', dtlsCipher: cipherSuiteName(suite) };
  const profile = dtls.srtpProfile;
  if (profile !== undefined) out.srtpCipher = SRTP_NAMES.get(profile) ?? `0x${profile.toString(16).padStart(4, '0')}`;
  return out;
}

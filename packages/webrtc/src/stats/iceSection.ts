/**
 * The ICE part of getStats: `candidate-pair` for every pair of the check list
 * and `local-candidate` / `remote-candidate` for every candidate a pair
 * references (webrtc-stats §8.17, §8.18). Ids are derived from the candidate
 * text, so the same candidate keeps its id from one report to the next.
 */
import { createHash } from 'node:crypto';
import { formatCandidate } from '@rivulet/sdp';
import type { CandidatePair, CandidatePairStats, CandidateStats } from '../transport/bundle.js';
import type { RTCStats } from './RTCStatsReport.js';

/** Converts a time on the peer connection's clock (ms) to the report's DOMHighResTimeStamp. */
export type TimeOnReport = (clockMs: number) => number;

export function candidateId(side: 'local' | 'remote', c: CandidateStats): string {
  return `I${createHash('sha1').update(`${side} ${formatCandidate(c.candidate)}`).digest('hex').slice(0, 8)}`;
}

function candidateEntry(id: string, side: 'local' | 'remote', c: CandidateStats, now: number, transportId: string): RTCStats {
  const a = c.candidate;
  const s: RTCStats = {
    id, type: side === 'local' ? 'local-candidate' : 'remote-candidate', timestamp: now, transportId, address: a.address,
    port: a.port, protocol: a.transport.toLowerCase(), candidateType: a.type, priority: a.priority, foundation: a.foundation,
  };
  if (a.relatedAddress !== undefined) s['relatedAddress'] = a.relatedAddress;
  if (a.relatedPort !== undefined) s['relatedPort'] = a.relatedPort;
  // webrtc-stats RTCIceCandidateStats.url: the STUN/TURN server a srflx/relay candidate came from.
  if (c.url !== undefined) s['url'] = c.url;
  if (c.relayProtocol !== undefined) s['relayProtocol'] = c.relayProtocol;
  // usernameFragment: the ICE generation (changes on restart).
  if (c.usernameFragment !== undefined) s['usernameFragment'] = c.usernameFragment;
  return s;
}

/** Builds the pair stats a bundle without per-pair counters can still give: its selected pair. */
export function selectedOnly(pair: CandidatePair, traffic: { packetsSent: number; packetsReceived: number; bytesSent: number; bytesReceived: number }): CandidatePairStats {
  const local: CandidateStats = { candidate: pair.local };
  if (pair.localUsernameFragment !== undefined) local.usernameFragment = pair.localUsernameFragment;
  const remote: CandidateStats = { candidate: pair.remote };
  if (pair.remoteUsernameFragment !== undefined) remote.usernameFragment = pair.remoteUsernameFragment;
  return {
    local, remote, state: 'succeeded', nominated: true, selected: true, priority: 0, ...traffic, totalRoundTripTime: 0,
    requestsSent: 0, requestsReceived: 0, responsesSent: 0, responsesReceived: 0, consentRequestsSent: 0,
  };
}

export interface IceSection {
  entries: RTCStats[];
  selectedPairId: string | undefined;
}

/**
 * Pairs first (the selected one first), then each candidate once: those of the pairs first. `bitrate` is the
 * send-side estimate reported on the selected pair (availableOutgoingBitrate).
 */
export function iceSection(
  pairs: readonly CandidatePairStats[], others: { local: readonly CandidateStats[]; remote: readonly CandidateStats[] },
  now: number, at: TimeOnReport, transportId: string, bitrate: number | undefined,
): IceSection {
  const entries: RTCStats[] = [];
  const candidates = new Map<string, RTCStats>();
  let selectedPairId: string | undefined;
  for (const p of pairs) {
    const lid = candidateId('local', p.local);
    const rid = candidateId('remote', p.remote);
    if (!candidates.has(lid)) candidates.set(lid, candidateEntry(lid, 'local', p.local, now, transportId));
    if (!candidates.has(rid)) candidates.set(rid, candidateEntry(rid, 'remote', p.remote, now, transportId));
    const id = `CP${lid.slice(1)}_${rid.slice(1)}`;
    if (p.selected) selectedPairId = id;
    const s: RTCStats = {
      id, type: 'candidate-pair', timestamp: now, transportId, localCandidateId: lid, remoteCandidateId: rid, state: p.state,
      nominated: p.nominated, packetsSent: p.packetsSent, packetsReceived: p.packetsReceived, bytesSent: p.bytesSent,
      bytesReceived: p.bytesReceived, totalRoundTripTime: p.totalRoundTripTime, requestsSent: p.requestsSent,
      requestsReceived: p.requestsReceived, responsesSent: p.responsesSent, responsesReceived: p.responsesReceived,
      consentRequestsSent: p.consentRequestsSent,
    };
    if (p.priority > 0) s['priority'] = p.priority;
    if (p.currentRoundTripTime !== undefined) s['currentRoundTripTime'] = p.currentRoundTripTime;
    if (p.lastPacketSentAt !== undefined) s['lastPacketSentTimestamp'] = at(p.lastPacketSentAt);
    if (p.lastPacketReceivedAt !== undefined) s['lastPacketReceivedTimestamp'] = at(p.lastPacketReceivedAt);
    if (p.selected && bitrate !== undefined) s['availableOutgoingBitrate'] = bitrate;
    entries.push(s);
  }
  // Candidates no pair references (srflx ones, whose checks go from their host base, §6.1.2.4;
  // remote ones not paired yet) are reported too, as browsers do.
  for (const [side, list] of [['local', others.local], ['remote', others.remote]] as const) {
    for (const c of list) {
      const id = candidateId(side, c);
      if (!candidates.has(id)) candidates.set(id, candidateEntry(id, side, c, now, transportId));
    }
  }
  entries.push(...candidates.values());
  return { entries, selectedPairId };
}

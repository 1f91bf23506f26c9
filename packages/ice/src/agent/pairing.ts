import { bytesToIp, ipToBytes } from '../stun/index.js';
import type { IceAgent } from './agent.js';
import type { LocalBase } from './base.js';
import type { IceCandidate } from './candidate.js';
import { CandidatePair, type LocalCandidate } from './pair.js';

/** One spelling per IP (compressed IPv6), so candidates compare with socket source addresses. */
function canonicalIp(address: string): string {
  try {
    return bytesToIp(ipToBytes(address));
  } catch {
    return address;
  }
}

/**
 * Adds a remote candidate (signalled or peer-reflexive) and pairs it with every local
 * candidate (RFC 8445 §6.1.2.2). Returns the candidate as stored (an existing one for a
 * duplicate address), or undefined when the remote-candidate cap is reached.
 */
export function acceptRemote(agent: IceAgent, c: IceCandidate): IceCandidate | undefined {
  const address = canonicalIp(c.address);
  const cand = address === c.address ? c : c.with({ address });
  const existing = agent.remoteCandidates.find((r) => r.address === cand.address && r.port === cand.port);
  if (existing) return existing;
  if (agent.remoteCandidates.length >= agent.opts.maxRemoteCandidates) {
    agent.counters.inc('remote-candidate-capped');
    return undefined;
  }
  agent.remoteCandidates.push(cand);
  for (const l of agent.localCandidates) makePair(agent, l, cand);
  agent.scheduleTick();
  return cand;
}

/**
 * Pairs a local and a remote candidate into the check list. Only host and relay local
 * candidates pair: a srflx candidate sends from its host base, so its pairs would be pruned
 * onto the host ones (§6.1.2.4). Families never mix; the relay policy pairs relays only.
 */
export function makePair(agent: IceAgent, l: LocalCandidate, remote: IceCandidate): CandidatePair | undefined {
  const t = l.candidate.type;
  if (t !== 'host' && t !== 'relay') return undefined;
  if (agent.policy === 'relay' && t !== 'relay') return undefined;
  if (l.base.address.family !== (remote.address.includes(':') ? 'IPv6' : 'IPv4')) return undefined;
  const added = agent.checklist.add(new CandidatePair(l, remote, agent.controlling));
  if (!added) agent.counters.inc('pair-capped');
  return added;
}

/** The host or relay candidate whose base is `base` (the local side of a triggered check). */
export function candidateOfBase(agent: IceAgent, base: LocalBase): LocalCandidate | undefined {
  return agent.localCandidates.find((l) => l.base === base && (l.candidate.type === 'host' || l.candidate.type === 'relay'));
}

/**
 * At the peer-reflexive cap, forget the oldest prflx remote candidate whose pairs all failed, so
 * that a NAT creating a new mapping per destination (a storm of prflx sources when both sides
 * map address-and-port-dependently) cannot lock out a later, working source.
 */
export function evictFailedPeerReflexive(agent: IceAgent): boolean {
  const victim = agent.remoteCandidates.find(
    (r) => r.type === 'prflx' && agent.selectedPair?.remote !== r && agent.checklist.all.every((p) => p.remote !== r || p.state === 'failed'),
  );
  if (!victim) return false;
  for (const p of agent.checklist.all.filter((q) => q.remote === victim)) agent.checklist.remove(p);
  agent.remoteCandidates = agent.remoteCandidates.filter((r) => r !== victim);
  agent.prflxRemoteCount--;
  agent.counters.inc('prflx-remote-evicted');
  return true;
}

import type { IceAgent } from './agent.js';
import { CandidateGatherer } from './gatherer.js';
import type { LocalCandidate } from './pair.js';
import { makePair } from './pairing.js';
import type { IceAgentOptions } from './types.js';

/**
 * The agent's side of local candidate gathering (RFC 8445 §5.1.1): wires a CandidateGatherer to
 * the agent, runs a gathering generation and pairs each new local candidate as it appears
 * (trickle, RFC 8838), so checks start before gathering completes.
 */
export function createGatherer(agent: IceAgent, options: IceAgentOptions): CandidateGatherer {
  return new CandidateGatherer({
    network: agent.network,
    clock: agent.clock,
    transactions: agent.transactions,
    policy: agent.policy,
    iceServers: options.iceServers ?? [],
    hostOnly: agent.iceLite,
    interfaceFilter: options.interfaceFilter,
    mdnsResponder: options.hideHostAddresses ? () => options.mdnsResponder ?? agent.defaultMdns() : undefined,
    turnAllocator: options.turnAllocator,
    resolveHostname: options.resolveHostname,
    receive: (base, data, from) => agent.handleDatagram(base, data, from),
    onCandidate: (l) => addLocalCandidate(agent, l),
    isClosed: () => agent.isClosed,
  });
}

/**
 * One gathering generation: the first gathers through the CandidateGatherer; after a restart the
 * same bases serve again and are re-signalled under the new ufrag (RFC 8445 §9).
 */
export async function runGather(agent: IceAgent): Promise<void> {
  agent.setGatheringState('gathering');
  const ufrag = agent.localParameters.usernameFragment;
  if (agent.gatheredOnce) {
    // After a restart the same bases serve again; re-signal them under the new ufrag.
    agent.localCandidates = agent.localCandidates
      .filter((l) => l.candidate.type !== 'prflx')
      .map((l) => ({ ...l, candidate: l.candidate.with({ usernameFragment: ufrag }) }));
    for (const l of agent.localCandidates) agent.emit('candidate', l.candidate);
  } else {
    agent.gatheredOnce = true;
    await agent.gatherer.gather(ufrag, () => agent.localCandidates);
  }
  if (agent.isClosed) return;
  agent.setGatheringState('complete');
  agent.updateState();
}

/** A new local candidate: signal it and pair host and relay candidates with every remote one (§6.1.2.2). */
function addLocalCandidate(agent: IceAgent, l: LocalCandidate): void {
  agent.localCandidates.push(l);
  agent.emit('candidate', l.candidate);
  if (l.candidate.type === 'host' || l.candidate.type === 'relay') {
    for (const r of agent.remoteCandidates) makePair(agent, l, r);
    agent.scheduleTick();
  }
}

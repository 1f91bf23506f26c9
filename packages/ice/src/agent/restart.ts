import { createLogger } from '@rivulet/common';
import type { IceAgent } from './agent.js';
import { generateIceParameters, validateIceParameters } from './credentials.js';
import { acceptRemote } from './pairing.js';

const log = createLogger('ice');

/**
 * IceAgent.setRemoteParameters: a changed remote ufrag is the peer restarting ICE (RFC 8445 §9),
 * which starts a new check list while media stays on the selected pair; a lite peer makes a full
 * agent controlling (§6.1.1).
 */
export function applyRemoteParameters(agent: IceAgent, p: { usernameFragment: string; password: string; iceLite?: boolean }): void {
  validateIceParameters(p, 'IceAgent.setRemoteParameters: remote');
  if (agent.remoteParameters && agent.remoteParameters.usernameFragment !== p.usernameFragment) {
    // The peer restarted ICE (RFC 8445 §9): start a new check list; media stays on the selected pair.
    resetChecks(agent);
    agent.remoteRestarted = true;
  }
  agent.remoteParameters = { usernameFragment: p.usernameFragment, password: p.password, iceLite: p.iceLite ?? false };
  if (agent.remoteParameters.iceLite && !agent.controlling && !agent.iceLite) {
    // RFC 8445 §6.1.1: with a lite peer the full agent is controlling.
    agent.setRole(true);
  }
  agent.scheduleTick();
}

/** IceAgent.restart (RFC 8445 §9): new local credentials, a new check list, gathering again. */
export function restartAgent(agent: IceAgent): void {
  // RFC 8445 §9: new credentials; keep answering the old ones (and using the selected pair) until a new pair is selected.
  agent.previousLocal = agent.selectedPair ? agent.localParameters : undefined;
  agent.localParameters = generateIceParameters();
  // If the peer's new parameters (and maybe candidates) already arrived — an answerer restarting
  // in response to a restarting offer — keep them; otherwise wait for the peer's new generation.
  const kept = agent.remoteRestarted
    ? { params: agent.remoteParameters, candidates: agent.remoteCandidates.filter((c) => c.type !== 'prflx'), eoc: agent.remoteEndOfCandidates }
    : undefined;
  agent.remoteRestarted = false;
  resetChecks(agent);
  agent.remoteParameters = kept?.params;
  if (kept) {
    for (const c of kept.candidates) acceptRemote(agent, c);
    agent.remoteEndOfCandidates = kept.eoc;
  }
  agent._gatheringState = 'new'; // no event: gather() below moves it to 'gathering' at once
  // W3C: a restart is how an application recovers from 'failed': check again.
  agent.consentLost = false;
  if (agent.isStarted && agent.state === 'failed') agent.setState('checking');
  agent.gather().catch((err: Error) => log.warn('regathering after restart failed: %s', err.message));
}

/** Drops the check list and remote candidates of the previous generation; consent checks on the selected pair go on. */
export function resetChecks(agent: IceAgent): void {
  for (const [key, ctx] of [...agent.checkTx]) {
    if (ctx.kind === 'consent') continue;
    agent.checkTx.delete(key);
    agent.transactions.get(key)?.cancel('ICE restart');
  }
  agent.checklist.clear();
  agent.remoteCandidates = [];
  agent.prflxRemoteCount = 0;
  agent.remoteEndOfCandidates = false;
  agent.scheduler.reset();
}

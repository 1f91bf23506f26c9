import { createLogger } from '@rivulet/common';
import type { IceAgent } from './agent.js';
import type { CandidatePair } from './pair.js';
import { sourceKey } from './sourceKey.js';

const log = createLogger('ice');

/** Credentials a pair's checks use, captured at selection so consent survives an ICE restart. */
export interface PairCredentials {
  localUfrag: string;
  remoteUfrag: string;
  remotePassword: string;
}

/**
 * IceAgent.selectPair: makes `pair` the selected pair (RFC 8445 §8.1.1, §7.3.1.5). Its source
 * becomes valid for data, its credentials are kept for consent (RFC 7675) across a restart,
 * and a pending restart is complete.
 */
export function selectPair(agent: IceAgent, pair: CandidatePair): void {
  agent.scheduler.onSelected();
  if (agent._selectedPair === pair) return;
  agent._selectedPair = pair;
  agent.validSources.add(sourceKey(pair.local.base, pair.remoteAddress));
  if (agent.remoteParameters) {
    agent.selectedCredentials = {
      localUfrag: agent.localParameters.usernameFragment,
      remoteUfrag: agent.remoteParameters.usernameFragment,
      remotePassword: agent.remoteParameters.password,
    };
  }
  agent.previousLocal = undefined; // a restart, if any, is complete
  if (agent.iceLite) agent.scheduler.startKeepalives();
  else agent.consent.start();
  log.debug('selected pair %s', pair.toString());
  agent.emit('selectedpairchange', pair);
  agent.updateState();
  agent.noteWritable();
}

/** Controlled side: select the highest-priority nominated valid pair (§8.1.1, §7.3.1.5). */
export function selectNominated(agent: IceAgent): void {
  const best = agent.checklist.all.find((p) => p.nominated && p.state === 'succeeded');
  if (best) selectPair(agent, best);
}

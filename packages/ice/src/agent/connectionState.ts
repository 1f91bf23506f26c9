import type { IceAgent } from './agent.js';
import type { ConsentStatus } from './consent.js';

/**
 * IceAgent.updateState: derives the connection state from the selected pair, consent, the check
 * list and whether more candidates can still come. Called after every event that can change it.
 */
export function updateConnectionState(agent: IceAgent): void {
  // Consent loss is terminal until restart() (RFC 7675 §5.1); 'failed' from exhausted checks is not:
  // the peer may still run triggered checks that succeed, as libwebrtc also allows.
  if (agent.isClosed || agent.consentLost) return;
  if (agent.selectedPair) {
    if (agent.consent.status === 'disconnected') agent.setState('disconnected');
    else if (agent.remoteEndOfCandidates && agent.gatheringState === 'complete') agent.setState('completed');
    else agent.setState('connected');
    return;
  }
  if (!agent.isStarted) return;
  const exhausted =
    !agent.checklist.active &&
    !agent.scheduler.nominating &&
    agent.remoteEndOfCandidates &&
    agent.gatheringState === 'complete' &&
    agent.pendingMdns === 0 &&
    agent.checklist.all.every((p) => p.state === 'failed');
  // RFC 8445 §8.1.2 / RFC 8838 §8: failed once every pair failed and no more candidates can come.
  if (exhausted) agent.setState('failed');
  else if (agent.state === 'failed') agent.setState('checking');
}

/** The ConsentMonitor's verdict on the selected pair (RFC 7675). */
export function onConsentStatus(agent: IceAgent, s: ConsentStatus): void {
  if (s === 'expired') {
    // RFC 7675 §5.1: consent lost — stop sending on the pair; it is no longer selected.
    agent.consent.stop();
    agent.consentLost = true;
    agent._selectedPair = undefined;
    agent.emit('selectedpairchange', undefined);
    agent.setState('failed');
    return;
  }
  updateConnectionState(agent);
}

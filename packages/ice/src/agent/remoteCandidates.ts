import { isIP } from 'node:net';
import type { IceAgent } from './agent.js';
import { IceCandidate } from './candidate.js';
import { acceptRemote } from './pairing.js';

/**
 * Takes one trickled remote candidate, or null for end-of-candidates (RFC 8838 §13), as
 * IceAgent.addRemoteCandidate does once the agent is known open. Candidates that cannot be
 * checked are counted as 'remote-candidate-ignored'; mDNS names (.local, RFC 8445 §5.1.1 and
 * draft-ietf-mmusic-mdns-ice-candidates) are resolved first and paired when the answer arrives.
 */
export function addRemoteCandidate(agent: IceAgent, c: IceCandidate | null): void {
  if (c === null) {
    // RFC 8838 §13: end-of-candidates.
    agent.remoteEndOfCandidates = true;
    agent.updateState();
    return;
  }
  if (!(c instanceof IceCandidate)) throw new TypeError(`IceAgent.addRemoteCandidate: expected an IceCandidate or null, got ${String(c)}`);
  if (c.component !== 1 || c.protocol !== 'udp') {
    agent.counters.inc('remote-candidate-ignored');
    return;
  }
  if (c.usernameFragment && agent.remoteParameters && c.usernameFragment !== agent.remoteParameters.usernameFragment) {
    agent.counters.inc('remote-candidate-ignored'); // an earlier generation (RFC 8838 §4.1)
    return;
  }
  if (c.isMdns) {
    agent.pendingMdns++;
    const resolver = agent.options.mdnsResolver ?? agent.defaultMdns();
    resolver.resolve(c.address).then(
      (address) => onMdnsResolved(agent, c, address),
      () => onMdnsResolved(agent, c, undefined),
    );
    return;
  }
  // Unresolved names, unspecified addresses and port 0 cannot be checked (RFC 8445 §5.1.1).
  if (!c.family || c.port === 0 || c.address === '0.0.0.0' || c.address === '::') {
    agent.counters.inc('remote-candidate-ignored');
    return;
  }
  acceptRemote(agent, c);
}

/** An mDNS candidate's name resolved (or not): pair it under its address, or count it and re-evaluate 'failed'. */
function onMdnsResolved(agent: IceAgent, c: IceCandidate, address: string | undefined): void {
  agent.pendingMdns--;
  if (agent.isClosed) return;
  if (!address || !isIP(address)) {
    agent.counters.inc('mdns-unresolved');
    agent.updateState();
    return;
  }
  acceptRemote(agent, c.with({ address }));
}

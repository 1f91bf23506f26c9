/**
 * The ICE side of the built-in transport bundle, as the W3C layer sees it: the IceAgent made from
 * the RTCConfiguration (webrtc-pc §4.2.1 iceServers / iceTransportPolicy), and candidates and the
 * selected pair in SDP attribute form (RFC 8839 §5.1). Nothing here is on the data path.
 */
import { IceAgent, type IceCandidate, type IceServer } from '@rivulet/ice';
import { parseCandidate, type CandidateAttribute } from '@rivulet/sdp';
import type { CandidatePair, TransportBundleInit } from './bundle.js';

export function toCandidateAttribute(c: IceCandidate): CandidateAttribute | undefined {
  return parseCandidate(c.toSdp().slice('candidate:'.length));
}

/** The agent for one bundle: starts controlled (the JSEP layer sets the role), filtered to the given interfaces. */
export function createBundleIceAgent(init: TransportBundleInit): IceAgent {
  const iceServers: IceServer[] = init.iceServers.map((s) => {
    const server: IceServer = { urls: s.url };
    if (s.username !== undefined) server.username = s.username;
    if (s.credential !== undefined) server.credential = s.credential;
    return server;
  });
  const only = init.interfaceAddresses;
  return new IceAgent({
    controlling: false, clock: init.clock, iceServers, iceTransportPolicy: init.iceTransportPolicy,
    ...(init.network ? { network: init.network } : {}),
    ...(only ? { interfaceFilter: (a: { address: string }) => only.includes(a.address) } : {}),
  });
}

/** The agent's selected pair with the ufrags it was checked under (webrtc-pc §5.6 getSelectedCandidatePair). */
export function selectedCandidatePair(agent: IceAgent): CandidatePair | null {
  const p = agent.selectedPair;
  if (!p) return null;
  const local = toCandidateAttribute(p.local.candidate);
  const remote = toCandidateAttribute(p.remote);
  if (!local || !remote) return null;
  const creds = agent.selectedCredentials;
  return creds ? { local, remote, localUsernameFragment: creds.localUfrag, remoteUsernameFragment: creds.remoteUfrag } : { local, remote };
}

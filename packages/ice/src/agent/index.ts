// The ICE agent (RFC 8445) and its parts.
export { IceAgent, type PairCredentials } from './agent.js';
export type { IceAgentStats } from './agentStats.js';
export type {
  IceAgentOptions,
  IceAgentEvents,
  IceConnectionState,
  IceGatheringState,
  IceRole,
  IceServer,
  IceTransportPolicy,
  IceCounter,
} from './types.js';
export {
  IceCandidate,
  candidatePriority,
  addressKey,
  TYPE_PREFERENCE,
  type IceCandidateInit,
  type IceCandidateType,
  type IceProtocol,
  type IceTcpType,
} from './candidate.js';
export { CandidatePair, pairPriority, type CandidatePairState, type LocalCandidate } from './pair.js';
export { LocalBase, type TurnAllocationLike, type TurnAllocator, type RelayServerConfig } from './base.js';
export { generateIceParameters, generateTieBreaker, type IceParameters } from './credentials.js';
export { InMemoryMdns, MulticastDnsService, generateMdnsName, type MdnsResolver, type MdnsResponder } from './mdns.js';
export { parseIceServerUrl, type IceServerUrl } from './urls.js';
export { foundationFor, selectInterfaces } from './gather.js';
export { ConsentMonitor, type ConsentStatus, type ConsentOptions } from './consent.js';

import type { Clock, InterfaceAddress, Network } from '@rivulet/common';
import type { TurnAllocator } from './base.js';
import type { IceCandidate } from './candidate.js';
import type { MdnsResolver, MdnsResponder } from './mdns.js';
import type { CandidatePair } from './pair.js';
import type { StunDropReason } from '../stun/index.js';

export type IceRole = 'controlling' | 'controlled';
export type IceConnectionState = 'new' | 'checking' | 'connected' | 'completed' | 'disconnected' | 'failed' | 'closed';
export type IceGatheringState = 'new' | 'gathering' | 'complete';
export type IceTransportPolicy = 'all' | 'relay';

/** W3C RTCIceServer. */
export interface IceServer {
  urls: string | string[];
  username?: string;
  credential?: string;
}

export interface IceAgentOptions {
  /** Initial role (RFC 8445 §6.1.1); may change on a role conflict. */
  controlling: boolean;
  clock?: Clock;
  network?: Network;
  iceServers?: IceServer[];
  iceTransportPolicy?: IceTransportPolicy;
  /** Signal host candidates as random `.local` names answered over mDNS, as browsers do. */
  hideHostAddresses?: boolean;
  /** Chooses host-candidate addresses; default: non-internal, non-link-local, else loopback. */
  interfaceFilter?: (a: InterfaceAddress) => boolean;
  /** Resolves remote `.local` candidates; default: real mDNS via `multicast-dns`. */
  mdnsResolver?: MdnsResolver;
  /** Answers queries for our hidden names; default: real mDNS via `multicast-dns`. */
  mdnsResponder?: MdnsResponder;
  /** Creates TURN allocations; default: `allocateTurn` from this package's turn/ module. */
  turnAllocator?: TurnAllocator;
  /** Resolves a STUN/TURN server host name to an IP; default: node:dns lookup. */
  resolveHostname?: (host: string) => Promise<string>;
  /** Act as an ICE-lite agent (RFC 8445 §2.5): no checks of our own, host candidates only. */
  iceLite?: boolean;
  /** Ta, the pacing interval between checks (RFC 8445 §14.2); default 50 ms. */
  taMs?: number;
  /** Initial RTO of connectivity checks (RFC 8445 §14.3); default 500 ms. */
  checkRtoMs?: number;
  /** Controlling: how long to wait for a better pair before nominating the best valid one; default 1000 ms. */
  nominationDelayMs?: number;
  /** RFC 7675 consent check interval; default 5000 ms (randomized ×0.8–1.2). */
  consentIntervalMs?: number;
  /** Unanswered consent for this long → 'disconnected'; default 5000 ms. */
  disconnectedTimeoutMs?: number;
  /** No consent response for this long → 'failed'; default 30000 ms (RFC 7675). */
  failedTimeoutMs?: number;
  /** Cap on remote candidates (signalled plus peer-reflexive); default 100. */
  maxRemoteCandidates?: number;
  /** Cap on peer-reflexive remote candidates learnt from authenticated requests; default 20. */
  maxPeerReflexive?: number;
  /** SOFTWARE attribute in our checks (omitted by default). */
  software?: string;
}

export interface IceAgentEvents {
  candidate: [IceCandidate];
  gatheringstatechange: [IceGatheringState];
  statechange: [IceConnectionState];
  selectedpairchange: [CandidatePair | undefined];
  rolechange: [IceRole];
  /**
   * The first pair became valid (a check of ours succeeded, RFC 8445 §7.2.5.3.2), or one was
   * selected: data may flow now (§12.1), before nomination completes. Emitted once per agent.
   */
  writable: [];
  /** Every non-STUN datagram received from a remote address on a validated pair. */
  data: [Buffer];
}

/** Why the agent dropped or noted something (see IceAgent.counters). */
export type IceCounter =
  | StunDropReason
  | 'empty-datagram'
  | 'indication'
  | 'request-not-binding'
  | 'request-unauthenticated'
  | 'request-wrong-ufrag'
  | 'request-bad-integrity'
  | 'request-unknown-attributes'
  | 'request-malformed'
  | 'request-role-conflict-487'
  | 'request-role-switch'
  | 'request-before-remote-parameters'
  | 'request-previous-generation'
  | 'response-unknown-transaction'
  | 'response-bad-integrity'
  | 'response-asymmetric'
  | 'response-malformed'
  | 'response-error'
  | 'response-role-conflict'
  | 'prflx-remote-created'
  | 'prflx-remote-capped'
  | 'prflx-remote-evicted'
  | 'prflx-local-created'
  | 'remote-candidate-ignored'
  | 'remote-candidate-capped'
  | 'mdns-unresolved'
  | 'pair-capped'
  | 'checks-sent'
  | 'checks-timed-out'
  | 'nomination-retries'
  | 'check-retries'
  | 'consent-checks-sent'
  | 'keepalives-sent'
  | 'data-unknown-source'
  | 'data-sent'
  | 'data-sent-before-selection'
  | 'data-held-until-valid'
  | 'data-received'
  | 'send-without-pair';

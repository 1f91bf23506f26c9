import type { TransportAddress } from '@rivulet/common';
import { addressKey, type IceCandidate } from './candidate.js';
import type { LocalBase } from './base.js';

/** RFC 8445 §6.1.2.6 pair states. */
export type CandidatePairState = 'frozen' | 'waiting' | 'in-progress' | 'succeeded' | 'failed';

/** A local candidate together with the base it sends from (RFC 8445 §5.1.1). */
export interface LocalCandidate {
  /** As signalled (the address may be an mDNS name when host addresses are hidden). */
  readonly candidate: IceCandidate;
  readonly base: LocalBase;
  /** The real transport address of the candidate (for matching XOR-MAPPED-ADDRESS). */
  readonly address: TransportAddress;
  /** srflx/relay: the STUN/TURN server URL it came from (webrtc-stats RTCIceCandidateStats.url). */
  readonly url?: string;
  /** relay: the transport between us and the TURN server (webrtc-stats relayProtocol). */
  readonly relayProtocol?: 'udp' | 'tcp';
}

/**
 * RFC 8445 §6.1.2.3: pair priority = 2^32·MIN(G,D) + 2·MAX(G,D) + (G>D ? 1 : 0),
 * G the controlling agent's candidate priority, D the controlled one's. Needs 64 bits.
 */
export function pairPriority(controllingPriority: number, controlledPriority: number): bigint {
  const g = BigInt(controllingPriority);
  const d = BigInt(controlledPriority);
  const min = g < d ? g : d;
  const max = g < d ? d : g;
  return (min << 32n) + 2n * max + (g > d ? 1n : 0n);
}

let nextPairId = 1;

export class CandidatePair {
  readonly id = nextPairId++;
  state: CandidatePairState = 'frozen';
  priority = 0n;
  /** RFC 8445 §7.2.5.3.4: the controlled agent saw USE-CANDIDATE before this pair's check succeeded. */
  nominateOnSuccess = false;
  /** Set when this valid pair has been nominated (RFC 8445 §8.1.1). */
  nominated = false;
  /** The valid pair produced by a successful check of this pair (§7.2.5.3.2), possibly itself. */
  validPair: CandidatePair | undefined;
  /** Transaction id (hex) of the outstanding check, if any. */
  transactionKey: string | undefined;
  #rttMs: number | undefined;
  /** Sum of every round-trip time measured on this pair (checks and consent), ms (webrtc-stats totalRoundTripTime). */
  totalRttMs = 0;
  /** How many round-trip times were measured (responses to our checks and consent requests). */
  rttMeasurements = 0;
  /** Times a timed-out nomination of this pair was re-sent (the peer was still alive on it). */
  nominationRetries = 0;
  /** Times a timed-out check of this pair was retried because the peer's checks reached us on it. */
  checkRetries = 0;
  requestsSent = 0;
  responsesReceived = 0;
  requestsReceived = 0;
  lastRequestReceived = 0;
  lastResponseReceived = 0;
  /** Success responses we sent to the peer's checks on this pair (webrtc-stats responsesSent). */
  responsesSent = 0;
  /** RFC 7675 consent requests sent (a subset of requestsSent). */
  consentRequestsSent = 0;
  /** Application datagrams (DTLS, SRTP) on this pair, not STUN (webrtc-stats candidate-pair). */
  packetsSent = 0;
  bytesSent = 0;
  packetsReceived = 0;
  bytesReceived = 0;
  /** Clock time (ms) of the last datagram sent / received on the pair, undefined before the first. */
  lastPacketSentAt: number | undefined;
  lastPacketReceivedAt: number | undefined;
  /** Where checks and data go (cached: the data path must not allocate per packet). */
  readonly remoteAddress: TransportAddress;

  constructor(
    readonly local: LocalCandidate,
    readonly remote: IceCandidate,
    controlling: boolean,
  ) {
    this.remoteAddress = { address: remote.address, port: remote.port, family: remote.address.includes(':') ? 'IPv6' : 'IPv4' };
    this.updatePriority(controlling);
  }

  /** A non-STUN datagram went out on this pair at `now` (clock ms). */
  countSent(bytes: number, now: number): void {
    this.packetsSent++;
    this.bytesSent += bytes;
    this.lastPacketSentAt = now;
  }

  /** A non-STUN datagram arrived on this pair at `now` (clock ms). */
  countReceived(bytes: number, now: number): void {
    this.packetsReceived++;
    this.bytesReceived += bytes;
    this.lastPacketReceivedAt = now;
  }

  /** Round-trip time of the last successful check or consent check, ms. */
  get rttMs(): number | undefined {
    return this.#rttMs;
  }

  /** Every measurement also adds to the running total (webrtc-stats RTCIceCandidatePairStats). */
  set rttMs(ms: number | undefined) {
    this.#rttMs = ms;
    if (ms === undefined) return;
    this.totalRttMs += ms;
    this.rttMeasurements++;
  }

  get foundation(): string {
    return `${this.local.candidate.foundation}:${this.remote.foundation}`;
  }


  /** Identity for pruning (§6.1.2.4): same base and same remote transport address. */
  get key(): string {
    return `${this.local.base.id}|${addressKey(this.remote.address, this.remote.port)}`;
  }

  updatePriority(controlling: boolean): void {
    const l = this.local.candidate.priority;
    const r = this.remote.priority;
    this.priority = controlling ? pairPriority(l, r) : pairPriority(r, l);
  }

  toString(): string {
    const l = this.local.candidate;
    return `${l.type} ${addressKey(this.local.base.address.address, this.local.base.address.port)} -> ${this.remote.type} ${this.remote.key}`;
  }
}

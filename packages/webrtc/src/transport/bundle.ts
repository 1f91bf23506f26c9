/**
 * The seam between the W3C surface and the protocol stacks: one "transport
 * bundle" per RTCPeerConnection carries ICE + DTLS + SRTP + SCTP for every
 * m-section (we always BUNDLE, RFC 9143, with rtcp-mux, RFC 5761). The W3C
 * classes only talk to this interface, so they are testable without sockets
 * and the lower layers can be swapped (RivuletOptions.transportFactory).
 */
import type { Clock, Network, TypedEmitter } from '@rivulet/common';
import type { CandidateAttribute } from '@rivulet/sdp';
import type { CertificateMaterial } from '../rtc/RTCCertificate.js';
import type { ParsedIceServerUrl } from '../pc/configuration.js';

export interface IceParameters {
  usernameFragment: string;
  password: string;
  iceLite?: boolean;
}

export interface DtlsFingerprint {
  algorithm: string;
  value: string;
}

export type IceRole = 'controlling' | 'controlled';
export type DtlsRole = 'client' | 'server';
export type IceTransportStateValue = 'new' | 'checking' | 'connected' | 'completed' | 'disconnected' | 'failed' | 'closed';
export type IceGatheringStateValue = 'new' | 'gathering' | 'complete';
export type DtlsTransportStateValue = 'new' | 'connecting' | 'connected' | 'closed' | 'failed';
export type SctpTransportStateValue = 'connecting' | 'connected' | 'closed';
export type DataChannelStateValue = 'connecting' | 'open' | 'closing' | 'closed';

export interface CandidatePair {
  local: CandidateAttribute;
  remote: CandidateAttribute;
  /** The ICE ufrags the pair's checks use (they change with an ICE restart, RFC 8445 §9). */
  localUsernameFragment?: string;
  remoteUsernameFragment?: string;
}

/** What a data channel needs from SCTP (RFC 8831, DCEP RFC 8832). */
export interface DataChannelParameters {
  label: string;
  protocol: string;
  ordered: boolean;
  maxPacketLifeTime: number | null;
  maxRetransmits: number | null;
  negotiated: boolean;
  /** Stream id; null lets the transport pick by DTLS role (RFC 8832 §6). */
  id: number | null;
  priority: 'very-low' | 'low' | 'medium' | 'high';
}

export interface DataChannelHandleEvents {
  open: [];
  message: [data: string | Uint8Array];
  bufferedamountlow: [];
  closing: [];
  close: [];
  error: [error: Error];
}

/** One SCTP stream pair as the W3C RTCDataChannel sees it. */
export interface DataChannelHandle extends TypedEmitter<DataChannelHandleEvents> {
  readonly parameters: DataChannelParameters;
  /** Assigned stream id (null until the DTLS role is known). */
  readonly id: number | null;
  readonly readyState: DataChannelStateValue;
  readonly bufferedAmount: number;
  bufferedAmountLowThreshold: number;
  readonly messagesSent: number;
  readonly bytesSent: number;
  readonly messagesReceived: number;
  readonly bytesReceived: number;
  send(data: string | Uint8Array): void;
  close(): void;
}

export interface TransportBundleEvents {
  /** A local candidate was gathered. */
  candidate: [candidate: CandidateAttribute];
  gatheringstatechange: [state: IceGatheringStateValue];
  icestatechange: [state: IceTransportStateValue];
  selectedpairchange: [];
  /** `error` explains a 'failed' state (mentioning "fingerprint" for a certificate mismatch). */
  dtlsstatechange: [state: DtlsTransportStateValue, error?: string];
  sctpstatechange: [state: SctpTransportStateValue];
  /** Decrypted RTP/RTCP from the remote peer. */
  rtp: [packet: Uint8Array];
  rtcp: [packet: Uint8Array];
  /** The remote peer opened a data channel (DCEP DATA_CHANNEL_OPEN). */
  datachannel: [channel: DataChannelHandle];
}

export interface TransportStats {
  packetsSent: number;
  packetsReceived: number;
  bytesSent: number;
  bytesReceived: number;
  /** Counters of dropped input, by reason (from each layer). */
  dropped: Record<string, number>;
  /** Every pair of the check list, the selected one first (webrtc-stats RTCIceCandidatePairStats). */
  candidatePairs?: CandidatePairStats[];
  /** Every remote candidate the agent knows, signalled and peer-reflexive (RFC 8445 §7.3.1.3). */
  remoteCandidates?: CandidateStats[];
  /** Every local candidate gathered (host, srflx, relay) or learnt (prflx, §7.2.5.3.1). */
  localCandidates?: CandidateStats[];
  /** Times the selected pair changed, to or from none included (webrtc-stats RTCTransportStats). */
  selectedCandidatePairChanges?: number;
  /** DTLS once connected: version as 4 hex digits ("FEFD"), IANA cipher suite and SRTP profile names. */
  tlsVersion?: string;
  dtlsCipher?: string;
  srtpCipher?: string;
}

/** A candidate as getStats reports it (webrtc-stats RTCIceCandidateStats). */
export interface CandidateStats {
  candidate: CandidateAttribute;
  usernameFragment?: string;
  /** srflx/relay local candidates: the STUN/TURN server URL used. */
  url?: string;
  /** relay local candidates: the transport to the TURN server. */
  relayProtocol?: 'udp' | 'tcp' | 'tls';
}

/** One check-list pair with its counters; times are on the bundle's clock (ms). */
export interface CandidatePairStats {
  local: CandidateStats;
  remote: CandidateStats;
  state: 'frozen' | 'waiting' | 'in-progress' | 'failed' | 'succeeded';
  nominated: boolean;
  selected: boolean;
  /** RFC 8445 §6.1.2.3 pair priority (a 64-bit value; exact below 2^53). */
  priority: number;
  packetsSent: number;
  packetsReceived: number;
  bytesSent: number;
  bytesReceived: number;
  lastPacketSentAt?: number;
  lastPacketReceivedAt?: number;
  /** Seconds: sum of every measurement, and the latest one. */
  totalRoundTripTime: number;
  currentRoundTripTime?: number;
  requestsSent: number;
  requestsReceived: number;
  responsesSent: number;
  responsesReceived: number;
  consentRequestsSent: number;
  lastRequestReceivedAt?: number;
  lastResponseReceivedAt?: number;
}

export interface TransportBundle extends TypedEmitter<TransportBundleEvents> {
  readonly localIceParameters: IceParameters;
  readonly iceRole: IceRole;
  readonly iceState: IceTransportStateValue;
  readonly gatheringState: IceGatheringStateValue;
  readonly dtlsState: DtlsTransportStateValue;
  readonly dtlsRole: DtlsRole | null;
  readonly sctpState: SctpTransportStateValue | null;
  readonly selectedPair: CandidatePair | null;
  /** Remote max-message-size (RFC 8841 §6) once SCTP is negotiated. */
  readonly remoteMaxMessageSize: number;
  /** Streams usable in both directions once the association is up (min of the INIT stream counts), else null. */
  readonly sctpMaxChannels: number | null;
  /** DER certificates the remote presented in DTLS. */
  remoteCertificates(): Uint8Array[];

  /** Sets the ICE role (RFC 8445 §6.1.1: the offerer is controlling unless the remote is ice-lite). */
  setIceRole(role: IceRole): void;
  /** Starts gathering with the current local parameters (idempotent). */
  gather(): void;
  /** New local credentials for an ICE restart (RFC 8445 §9); gathering restarts at the next gather(). */
  restartIce(): IceParameters;
  setRemoteIceParameters(params: IceParameters): void;
  /** null = end-of-candidates. */
  addRemoteCandidate(candidate: CandidateAttribute | null): void;
  /** Starts DTLS in `role` once ICE connects, verifying the remote certificate against `fingerprints`. */
  startDtls(role: DtlsRole, fingerprints: DtlsFingerprint[]): void;
  /** Starts SCTP over DTLS (RFC 8841) once DTLS is connected. */
  startSctp(options: { localPort: number; remotePort: number; remoteMaxMessageSize: number }): void;
  createDataChannel(parameters: DataChannelParameters): DataChannelHandle;
  sendRtp(packet: Uint8Array): void;
  sendRtcp(packet: Uint8Array): void;
  stats(): TransportStats;
  close(): void;
}

export interface TransportBundleInit {
  certificate: CertificateMaterial;
  iceServers: ParsedIceServerUrl[];
  iceTransportPolicy: 'all' | 'relay';
  clock: Clock;
  network: Network | undefined;
  interfaceAddresses: string[] | undefined;
  /** RFC 8899 PLPMTUD for SCTP (RTCConfiguration.rivulet.sctp.plpmtud); undefined = on. */
  sctpPlpmtud?: boolean | undefined;
  /** The peer's EMTU_R for PLPMTUD (RTCConfiguration.rivulet.sctp.peerMaxDatagram); undefined = 2048. */
  sctpPeerMaxDatagram?: number | undefined;
  /** Our max-message-size for SCTP (RFC 8841 §6). */
  localMaxMessageSize: number;
}

export type TransportBundleFactory = (init: TransportBundleInit) => TransportBundle;

/**
 * The internal state of one RTCPeerConnection, shared by the JSEP,
 * negotiation-needed, ICE and stats modules. Names follow the spec's
 * internal slots (webrtc-pc §4.4.1.1).
 */
import type { SessionDescription } from '@rivulet/sdp';
import type { RTCDataChannel } from '../datachannel/RTCDataChannel.js';
import type { MediaStream } from '../media/MediaStream.js';
import type { RTCCertificate } from '../rtc/RTCCertificate.js';
import type { RTCSdpType } from '../rtc/RTCSessionDescription.js';
import type { RTCRtpTransceiver, NegotiatedDirection, TransceiverState } from '../transceiver/RTCRtpTransceiver.js';
import type { IceParameters, TransportBundle } from '../transport/bundle.js';
import type { RTCDtlsTransport } from '../transport/RTCDtlsTransport.js';
import type { RTCIceTransport } from '../transport/RTCIceTransport.js';
import type { RTCSctpTransport } from '../transport/RTCSctpTransport.js';
import type { NormalizedConfiguration } from './configuration.js';

export type RTCSignalingState = 'stable' | 'have-local-offer' | 'have-remote-offer' | 'have-local-pranswer' | 'have-remote-pranswer' | 'closed';
export type RTCIceGatheringState = 'new' | 'gathering' | 'complete';
export type RTCIceConnectionState = 'new' | 'checking' | 'connected' | 'completed' | 'disconnected' | 'failed' | 'closed';
export type RTCPeerConnectionState = 'new' | 'connecting' | 'connected' | 'disconnected' | 'failed' | 'closed';

/** A description as applied: the text the application sees and our parsed model. */
export interface AppliedDescription {
  type: RTCSdpType;
  sdp: SessionDescription;
}

/** What a rolled-back offer must restore (RFC 8829 §4.1.8.2, webrtc-pc §4.4.1.6 rollback). */
export interface TransceiverSnapshot {
  mid: string | null;
  mLineIndex: number | null;
  firedDirection: NegotiatedDirection | null;
  remoteStreamIds: string[];
}

export interface OfferSnapshot {
  transceivers: Map<RTCRtpTransceiver, TransceiverSnapshot>;
  dataMid: string | null;
  dataMLineIndex: number | null;
}

export interface PeerState {
  config: NormalizedConfiguration;
  closed: boolean;
  signalingState: RTCSignalingState;
  currentLocal: AppliedDescription | null;
  pendingLocal: AppliedDescription | null;
  currentRemote: AppliedDescription | null;
  pendingRemote: AppliedDescription | null;
  /** [[LastCreatedOffer]] / [[LastCreatedAnswer]] */
  lastCreatedOffer: string;
  lastCreatedAnswer: string;
  /** The signalingState/transceiver count when lastCreatedOffer was made ("no longer valid" check). */
  lastOfferStamp: string;
  transceivers: RTCRtpTransceiver[];
  dataChannels: Set<RTCDataChannel>;
  /** True once createDataChannel was called (an m=application is then wanted). */
  dataChannelRequested: boolean;
  dataMid: string | null;
  dataMLineIndex: number | null;
  dataProposedMid: string | null;
  sessionId: string;
  sessionVersion: bigint;
  nextMid: number;
  /** [[LocalIceCredentialsToReplace]] is non-empty (restartIce()). */
  iceRestartPending: boolean;
  negotiationNeeded: boolean;
  updateNegotiationNeededOnEmptyChain: boolean;
  certificate: RTCCertificate | null;
  bundle: TransportBundle | null;
  iceTransport: RTCIceTransport | null;
  dtlsTransport: RTCDtlsTransport | null;
  sctpTransport: RTCSctpTransport | null;
  iceGatheringState: RTCIceGatheringState;
  iceConnectionState: RTCIceConnectionState;
  connectionState: RTCPeerConnectionState;
  /** Local candidates gathered for the current ICE generation (in SDP form, without "a="). */
  localCandidates: string[];
  localEndOfCandidates: boolean;
  /** Snapshot taken when an offer (local or remote) became pending. */
  offerSnapshot: OfferSnapshot | null;
  /** DTLS role once decided (RFC 8842: kept across renegotiations). */
  dtlsRole: 'client' | 'server' | null;
  sctpStarted: boolean;
  remoteIceUfrag: string | null;
  /** New local ICE credentials written by createOffer for a restart, applied at setLocalDescription. */
  pendingIceParameters: IceParameters | null;
  /** Remote MediaStreams by msid id, shared by every receiver of this connection (webrtc-pc §4.4.1.6). */
  remoteStreams: Map<string, MediaStream>;
  /** Accessor for transceiver internals (avoids importing the class here). */
  transceiverState(t: RTCRtpTransceiver): TransceiverState;
}

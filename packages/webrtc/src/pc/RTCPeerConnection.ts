/**
 * RTCPeerConnection (webrtc-pc §4). This file is the W3C surface only: it
 * validates arguments, chains operations and delegates to pc/ (signaling,
 * tracks, ICE candidates, transports) and jsep/ (offer/answer building and
 * application), which share one PeerCore.
 */
import { RivuletEventTarget } from '../base/eventTarget.js';
import { operationError, invalidState } from '../base/errors.js';
import { serializeSdp } from '@rivulet/sdp';
import { dataChannelInternals, type RTCDataChannel, type RTCDataChannelEvent } from '../datachannel/RTCDataChannel.js';
import { validateDataChannelInit, type RTCDataChannelInit } from '../datachannel/init.js';
import type { MediaStream } from '../media/MediaStream.js';
import type { MediaStreamTrack } from '../media/MediaStreamTrack.js';
import { generateCertificate, type AlgorithmIdentifier } from '../rtc/generateCertificate.js';
import type { RTCCertificate } from '../rtc/RTCCertificate.js';
import type { RTCIceCandidate, RTCIceCandidateInit } from '../rtc/RTCIceCandidate.js';
import { RTCSessionDescription, isSdpType, type RTCLocalSessionDescriptionInit, type RTCSessionDescriptionInit } from '../rtc/RTCSessionDescription.js';
import type { RTCStatsReport } from '../stats/RTCStatsReport.js';
import { collectStats } from '../stats/collect.js';
import type { RTCRtpReceiver } from '../transceiver/RTCRtpReceiver.js';
import type { RTCRtpSender } from '../transceiver/RTCRtpSender.js';
import { transceiverInternals, type RTCRtpTransceiver } from '../transceiver/RTCRtpTransceiver.js';
import { dtlsTransportInternals } from '../transport/RTCDtlsTransport.js';
import { iceTransportInternals } from '../transport/RTCIceTransport.js';
import type { RTCSctpTransport } from '../transport/RTCSctpTransport.js';
import { sctpTransportInternals } from '../transport/RTCSctpTransport.js';
import { addIceCandidate } from './addIceCandidate.js';
import { exportConfiguration, normalizeConfiguration, type RTCConfiguration } from './configuration.js';
import { PeerCore } from './core.js';
import type { RTCPeerConnectionIceEvent } from './events.js';
import { stopMedia } from './media.js';
import {
  createAnswer, createOffer, setLocalDescription, setRemoteDescription, type RTCOfferOptions, type SignalingHooks,
} from './signaling.js';
import type { AppliedDescription, RTCIceConnectionState, RTCIceGatheringState, RTCPeerConnectionState, RTCSignalingState } from './state.js';
import { addTrack, addTransceiver, createTransceiver, legacyOfferToReceive, removeTrack, type RTCRtpTransceiverInit } from './tracks.js';
import { attachChannel, maxMessageSize } from './transports.js';
import type { RTCTrackEvent } from '../jsep/remoteTracks.js';
import { trackDataChannel } from '../stats/dataChannelCounts.js';

export type RTCAnswerOptions = Record<string, never>;

function describe(d: AppliedDescription | null): RTCSessionDescription | null {
  return d ? new RTCSessionDescription({ type: d.type, sdp: serializeSdp(d.sdp) }) : null;
}

export class RTCPeerConnection extends RivuletEventTarget {
  readonly #core: PeerCore;
  readonly #hooks: SignalingHooks;

  constructor(configuration?: RTCConfiguration) {
    super();
    const config = normalizeConfiguration(configuration);
    const core: PeerCore = new PeerCore(this, config, (selector) => collectStats(core, selector));
    this.#core = core;
    this.#hooks = {
      createRemoteTransceiver: (kind) => createTransceiver(core, kind, null, 'recvonly', [], [{ active: true }]),
      legacyOfferToReceive: (kind, value) => legacyOfferToReceive(core, kind, value),
    };
  }

  static generateCertificate(keygenAlgorithm: AlgorithmIdentifier): Promise<RTCCertificate> {
    return generateCertificate(keygenAlgorithm);
  }

  // ---- state ----
  get localDescription(): RTCSessionDescription | null { return describe(this.#core.st.pendingLocal ?? this.#core.st.currentLocal); }
  get currentLocalDescription(): RTCSessionDescription | null { return describe(this.#core.st.currentLocal); }
  get pendingLocalDescription(): RTCSessionDescription | null { return describe(this.#core.st.pendingLocal); }
  get remoteDescription(): RTCSessionDescription | null { return describe(this.#core.st.pendingRemote ?? this.#core.st.currentRemote); }
  get currentRemoteDescription(): RTCSessionDescription | null { return describe(this.#core.st.currentRemote); }
  get pendingRemoteDescription(): RTCSessionDescription | null { return describe(this.#core.st.pendingRemote); }
  get signalingState(): RTCSignalingState { return this.#core.st.signalingState; }
  get iceGatheringState(): RTCIceGatheringState { return this.#core.st.iceGatheringState; }
  get iceConnectionState(): RTCIceConnectionState { return this.#core.st.iceConnectionState; }
  get connectionState(): RTCPeerConnectionState { return this.#core.st.connectionState; }
  /** §4.4.3: null until a remote description is set, then whether it offered trickle. */
  get canTrickleIceCandidates(): boolean | null {
    const r = this.#core.st.pendingRemote ?? this.#core.st.currentRemote;
    if (!r) return null;
    const all = [...r.sdp.attributes, ...r.sdp.media.flatMap((m) => m.attributes)];
    return all.some((a) => a.name === 'ice-options' && 'options' in a && a.options.includes('trickle'));
  }
  get sctp(): RTCSctpTransport | null { return this.#core.st.sctpTransport; }

  // ---- event handlers ----
  get onnegotiationneeded() { return this.getHandler('negotiationneeded'); }
  set onnegotiationneeded(h) { this.setHandler('negotiationneeded', h); }
  get onicecandidate() { return this.getHandler<RTCPeerConnectionIceEvent>('icecandidate'); }
  set onicecandidate(h) { this.setHandler('icecandidate', h); }
  get onicecandidateerror() { return this.getHandler('icecandidateerror'); }
  set onicecandidateerror(h) { this.setHandler('icecandidateerror', h); }
  get onsignalingstatechange() { return this.getHandler('signalingstatechange'); }
  set onsignalingstatechange(h) { this.setHandler('signalingstatechange', h); }
  get oniceconnectionstatechange() { return this.getHandler('iceconnectionstatechange'); }
  set oniceconnectionstatechange(h) { this.setHandler('iceconnectionstatechange', h); }
  get onicegatheringstatechange() { return this.getHandler('icegatheringstatechange'); }
  set onicegatheringstatechange(h) { this.setHandler('icegatheringstatechange', h); }
  get onconnectionstatechange() { return this.getHandler('connectionstatechange'); }
  set onconnectionstatechange(h) { this.setHandler('connectionstatechange', h); }
  get ontrack() { return this.getHandler<RTCTrackEvent>('track'); }
  set ontrack(h) { this.setHandler('track', h); }
  get ondatachannel() { return this.getHandler<RTCDataChannelEvent>('datachannel'); }
  set ondatachannel(h) { this.setHandler('datachannel', h); }

  // ---- JSEP ----
  createOffer(options?: RTCOfferOptions): Promise<RTCSessionDescriptionInit> {
    return this.#core.chain.chain(() => createOffer(this.#core, this.#hooks, options ?? {}));
  }

  createAnswer(_options?: RTCAnswerOptions): Promise<RTCSessionDescriptionInit> {
    return this.#core.chain.chain(() => createAnswer(this.#core));
  }

  setLocalDescription(description?: RTCLocalSessionDescriptionInit): Promise<void> {
    const init = description ? { type: description.type, sdp: description.sdp } : {};
    if (init.type !== undefined && !isSdpType(init.type)) {
      return Promise.reject(new TypeError(`setLocalDescription: type ${JSON.stringify(init.type)} is not an RTCSdpType`));
    }
    return this.#core.chain.chain(() => setLocalDescription(this.#core, this.#hooks, init));
  }

  setRemoteDescription(description: RTCSessionDescriptionInit): Promise<void> {
    if (!description || !isSdpType(description.type)) {
      return Promise.reject(new TypeError(`setRemoteDescription: type ${JSON.stringify(description?.type)} is not an RTCSdpType`));
    }
    const init = { type: description.type, sdp: description.sdp ?? '' };
    return this.#core.chain.chain(() => setRemoteDescription(this.#core, this.#hooks, init));
  }

  addIceCandidate(candidate?: RTCIceCandidateInit | RTCIceCandidate | null): Promise<void> {
    return addIceCandidate(this.#core, candidate);
  }

  /** §4.4.1.5 restartIce: the next offer carries new ICE credentials. */
  restartIce(): void {
    const st = this.#core.st;
    if (st.closed) return;
    st.iceRestartPending = true;
    this.#core.updateNegotiationNeeded();
  }

  getConfiguration(): RTCConfiguration {
    return exportConfiguration(this.#core.st.config);
  }

  setConfiguration(configuration: RTCConfiguration = {}): void {
    const st = this.#core.st;
    if (st.closed) throw invalidState('setConfiguration: the RTCPeerConnection is closed');
    st.config = normalizeConfiguration(configuration, st.config, st.currentLocal !== null || st.pendingLocal !== null);
  }

  // ---- media ----
  getTransceivers(): RTCRtpTransceiver[] { return [...this.#core.st.transceivers]; }
  getSenders(): RTCRtpSender[] {
    return this.#core.st.transceivers.filter((t) => !transceiverInternals.state(t).stopped).map((t) => t.sender);
  }
  getReceivers(): RTCRtpReceiver[] {
    return this.#core.st.transceivers.filter((t) => !transceiverInternals.state(t).stopped).map((t) => t.receiver);
  }

  addTrack(track: MediaStreamTrack, ...streams: MediaStream[]): RTCRtpSender {
    return addTrack(this.#core, track, streams);
  }

  removeTrack(sender: RTCRtpSender): void {
    removeTrack(this.#core, sender);
  }

  addTransceiver(trackOrKind: MediaStreamTrack | string, init?: RTCRtpTransceiverInit): RTCRtpTransceiver {
    return addTransceiver(this.#core, trackOrKind, init);
  }

  // ---- data ----
  createDataChannel(label: string, dataChannelDict?: RTCDataChannelInit): RTCDataChannel {
    const core = this.#core;
    const st = core.st;
    if (st.closed) throw invalidState('createDataChannel: the RTCPeerConnection is closed');
    const params = validateDataChannelInit(label, dataChannelDict);
    if (params.id !== null && st.dtlsRole !== null) {
      for (const other of st.dataChannels) {
        if (other.id === params.id && other.readyState !== 'closed') throw operationError(`createDataChannel: id ${params.id} is already in use`);
      }
    }
    const dc = dataChannelInternals.create(params, () => maxMessageSize(core));
    st.dataChannels.add(dc);
    trackDataChannel(st, dc); // webrtc-stats dataChannelsOpened/Closed
    dc.addEventListener('close', () => st.dataChannels.delete(dc));
    const first = !st.dataChannelRequested;
    st.dataChannelRequested = true;
    if (st.sctpStarted) attachChannel(core, dc);
    // §6.1 step: only the first data channel can require negotiation.
    if (first) core.updateNegotiationNeeded();
    return dc;
  }

  // ---- stats ----
  getStats(selector?: MediaStreamTrack | null): Promise<RTCStatsReport> {
    const core = this.#core;
    if (selector) {
      const t = core.st.transceivers.find((x) => x.sender.track === selector || x.receiver.track === selector);
      if (!t) return Promise.reject(invalidAccess(`getStats: track ${selector.id} is neither sent nor received by this RTCPeerConnection`));
      const bySender = core.st.transceivers.filter((x) => x.sender.track === selector).length;
      const byReceiver = core.st.transceivers.filter((x) => x.receiver.track === selector).length;
      if (bySender + byReceiver !== 1) return Promise.reject(invalidAccess(`getStats: track ${selector.id} is used by ${bySender + byReceiver} senders/receivers`));
      return collectStats(core, t.sender.track === selector ? t.sender : t.receiver);
    }
    return collectStats(core, null);
  }

  /** §4.4.1.5 close: synchronous and final; fires no events. */
  close(): void {
    const core = this.#core;
    const st = core.st;
    if (st.closed) return;
    st.closed = true;
    st.signalingState = 'closed';
    for (const t of st.transceivers) transceiverInternals.stopTransceiver(t, true);
    for (const dc of st.dataChannels) dataChannelInternals.closeSilently(dc);
    if (st.sctpTransport) sctpTransportInternals.close(st.sctpTransport);
    if (st.dtlsTransport) dtlsTransportInternals.close(st.dtlsTransport);
    if (st.iceTransport) iceTransportInternals.close(st.iceTransport);
    stopMedia(core);
    st.bundle?.close();
    st.iceConnectionState = 'closed';
    st.connectionState = 'closed';
  }
}

function invalidAccess(message: string): DOMException {
  return new DOMException(message, 'InvalidAccessError');
}


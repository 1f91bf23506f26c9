/**
 * createOffer / createAnswer / setLocalDescription / setRemoteDescription
 * (webrtc-pc §4.4.1.5-§4.4.1.6, RFC 8829 §5), each run as one operation on
 * the chain. Events of an applied description fire after the state change,
 * in the spec's order, then negotiation-needed is re-evaluated.
 */
import { parseSdp, serializeSdp, SdpParseError, type SessionDescription } from '@rivulet/sdp';
import { RTCError, invalidModification, invalidState } from '../base/errors.js';
import { buildAnswer } from '../jsep/answer.js';
import { applyLocal, applyRemote, applyRollback } from '../jsep/apply.js';
import { buildOffer } from '../jsep/offer.js';
import { firePendingEvents, newPendingEvents, type PendingEvents } from '../jsep/remoteTracks.js';
import { isSdpType, type RTCLocalSessionDescriptionInit, type RTCSdpType, type RTCSessionDescriptionInit } from '../rtc/RTCSessionDescription.js';
import type { RTCRtpTransceiver } from '../transceiver/RTCRtpTransceiver.js';
import type { PeerCore } from './core.js';
import { applyRemoteIce, attachTransports, ensureTransport, finishNegotiation } from './transports.js';
import { validateRemoteDescription } from './validateRemote.js';

export interface RTCOfferOptions {
  iceRestart?: boolean;
  /** Legacy (webrtc-pc §11.2). */
  offerToReceiveAudio?: boolean;
  offerToReceiveVideo?: boolean;
}

export interface SignalingHooks {
  createRemoteTransceiver(kind: 'audio' | 'video'): RTCRtpTransceiver;
  /** Legacy offerToReceive*: adjusts or adds transceivers (webrtc-pc §11.2). */
  legacyOfferToReceive(kind: 'audio' | 'video', value: boolean): void;
}

function parseRemote(sdp: string): SessionDescription {
  try {
    return parseSdp(sdp);
  } catch (err) {
    if (err instanceof SdpParseError) {
      throw new RTCError({ errorDetail: 'sdp-syntax-error', sdpLineNumber: err.lineNumber }, `setRemoteDescription: ${err.message}`);
    }
    throw err;
  }
}

export async function createOffer(core: PeerCore, hooks: SignalingHooks, options: RTCOfferOptions = {}): Promise<RTCSessionDescriptionInit> {
  const st = core.st;
  if (st.signalingState !== 'stable' && st.signalingState !== 'have-local-offer') {
    throw invalidState(`createOffer: signalingState is "${st.signalingState}"; an offer needs "stable" or "have-local-offer"`);
  }
  if (options.offerToReceiveAudio !== undefined) hooks.legacyOfferToReceive('audio', options.offerToReceiveAudio);
  if (options.offerToReceiveVideo !== undefined) hooks.legacyOfferToReceive('video', options.offerToReceiveVideo);
  const bundle = await ensureTransport(core);
  if (st.closed) throw invalidState('createOffer: the RTCPeerConnection was closed');
  // RFC 8829 §5.2.3.1 / webrtc-pc §4.4.1.5: new credentials for an ICE restart.
  if ((options.iceRestart || st.iceRestartPending) && st.pendingIceParameters === null) {
    // Cleared first: the agent re-signals its existing bases under the new ufrag synchronously
    // inside restartIce(), and those candidates belong in this offer (RFC 8445 §9).
    st.localCandidates = [];
    st.localEndOfCandidates = false;
    st.pendingIceParameters = bundle.restartIce();
  }
  const { sdp, proposals } = buildOffer(st);
  for (const [t, mid] of proposals) {
    const s = st.transceiverState(t);
    if (s.mid === null) s.proposedMid = mid;
  }
  const text = serializeSdp(sdp);
  st.lastCreatedOffer = text;
  return { type: 'offer', sdp: text };
}

export async function createAnswer(core: PeerCore): Promise<RTCSessionDescriptionInit> {
  const st = core.st;
  if (st.signalingState !== 'have-remote-offer' && st.signalingState !== 'have-local-pranswer') {
    throw invalidState(`createAnswer: signalingState is "${st.signalingState}"; an answer needs a remote offer`);
  }
  await ensureTransport(core);
  if (st.closed) throw invalidState('createAnswer: the RTCPeerConnection was closed');
  const text = serializeSdp(buildAnswer(st));
  st.lastCreatedAnswer = text;
  return { type: 'answer', sdp: text };
}

function fireAfterApply(core: PeerCore, before: string, ev: PendingEvents): void {
  const st = core.st;
  if (st.signalingState !== before) core.fire(new Event('signalingstatechange'));
  firePendingEvents(core.target, ev, () => st.closed);
}

export async function setLocalDescription(core: PeerCore, hooks: SignalingHooks, init: RTCLocalSessionDescriptionInit = {}): Promise<void> {
  const st = core.st;
  const state = st.signalingState;
  const type: RTCSdpType = init.type ?? (state === 'stable' || state === 'have-local-offer' || state === 'have-remote-pranswer' ? 'offer' : 'answer');
  if (!isSdpType(type)) throw new TypeError(`setLocalDescription: type ${JSON.stringify(type)} is not an RTCSdpType`);
  const ev = newPendingEvents();
  if (type === 'rollback') {
    if (state !== 'have-local-offer' && state !== 'have-remote-offer') {
      throw invalidState(`setLocalDescription(rollback): nothing to roll back in "${state}"`);
    }
    applyRollback(st, ev);
    fireAfterApply(core, state, ev);
    core.afterStable();
    return;
  }
  let sdp = init.sdp ?? '';
  if (type === 'offer') {
    if (state !== 'stable' && state !== 'have-local-offer') throw invalidState(`setLocalDescription(offer): invalid in "${state}"`);
    if (sdp === '') sdp = (await createOffer(core, hooks)).sdp!;
    else if (sdp !== st.lastCreatedOffer) {
      throw invalidModification('setLocalDescription: the offer SDP differs from the last createOffer() result; SDP munging is not supported');
    }
  } else {
    if (state !== 'have-remote-offer' && state !== 'have-local-pranswer') {
      throw invalidState(`setLocalDescription(${type}): invalid in "${state}"; there is no remote offer`);
    }
    if (sdp === '') sdp = (await createAnswer(core)).sdp!;
    else if (sdp !== st.lastCreatedAnswer) {
      throw invalidModification(`setLocalDescription: the ${type} SDP differs from the last createAnswer() result; SDP munging is not supported`);
    }
  }
  if (st.closed) return;
  const parsed = parseSdp(sdp);
  const bundle = await ensureTransport(core);
  if (st.closed) return;
  applyLocal(st, type, parsed, ev);
  if (type === 'offer') {
    // RFC 8445 §6.1.1: the offerer is controlling (the agent flips to controlling for lite peers itself).
    if (st.currentRemote === null) bundle.setIceRole('controlling');
    st.pendingIceParameters = null;
    st.iceRestartPending = false;
  }
  attachTransports(core);
  bundle.gather();
  if (type === 'answer') {
    st.pendingIceParameters = null; // an answer's restart credentials (applyRemoteIce) are now in use
    finishNegotiation(core, true);
  }
  fireAfterApply(core, state, ev);
  core.afterStable();
}

export async function setRemoteDescription(core: PeerCore, hooks: SignalingHooks, init: RTCSessionDescriptionInit): Promise<void> {
  const st = core.st;
  const ev = newPendingEvents();
  const type = init.type;
  let state = st.signalingState;
  if (type === 'rollback') {
    if (state !== 'have-local-offer' && state !== 'have-remote-offer') {
      throw invalidState(`setRemoteDescription(rollback): nothing to roll back in "${state}"`);
    }
    applyRollback(st, ev);
    fireAfterApply(core, state, ev);
    core.afterStable();
    return;
  }
  const parsed = parseRemote(init.sdp ?? '');
  if (type === 'offer' && state === 'have-local-offer') {
    // webrtc-pc §4.4.1.6: an offer in have-local-offer implicitly rolls back our own (perfect negotiation).
    const rb = newPendingEvents();
    applyRollback(st, rb);
    fireAfterApply(core, state, rb);
    state = st.signalingState;
  }
  if (type === 'offer' && state !== 'stable' && state !== 'have-remote-offer') {
    throw invalidState(`setRemoteDescription(offer): invalid in "${state}"`);
  }
  if ((type === 'answer' || type === 'pranswer') && state !== 'have-local-offer' && state !== 'have-remote-pranswer') {
    throw invalidState(`setRemoteDescription(${type}): invalid in "${state}"; there is no local offer`);
  }
  validateRemoteDescription(parsed, type, type === 'offer' ? null : st.pendingLocal?.sdp ?? null);
  const bundle = await ensureTransport(core);
  if (st.closed) return;
  applyRemote(st, type, parsed, ev, hooks);
  if (type === 'offer' && st.currentLocal === null) bundle.setIceRole('controlled');
  attachTransports(core);
  applyRemoteIce(core, type);
  if (type === 'answer') finishNegotiation(core, false);
  fireAfterApply(core, state, ev);
  core.afterStable();
}

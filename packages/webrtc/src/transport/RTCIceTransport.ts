/**
 * RTCIceTransport (webrtc-pc §5.6): a read-only view of the bundle's ICE
 * agent. One per peer connection (we always bundle, RFC 9143).
 */
import { RivuletEventTarget } from '../base/eventTarget.js';
import { formatCandidate } from '@rivulet/sdp';
import { RTCIceCandidate } from '../rtc/RTCIceCandidate.js';
import type { IceGatheringStateValue, IceTransportStateValue, TransportBundle, IceParameters } from './bundle.js';

export type RTCIceRole = 'unknown' | 'controlling' | 'controlled';
export type RTCIceComponentValue = 'rtp' | 'rtcp';

export interface RTCIceCandidatePair {
  local: RTCIceCandidate;
  remote: RTCIceCandidate;
}

export interface RTCIceParameters {
  usernameFragment: string;
  password: string;
}

let constructing = false;
// Assigned by the class's static block (declared first: temporal dead zone).
export let iceTransportInternals: IceTransportInternals;

export class RTCIceTransport extends RivuletEventTarget {
  #bundle: TransportBundle;
  #state: IceTransportStateValue;
  #gatheringState: IceGatheringStateValue;
  #remoteParameters: IceParameters | null = null;
  #localCandidates: RTCIceCandidate[] = [];
  #remoteCandidates: RTCIceCandidate[] = [];
  #mid: string;

  /** Not constructible by applications. */
  constructor(bundle: TransportBundle, mid: string) {
    super();
    if (!constructing) throw new TypeError('Illegal constructor');
    constructing = false;
    this.#bundle = bundle;
    this.#state = bundle.iceState;
    this.#gatheringState = bundle.gatheringState;
    this.#mid = mid;
  }

  get role(): RTCIceRole { return this.#state === 'closed' ? 'unknown' : this.#bundle.iceRole; }
  get component(): RTCIceComponentValue { return 'rtp'; }
  get state(): IceTransportStateValue { return this.#state; }
  get gatheringState(): IceGatheringStateValue { return this.#gatheringState; }

  get onstatechange() { return this.getHandler('statechange'); }
  set onstatechange(h) { this.setHandler('statechange', h); }
  get ongatheringstatechange() { return this.getHandler('gatheringstatechange'); }
  set ongatheringstatechange(h) { this.setHandler('gatheringstatechange', h); }
  get onselectedcandidatepairchange() { return this.getHandler('selectedcandidatepairchange'); }
  set onselectedcandidatepairchange(h) { this.setHandler('selectedcandidatepairchange', h); }

  getLocalCandidates(): RTCIceCandidate[] { return [...this.#localCandidates]; }
  /**
   * webrtc-pc §5.6: the remote candidates received in signalling, plus the peer-reflexive ones
   * the agent learnt from the peer's checks (RFC 8445 §7.3.1.3).
   */
  getRemoteCandidates(): RTCIceCandidate[] {
    const out = [...this.#remoteCandidates];
    if (this.#state === 'closed') return out;
    for (const c of this.#bundle.stats().remoteCandidates ?? []) {
      if (c.candidate.type !== 'prflx') continue;
      out.push(new RTCIceCandidate({ candidate: `candidate:${formatCandidate(c.candidate)}`, sdpMid: this.#mid, sdpMLineIndex: 0, usernameFragment: c.usernameFragment ?? null }));
    }
    return out;
  }

  getSelectedCandidatePair(): RTCIceCandidatePair | null {
    const pair = this.#bundle.selectedPair;
    if (!pair || this.#state === 'closed') return null;
    return {
      // usernameFragment as browsers report it: the generation the pair belongs to (changes on restart).
      local: new RTCIceCandidate({ candidate: `candidate:${formatCandidate(pair.local)}`, sdpMid: this.#mid, sdpMLineIndex: 0, usernameFragment: pair.localUsernameFragment ?? null }),
      remote: new RTCIceCandidate({ candidate: `candidate:${formatCandidate(pair.remote)}`, sdpMid: this.#mid, sdpMLineIndex: 0, usernameFragment: pair.remoteUsernameFragment ?? null }),
    };
  }

  getLocalParameters(): RTCIceParameters | null {
    const p = this.#bundle.localIceParameters;
    return { usernameFragment: p.usernameFragment, password: p.password };
  }

  getRemoteParameters(): RTCIceParameters | null {
    return this.#remoteParameters ? { usernameFragment: this.#remoteParameters.usernameFragment, password: this.#remoteParameters.password } : null;
  }

  static {
    iceTransportInternals = {
      create(bundle, mid) {
        constructing = true;
        return new RTCIceTransport(bundle, mid);
      },
      setState(t, state) {
        if (t.#state === state || t.#state === 'closed') return false;
        t.#state = state;
        t.fire(new Event('statechange'));
        return true;
      },
      setGatheringState(t, state) {
        if (t.#gatheringState === state || t.#state === 'closed') return false;
        t.#gatheringState = state;
        t.fire(new Event('gatheringstatechange'));
        return true;
      },
      selectedPairChanged(t) {
        if (t.#state !== 'closed') t.fire(new Event('selectedcandidatepairchange'));
      },
      addLocalCandidate(t, c) { t.#localCandidates.push(c); },
      addRemoteCandidate(t, c) { t.#remoteCandidates.push(c); },
      setRemoteParameters(t, p) { t.#remoteParameters = p; },
      close(t) { t.#state = 'closed'; t.#gatheringState = 'complete'; },
    };
  }
}

export interface IceTransportInternals {
  create(bundle: TransportBundle, mid: string): RTCIceTransport;
  /** Returns whether the state changed (the pc then recomputes its aggregate states). */
  setState(t: RTCIceTransport, state: IceTransportStateValue): boolean;
  setGatheringState(t: RTCIceTransport, state: IceGatheringStateValue): boolean;
  selectedPairChanged(t: RTCIceTransport): void;
  addLocalCandidate(t: RTCIceTransport, c: RTCIceCandidate): void;
  addRemoteCandidate(t: RTCIceTransport, c: RTCIceCandidate): void;
  setRemoteParameters(t: RTCIceTransport, p: IceParameters): void;
  /** Closing fires no event (webrtc-pc §4.4.1.5 close). */
  close(t: RTCIceTransport): void;
}

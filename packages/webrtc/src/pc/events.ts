/** Events fired at RTCPeerConnection (webrtc-pc §4.8.2, §4.8.3). */
import type { RTCIceCandidate } from '../rtc/RTCIceCandidate.js';

export interface RTCPeerConnectionIceEventInit {
  bubbles?: boolean;
  cancelable?: boolean;
  composed?: boolean;
  candidate?: RTCIceCandidate | null;
  url?: string | null;
}

export class RTCPeerConnectionIceEvent extends Event {
  readonly candidate: RTCIceCandidate | null;
  readonly url: string | null;
  constructor(type: string, init: RTCPeerConnectionIceEventInit = {}) {
    super(type, init);
    this.candidate = init.candidate ?? null;
    this.url = init.url ?? null;
  }
}

export interface RTCPeerConnectionIceErrorEventInit {
  bubbles?: boolean;
  cancelable?: boolean;
  composed?: boolean;
  address?: string | null;
  port?: number | null;
  url?: string;
  errorCode: number;
  errorText?: string;
}

export class RTCPeerConnectionIceErrorEvent extends Event {
  readonly address: string | null;
  readonly port: number | null;
  readonly url: string;
  readonly errorCode: number;
  readonly errorText: string;
  constructor(type: string, init: RTCPeerConnectionIceErrorEventInit) {
    super(type, init);
    this.address = init.address ?? null;
    this.port = init.port ?? null;
    this.url = init.url ?? '';
    this.errorCode = init.errorCode;
    this.errorText = init.errorText ?? '';
  }
}

/** RTCSessionDescription (webrtc-pc §4.6.1). */

export type RTCSdpType = 'offer' | 'pranswer' | 'answer' | 'rollback';
const SDP_TYPES: readonly string[] = ['offer', 'pranswer', 'answer', 'rollback'];

export interface RTCSessionDescriptionInit {
  type: RTCSdpType;
  sdp?: string;
}

/** setLocalDescription also accepts a description without a type (webrtc-pc §4.4.3.2). */
export interface RTCLocalSessionDescriptionInit {
  type?: RTCSdpType;
  sdp?: string;
}

export function isSdpType(v: unknown): v is RTCSdpType {
  return typeof v === 'string' && SDP_TYPES.includes(v);
}

export class RTCSessionDescription {
  readonly #type: RTCSdpType;
  readonly #sdp: string;

  constructor(init: RTCSessionDescriptionInit) {
    if (init === null || typeof init !== 'object') throw new TypeError('RTCSessionDescription: init must be an object with a "type"');
    if (!isSdpType(init.type)) {
      throw new TypeError(`RTCSessionDescription: type ${JSON.stringify(init.type)} is not one of ${SDP_TYPES.join(', ')}`);
    }
    this.#type = init.type;
    this.#sdp = init.sdp === undefined || init.sdp === null ? '' : String(init.sdp);
  }

  get type(): RTCSdpType { return this.#type; }
  get sdp(): string { return this.#sdp; }

  toJSON(): RTCSessionDescriptionInit {
    return { type: this.#type, sdp: this.#sdp };
  }
}

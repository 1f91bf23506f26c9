/**
 * RTCIceCandidate (webrtc-pc §4.8.1). The candidate string is parsed with
 * @rivulet/sdp; an unparsable string leaves the derived attributes null, as
 * the spec requires ("parse ... if it fails, leave them null"), and
 * addIceCandidate rejects it with OperationError.
 */
import { parseCandidate, type CandidateAttribute } from '@rivulet/sdp';

export type RTCIceComponent = 'rtp' | 'rtcp';
export type RTCIceProtocol = 'udp' | 'tcp';
export type RTCIceCandidateType = 'host' | 'srflx' | 'prflx' | 'relay';
export type RTCIceTcpCandidateType = 'active' | 'passive' | 'so';
export type RTCIceServerTransportProtocol = 'udp' | 'tcp' | 'tls';

export interface RTCIceCandidateInit {
  candidate?: string;
  sdpMid?: string | null;
  sdpMLineIndex?: number | null;
  usernameFragment?: string | null;
}

/** Parses "candidate:..." (or "a=candidate:...") into the SDP model, or undefined. */
export function parseCandidateString(candidate: string): CandidateAttribute | undefined {
  const s = candidate.startsWith('a=') ? candidate.slice(2) : candidate;
  if (!s.startsWith('candidate:')) return undefined;
  return parseCandidate(s.slice('candidate:'.length));
}

const parsedCandidates = new WeakMap<RTCIceCandidate, CandidateAttribute>();

/** Package-internal: the parsed candidate line, when the string parsed. */
export function parsedCandidateOf(c: RTCIceCandidate): CandidateAttribute | undefined {
  return parsedCandidates.get(c);
}

export class RTCIceCandidate {
  readonly #candidate: string;
  readonly #sdpMid: string | null;
  readonly #sdpMLineIndex: number | null;
  readonly #usernameFragment: string | null;
  readonly #parsed: CandidateAttribute | undefined;

  constructor(init: RTCIceCandidateInit = {}) {
    const candidate = init.candidate ?? '';
    const sdpMid = init.sdpMid ?? null;
    const sdpMLineIndex = init.sdpMLineIndex ?? null;
    // §4.8.1.1 constructor step 1.
    if (sdpMid === null && sdpMLineIndex === null) {
      throw new TypeError('RTCIceCandidate: sdpMid and sdpMLineIndex are both null; at least one must be set');
    }
    if (sdpMLineIndex !== null && (!Number.isInteger(sdpMLineIndex) || sdpMLineIndex < 0 || sdpMLineIndex > 65535)) {
      throw new TypeError(`RTCIceCandidate: sdpMLineIndex ${sdpMLineIndex} is not an unsigned short`);
    }
    this.#candidate = String(candidate);
    this.#sdpMid = sdpMid === null ? null : String(sdpMid);
    this.#sdpMLineIndex = sdpMLineIndex;
    this.#parsed = this.#candidate === '' ? undefined : parseCandidateString(this.#candidate);
    const ufragExt = this.#parsed?.extensions.find(([k]) => k === 'ufrag')?.[1];
    this.#usernameFragment = init.usernameFragment ?? ufragExt ?? null;
    if (this.#parsed) parsedCandidates.set(this, this.#parsed);
  }

  get candidate(): string { return this.#candidate; }
  get sdpMid(): string | null { return this.#sdpMid; }
  get sdpMLineIndex(): number | null { return this.#sdpMLineIndex; }
  get usernameFragment(): string | null { return this.#usernameFragment; }
  get foundation(): string | null { return this.#parsed?.foundation ?? null; }
  get component(): RTCIceComponent | null {
    const c = this.#parsed?.component;
    return c === 1 ? 'rtp' : c === 2 ? 'rtcp' : null;
  }
  get priority(): number | null { return this.#parsed?.priority ?? null; }
  get address(): string | null { return this.#parsed?.address ?? null; }
  get protocol(): RTCIceProtocol | null {
    const t = this.#parsed?.transport.toLowerCase();
    return t === 'udp' || t === 'tcp' ? t : null;
  }
  get port(): number | null { return this.#parsed?.port ?? null; }
  get type(): RTCIceCandidateType | null {
    const t = this.#parsed?.type;
    return t === 'host' || t === 'srflx' || t === 'prflx' || t === 'relay' ? t : null;
  }
  get tcpType(): RTCIceTcpCandidateType | null {
    const t = this.#parsed?.tcpType;
    return t === 'active' || t === 'passive' || t === 'so' ? t : null;
  }
  get relatedAddress(): string | null { return this.#parsed?.relatedAddress ?? null; }
  get relatedPort(): number | null { return this.#parsed?.relatedPort ?? null; }
  /** Only meaningful for local relay candidates; Rivulet does not report it yet. */
  get relayProtocol(): RTCIceServerTransportProtocol | null { return null; }
  get url(): string | null { return null; }

  toJSON(): RTCIceCandidateInit {
    return {
      candidate: this.#candidate,
      sdpMid: this.#sdpMid,
      sdpMLineIndex: this.#sdpMLineIndex,
      usernameFragment: this.#usernameFragment,
    };
  }
}

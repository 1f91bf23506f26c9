/** RTCSctpTransport (webrtc-pc §6.1.1): the SCTP association carrying data channels. */
import { RivuletEventTarget } from '../base/eventTarget.js';
import type { SctpTransportStateValue } from './bundle.js';
import type { RTCDtlsTransport } from './RTCDtlsTransport.js';

let constructing = false;
// Assigned by the class's static block (declared first: temporal dead zone).
export let sctpTransportInternals: {
  create(dtls: RTCDtlsTransport): RTCSctpTransport;
  setState(t: RTCSctpTransport, state: SctpTransportStateValue): boolean;
  setLimits(t: RTCSctpTransport, maxMessageSize: number, maxChannels: number | null): void;
  close(t: RTCSctpTransport): void;
};

export class RTCSctpTransport extends RivuletEventTarget {
  #dtls: RTCDtlsTransport;
  #state: SctpTransportStateValue = 'connecting';
  #maxMessageSize = 65536;
  #maxChannels: number | null = null;

  /** Not constructible by applications. */
  constructor(dtls: RTCDtlsTransport) {
    super();
    if (!constructing) throw new TypeError('Illegal constructor');
    constructing = false;
    this.#dtls = dtls;
  }

  get transport(): RTCDtlsTransport { return this.#dtls; }
  get state(): SctpTransportStateValue { return this.#state; }
  /** webrtc-pc §6.1.1.1 "update the data max message size": min(remote, local), 0 meaning unlimited. */
  get maxMessageSize(): number { return this.#maxMessageSize; }
  /** Null until the association is connected (the stream count is negotiated in INIT). */
  get maxChannels(): number | null { return this.#maxChannels; }

  get onstatechange() { return this.getHandler('statechange'); }
  set onstatechange(h) { this.setHandler('statechange', h); }

  static {
    sctpTransportInternals = {
      create(dtls) {
        constructing = true;
        return new RTCSctpTransport(dtls);
      },
      setState(t, state) {
        if (t.#state === state || t.#state === 'closed') return false;
        t.#state = state;
        t.fire(new Event('statechange'));
        return true;
      },
      setLimits(t, maxMessageSize, maxChannels) {
        t.#maxMessageSize = maxMessageSize;
        t.#maxChannels = maxChannels;
      },
      close(t) { t.#state = 'closed'; },
    };
  }
}

/** RTCDtlsTransport (webrtc-pc §5.5): DTLS state of the bundle, its ICE transport and the remote certificates. */
import { RivuletEventTarget } from '../base/eventTarget.js';
import { RTCError, RTCErrorEvent } from '../base/errors.js';
import type { DtlsTransportStateValue, TransportBundle } from './bundle.js';
import type { RTCIceTransport } from './RTCIceTransport.js';

let constructing = false;
// Assigned by the class's static block (declared first: temporal dead zone).
export let dtlsTransportInternals: {
  create(bundle: TransportBundle, ice: RTCIceTransport): RTCDtlsTransport;
  setState(t: RTCDtlsTransport, state: DtlsTransportStateValue, error?: string): boolean;
  close(t: RTCDtlsTransport): void;
};

export class RTCDtlsTransport extends RivuletEventTarget {
  #bundle: TransportBundle;
  #ice: RTCIceTransport;
  #state: DtlsTransportStateValue = 'new';

  /** Not constructible by applications. */
  constructor(bundle: TransportBundle, ice: RTCIceTransport) {
    super();
    if (!constructing) throw new TypeError('Illegal constructor');
    constructing = false;
    this.#bundle = bundle;
    this.#ice = ice;
  }

  get iceTransport(): RTCIceTransport { return this.#ice; }
  get state(): DtlsTransportStateValue { return this.#state; }

  get onstatechange() { return this.getHandler('statechange'); }
  set onstatechange(h) { this.setHandler('statechange', h); }
  get onerror() { return this.getHandler<RTCErrorEvent>('error'); }
  set onerror(h) { this.setHandler('error', h); }

  /** DER certificates of the remote peer, as ArrayBuffers (webrtc-pc §5.5.1). */
  getRemoteCertificates(): ArrayBuffer[] {
    return this.#bundle.remoteCertificates().map((c) => {
      const copy = new Uint8Array(c.length);
      copy.set(c);
      return copy.buffer;
    });
  }

  static {
    dtlsTransportInternals = {
      create(bundle, ice) {
        constructing = true;
        return new RTCDtlsTransport(bundle, ice);
      },
      setState(t, state, error) {
        if (t.#state === state || t.#state === 'closed') return false;
        t.#state = state;
        // §5.5.1: a DTLS failure fires error (dtls-failure or fingerprint-failure) before statechange.
        if (state === 'failed') {
          const detail = error && /fingerprint/i.test(error) ? 'fingerprint-failure' : 'dtls-failure';
          t.fire(new RTCErrorEvent('error', { error: new RTCError({ errorDetail: detail }, error ?? 'DTLS failed') }));
        }
        t.fire(new Event('statechange'));
        return true;
      },
      close(t) { t.#state = 'closed'; },
    };
  }
}

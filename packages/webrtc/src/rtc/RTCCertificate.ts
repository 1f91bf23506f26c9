/**
 * RTCCertificate (webrtc-pc §4.9.2): a DTLS identity. It wraps the material
 * @rivulet/dtls generates (certificate DER, private key, fingerprints) and is
 * created by RTCPeerConnection.generateCertificate().
 */
import type { DtlsCertificate } from '@rivulet/dtls';

export interface RTCDtlsFingerprint {
  algorithm: string;
  value: string;
}

/** The certificate material DTLS needs (from @rivulet/dtls generateCertificate/loadCertificate). */
export type CertificateMaterial = DtlsCertificate;

let constructing = false;
const materials = new WeakMap<RTCCertificate, CertificateMaterial>();

export class RTCCertificate {
  readonly #expires: number;
  readonly #material: CertificateMaterial;
  #fingerprints: RTCDtlsFingerprint[] | undefined;

  /** Not constructible by applications (use RTCPeerConnection.generateCertificate). */
  constructor(material: CertificateMaterial, expires: number) {
    if (!constructing) throw new TypeError('Illegal constructor: use RTCPeerConnection.generateCertificate()');
    constructing = false;
    this.#expires = expires;
    // Fingerprints are computed on the first getFingerprints(), not here: every connection
    // generates a certificate and set-up signals only the sha-256 one (jsep/localTransport.ts),
    // so hashing the DER three times at creation was CPU and garbage on the connect path.
    this.#material = material;
    materials.set(this, material);
  }

  /** Milliseconds since the epoch after which the certificate is invalid. */
  get expires(): number { return this.#expires; }

  /** §4.9.2: every fingerprint (sha-256 first), lower-case algorithm, upper-case hex; fresh objects each call. */
  getFingerprints(): RTCDtlsFingerprint[] {
    this.#fingerprints ??= this.#material.fingerprints.map((f) => ({ algorithm: f.algorithm.toLowerCase(), value: f.value.toUpperCase() }));
    return this.#fingerprints.map((f) => ({ ...f }));
  }
}

/** Package-internal: wraps material; `expires` may be earlier than the X.509 notAfter (keygenAlgorithm.expires). */
export function createCertificate(material: CertificateMaterial, expires?: number): RTCCertificate {
  constructing = true;
  return new RTCCertificate(material, expires ?? material.expires.getTime());
}

/** Package-internal: the material behind a certificate. */
export function certificateMaterial(c: RTCCertificate): CertificateMaterial {
  const m = materials.get(c);
  if (!m) throw new TypeError('certificateMaterial: not an RTCCertificate');
  return m;
}

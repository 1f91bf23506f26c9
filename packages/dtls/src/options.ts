import type { Clock } from '@rivulet/common';
import { realClock } from '@rivulet/common';
import type { CertificateFingerprint, DtlsCertificate } from './certificate.js';
import { DEFAULT_SRTP_PROFILES, SRTP_PROFILE_KEY_LENGTHS } from './constants.js';
import { cipherSuiteInfo, DEFAULT_CIPHER_SUITES } from './crypto/cipherSuites.js';

export interface DtlsEndpointOptions {
  role: 'client' | 'server';
  certificate: DtlsCertificate;
  /** Fingerprints from the remote SDP (a=fingerprint); the peer's certificate must match one. Omit to accept any. */
  remoteFingerprints?: CertificateFingerprint[];
  /** SRTP protection profiles to offer (client) or accept (server), in preference order; [] disables use_srtp. */
  srtpProfiles?: number[];
  /** Cipher suites in preference order (default: all six). */
  cipherSuites?: number[];
  clock?: Clock;
  /** Largest datagram we emit, in bytes (default 1200). */
  mtu?: number;
  /** First retransmission timeout (default 1000 ms; doubles up to 60 s, RFC 6347 §4.2.4.1). */
  initialRetransmitMs?: number;
  /** The handshake fails when not complete after this long (default 30 000 ms). */
  handshakeTimeoutMs?: number;
  /** Refuse peers without RFC 7627 extended_master_secret (default false: use it whenever the peer offers it). */
  requireExtendedMasterSecret?: boolean;
  /** Server: HMAC key for HelloVerifyRequest cookies (default: 32 random bytes per endpoint). */
  cookieSecret?: Buffer;
  /**
   * Server: answer a ClientHello without a cookie with a HelloVerifyRequest (RFC 6347 §4.2.1;
   * default true). The cookie round trip only proves the client's address; when the transport
   * has already done so — ICE connectivity checks and consent (RFC 8445 §7.2, RFC 7675), the
   * WebRTC case — false saves one round trip. Clients accept either (RFC 6347 §4.2.1).
   */
  cookieExchange?: boolean;
  /** Where datagrams for the peer go. */
  send: (datagram: Buffer) => void;
}

export interface ResolvedOptions {
  role: 'client' | 'server';
  certificate: DtlsCertificate;
  remoteFingerprints: CertificateFingerprint[] | undefined;
  srtpProfiles: number[];
  cipherSuites: number[];
  clock: Clock;
  mtu: number;
  initialRetransmitMs: number;
  handshakeTimeoutMs: number;
  requireExtendedMasterSecret: boolean;
  cookieSecret: Buffer | undefined;
  cookieExchange: boolean;
  send: (datagram: Buffer) => void;
}

function positive(name: string, value: number | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new Error(`DtlsEndpoint: ${name} must be a number in [${min}, ${max}], got ${String(value)}`);
  }
  return value;
}

function cookieExchange(v: boolean | undefined): boolean {
  if (v === undefined) return true;
  if (typeof v !== 'boolean') throw new Error(`DtlsEndpoint: cookieExchange must be a boolean, got ${String(v)}`);
  return v;
}

/** Applies defaults and rejects misuse with a message naming the bad value. */
export function resolveOptions(o: DtlsEndpointOptions): ResolvedOptions {
  if (o === null || typeof o !== 'object') throw new Error('DtlsEndpoint: options object is required');
  if (o.role !== 'client' && o.role !== 'server') throw new Error(`DtlsEndpoint: role must be 'client' or 'server', got '${String(o.role)}'`);
  if (!o.certificate || !Buffer.isBuffer(o.certificate.certificateDer) || !o.certificate.privateKey) {
    throw new Error('DtlsEndpoint: certificate must be a DtlsCertificate (from generateCertificate or loadCertificate)');
  }
  if (typeof o.send !== 'function') throw new Error('DtlsEndpoint: send must be a function (datagram: Buffer) => void');
  const cipherSuites = o.cipherSuites ?? [...DEFAULT_CIPHER_SUITES];
  if (cipherSuites.length === 0) throw new Error('DtlsEndpoint: cipherSuites must not be empty');
  for (const s of cipherSuites) {
    if (!cipherSuiteInfo(s)) throw new Error(`DtlsEndpoint: unsupported cipher suite 0x${Number(s).toString(16)}`);
  }
  const srtpProfiles = o.srtpProfiles ?? [...DEFAULT_SRTP_PROFILES];
  for (const p of srtpProfiles) {
    if (!SRTP_PROFILE_KEY_LENGTHS[p]) throw new Error(`DtlsEndpoint: unsupported SRTP protection profile 0x${Number(p).toString(16).padStart(4, '0')}`);
  }
  for (const fp of o.remoteFingerprints ?? []) {
    if (!fp || typeof fp.algorithm !== 'string' || typeof fp.value !== 'string') {
      throw new Error(`DtlsEndpoint: remoteFingerprints entries must be { algorithm, value } strings, got ${JSON.stringify(fp)}`);
    }
    if (!['sha-1', 'sha-256', 'sha-384', 'sha-512'].includes(fp.algorithm.toLowerCase())) {
      throw new Error(`DtlsEndpoint: unsupported fingerprint algorithm '${fp.algorithm}' (use sha-256, sha-384, sha-512 or sha-1)`);
    }
  }
  return {
    role: o.role,
    certificate: o.certificate,
    remoteFingerprints: o.remoteFingerprints,
    srtpProfiles,
    cipherSuites,
    clock: o.clock ?? realClock,
    mtu: positive('mtu', o.mtu, 1200, 128, 65507),
    initialRetransmitMs: positive('initialRetransmitMs', o.initialRetransmitMs, 1000, 1, 60_000),
    handshakeTimeoutMs: positive('handshakeTimeoutMs', o.handshakeTimeoutMs, 30_000, 1, 3_600_000),
    requireExtendedMasterSecret: o.requireExtendedMasterSecret ?? false,
    cookieSecret: o.cookieSecret,
    cookieExchange: cookieExchange(o.cookieExchange),
    send: o.send,
  };
}

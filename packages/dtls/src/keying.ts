import { SRTP_PROFILE_KEY_LENGTHS } from './constants.js';
import { exportKeyingMaterial as prfExport } from './crypto/prf.js';
import type { SessionParameters } from './handshake/context.js';

/** RFC 5764 §4.2 keying material split into its four parts, plus our/their view of them. */
export interface SrtpKeyingMaterial {
  profile: number;
  clientKey: Buffer;
  serverKey: Buffer;
  clientSalt: Buffer;
  serverSalt: Buffer;
  localKey: Buffer;
  localSalt: Buffer;
  remoteKey: Buffer;
  remoteSalt: Buffer;
}

/** RFC 5705 §4: labels the TLS key schedule itself uses must not be exported. */
const RESERVED_LABELS = new Set(['client finished', 'server finished', 'master secret', 'key expansion', 'extended master secret']);

/** RFC 5705 exporter over a completed session, with the argument checks of the public API. */
export function exportFromSession(session: SessionParameters, label: string, length: number, context?: Buffer): Buffer {
  if (typeof label !== 'string' || label.length === 0) throw new Error(`exportKeyingMaterial: label must be a non-empty string, got ${String(label)}`);
  if (RESERVED_LABELS.has(label)) throw new Error(`exportKeyingMaterial: label '${label}' is reserved by TLS (RFC 5705 §4)`);
  if (!Number.isInteger(length) || length < 1 || length > 65535) {
    throw new Error(`exportKeyingMaterial: length must be an integer in [1, 65535], got ${length}`);
  }
  if (context !== undefined && context.length > 65535) throw new Error(`exportKeyingMaterial: context is ${context.length} bytes, max 65535`);
  return prfExport(session.suite.prfHash, session.masterSecret, session.clientRandom, session.serverRandom, label, length, context);
}

/**
 * RFC 5764 §4.2: "EXTRACTOR-dtls_srtp" output = client key ‖ server key ‖ client salt ‖ server salt;
 * the client protects what it sends with the client halves.
 */
export function srtpKeyingMaterialFor(session: SessionParameters, role: 'client' | 'server'): SrtpKeyingMaterial {
  const profile = session.srtpProfile;
  if (profile === undefined) throw new Error('srtpKeyingMaterial: no SRTP protection profile was negotiated');
  const { keyLength: k, saltLength: s } = SRTP_PROFILE_KEY_LENGTHS[profile]!;
  const m = exportFromSession(session, 'EXTRACTOR-dtls_srtp', 2 * (k + s));
  const clientKey = m.subarray(0, k);
  const serverKey = m.subarray(k, 2 * k);
  const clientSalt = m.subarray(2 * k, 2 * k + s);
  const serverSalt = m.subarray(2 * k + s, 2 * k + 2 * s);
  const client = role === 'client';
  return {
    profile,
    clientKey,
    serverKey,
    clientSalt,
    serverSalt,
    localKey: client ? clientKey : serverKey,
    localSalt: client ? clientSalt : serverSalt,
    remoteKey: client ? serverKey : clientKey,
    remoteSalt: client ? serverSalt : clientSalt,
  };
}

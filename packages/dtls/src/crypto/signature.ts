import { constants, sign, verify, type KeyObject } from 'node:crypto';

/** RFC 8446 §4.2.3 SignatureScheme code points, as used by TLS 1.2 SignatureAndHashAlgorithm (hash ‖ signature). */
export const SignatureScheme = {
  ecdsa_secp256r1_sha256: 0x0403,
  ecdsa_secp384r1_sha384: 0x0503,
  rsa_pkcs1_sha256: 0x0401,
  rsa_pkcs1_sha384: 0x0501,
  rsa_pkcs1_sha512: 0x0601,
  rsa_pss_rsae_sha256: 0x0804,
  rsa_pss_rsae_sha384: 0x0805,
  rsa_pss_rsae_sha512: 0x0806,
} as const;

interface SchemeInfo {
  hash: 'sha256' | 'sha384' | 'sha512';
  key: 'ec' | 'rsa';
  pss: boolean;
}

const SCHEMES: ReadonlyMap<number, SchemeInfo> = new Map([
  [0x0403, { hash: 'sha256', key: 'ec', pss: false }],
  [0x0503, { hash: 'sha384', key: 'ec', pss: false }],
  [0x0401, { hash: 'sha256', key: 'rsa', pss: false }],
  [0x0501, { hash: 'sha384', key: 'rsa', pss: false }],
  [0x0601, { hash: 'sha512', key: 'rsa', pss: false }],
  [0x0804, { hash: 'sha256', key: 'rsa', pss: true }],
  [0x0805, { hash: 'sha384', key: 'rsa', pss: true }],
  [0x0806, { hash: 'sha512', key: 'rsa', pss: true }],
]);

/** What we offer in signature_algorithms (RFC 5246 §7.4.1.4.1), in preference order. */
export const DEFAULT_SIGNATURE_SCHEMES: readonly number[] = [0x0403, 0x0503, 0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601];

export function keyKind(key: KeyObject): 'ec' | 'rsa' | undefined {
  const t = key.asymmetricKeyType;
  return t === 'ec' ? 'ec' : t === 'rsa' ? 'rsa' : undefined;
}

/**
 * Picks the scheme to sign with: the first in the peer's list (its preference) that our key
 * can produce. RFC 5246 §7.4.1.4.1: absent the extension, the peer is assumed to accept SHA-256
 * with our key's algorithm here (SHA-1 defaults are not offered by us).
 */
export function chooseSignatureScheme(key: KeyObject, peerSchemes: readonly number[] | undefined): number | undefined {
  const kind = keyKind(key);
  const curve = key.asymmetricKeyDetails?.namedCurve;
  const usable = (scheme: number): boolean => {
    const info = SCHEMES.get(scheme);
    if (!info || info.key !== kind) return false;
    // In TLS 1.2 the ECDSA hash is not bound to the curve, but we keep the natural pairing so
    // TLS 1.3-minded peers accept it.
    if (kind === 'ec') return (curve === 'secp384r1') === (scheme === 0x0503);
    return true;
  };
  const candidates = peerSchemes ?? (kind === 'ec' ? [curve === 'secp384r1' ? 0x0503 : 0x0403] : [0x0401]);
  return candidates.find(usable);
}

function options(info: SchemeInfo, key: KeyObject): KeyObject | { key: KeyObject; padding: number; saltLength: number } {
  if (!info.pss) return key;
  // RFC 8446 §4.2.3: RSASSA-PSS with MGF1 of the same hash, salt length = hash length.
  const saltLength = info.hash === 'sha256' ? 32 : info.hash === 'sha384' ? 48 : 64;
  return { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength };
}

export function signWithScheme(scheme: number, key: KeyObject, data: Uint8Array): Buffer {
  const info = SCHEMES.get(scheme);
  if (!info) throw new Error(`unsupported signature scheme 0x${scheme.toString(16)}`);
  return sign(info.hash, data, options(info, key));
}

/** True when `signature` is valid; false for a bad signature, wrong key type or unknown scheme. */
export function verifyWithScheme(scheme: number, key: KeyObject, data: Uint8Array, signature: Uint8Array): boolean {
  const info = SCHEMES.get(scheme);
  if (!info || info.key !== keyKind(key)) return false;
  try {
    return verify(info.hash, data, options(info, key), signature);
  } catch {
    return false;
  }
}

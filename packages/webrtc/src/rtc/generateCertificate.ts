/**
 * RTCPeerConnection.generateCertificate (webrtc-pc §4.10.1): ECDSA P-256 or
 * RSASSA-PKCS1-v1_5 2048 with SHA-256 (the two algorithms browsers support);
 * anything else is NotSupportedError. `expires` (ms) shortens the lifetime;
 * the default and cap is 30 days, the lifetime the spec suggests as upper bound.
 */
import { generateCertificate as generateDtlsCertificate } from '@rivulet/dtls';
import { domError } from '../base/errors.js';
import { createCertificate, type RTCCertificate } from './RTCCertificate.js';

export type AlgorithmIdentifier = string | ({ name: string } & Record<string, unknown>);

const DAY_MS = 24 * 3600 * 1000;
const MAX_DAYS = 365;

export async function generateCertificate(keygenAlgorithm: AlgorithmIdentifier): Promise<RTCCertificate> {
  const alg: { name: string } & Record<string, unknown> = typeof keygenAlgorithm === 'string' ? { name: keygenAlgorithm } : keygenAlgorithm;
  if (!alg || typeof alg.name !== 'string') throw new TypeError('generateCertificate: keygenAlgorithm needs a name');
  const name = alg.name.toUpperCase();
  let keyType: 'ecdsa-p256' | 'rsa-2048';
  if (name === 'ECDSA' && alg['namedCurve'] === 'P-256') keyType = 'ecdsa-p256';
  else if (name === 'RSASSA-PKCS1-V1_5' && (alg['modulusLength'] ?? 2048) === 2048 &&
    (typeof alg['hash'] === 'string' ? alg['hash'].toUpperCase() : (alg['hash'] as { name?: string } | undefined)?.name?.toUpperCase()) === 'SHA-256') {
    const e = alg['publicExponent'] as Uint8Array | undefined;
    if (e && !(e.length === 3 && e[0] === 1 && e[1] === 0 && e[2] === 1)) {
      throw domError('NotSupportedError', 'generateCertificate: RSA publicExponent must be 65537');
    }
    keyType = 'rsa-2048';
  } else {
    throw domError('NotSupportedError', `generateCertificate: ${JSON.stringify(alg)} is not supported; use {name: "ECDSA", namedCurve: "P-256"} or {name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256"}`);
  }
  const expiresRaw = alg['expires'];
  let days = 30;
  if (expiresRaw !== undefined) {
    const ms = Number(expiresRaw);
    if (!Number.isFinite(ms) || ms < 0) throw new TypeError(`generateCertificate: expires ${String(expiresRaw)} is not a non-negative number of milliseconds`);
    days = Math.min(MAX_DAYS, Math.max(ms / DAY_MS, 1 / DAY_MS));
  }
  const material = await generateDtlsCertificate({ keyType, expiresInDays: Math.max(days, 1) });
  const expires = Date.now() + days * DAY_MS;
  return createCertificate(material, Math.min(expires, material.expires.getTime()));
}

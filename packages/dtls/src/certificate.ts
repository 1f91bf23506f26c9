import { createHash, createPrivateKey, generateKeyPair, generateKeyPairSync, randomBytes, X509Certificate, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { buildSelfSignedCertificate } from './selfSigned.js';

const generateKeyPairAsync = promisify(generateKeyPair);

export type FingerprintAlgorithm = 'sha-1' | 'sha-256' | 'sha-384' | 'sha-512';

export interface CertificateFingerprint {
  /** The SDP hash function name (RFC 8122 §5), lower case, e.g. 'sha-256'. */
  algorithm: string;
  /** Upper-case hex pairs joined by ':' (RFC 8122 §5), e.g. 'AB:CD:...'. */
  value: string;
}

export interface DtlsCertificate {
  readonly certificateDer: Buffer;
  readonly privateKey: KeyObject;
  readonly expires: Date;
  fingerprint(algorithm: FingerprintAlgorithm): string;
  /** sha-256, sha-384 and sha-512 fingerprints (what we advertise; sha-1 is accepted only to verify). */
  readonly fingerprints: CertificateFingerprint[];
}

const NODE_HASH: Record<FingerprintAlgorithm, string> = {
  'sha-1': 'sha1',
  'sha-256': 'sha256',
  'sha-384': 'sha384',
  'sha-512': 'sha512',
};

// "00".."FF": formatting through a table instead of a regex split of the hex digest (the regex
// made ~30-60 strings per fingerprint; several fingerprints are computed per connection).
const HEX_PAIRS: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).toUpperCase().padStart(2, '0'));

function digestOf(certificateDer: Uint8Array, algorithm: string): Buffer {
  const hash = NODE_HASH[algorithm.toLowerCase() as FingerprintAlgorithm];
  if (!hash) {
    throw new Error(`unsupported fingerprint algorithm '${algorithm}': use one of ${Object.keys(NODE_HASH).join(', ')}`);
  }
  return createHash(hash).update(certificateDer).digest();
}

/** RFC 8122 §5 fingerprint of a DER certificate: upper-case hex pairs joined by ':'. */
export function computeFingerprint(certificateDer: Uint8Array, algorithm: string): string {
  const d = digestOf(certificateDer, algorithm);
  let out = HEX_PAIRS[d[0]!]!;
  for (let i = 1; i < d.length; i++) out += ':' + HEX_PAIRS[d[i]!]!;
  return out;
}

/**
 * Compares an SDP fingerprint value with the certificate's digest, ignoring case and surrounding
 * space: the expected value is parsed to bytes (RFC 8122 §5: 2UHEX *(":" 2UHEX)) rather than the
 * digest formatted to text; anything that is not exactly that shape does not match.
 */
export function fingerprintMatches(certificateDer: Uint8Array, expected: CertificateFingerprint): boolean {
  let d: Buffer;
  try {
    d = digestOf(certificateDer, expected.algorithm);
  } catch {
    return false;
  }
  const v = expected.value.trim();
  if (v.length !== d.length * 3 - 1) return false;
  for (let i = 0; i < d.length; i++) {
    if (i > 0 && v.charCodeAt(i * 3 - 1) !== 0x3a) return false; // ':'
    const hi = hexValue(v.charCodeAt(i * 3));
    const lo = hexValue(v.charCodeAt(i * 3 + 1));
    if (hi < 0 || lo < 0 || ((hi << 4) | lo) !== d[i]) return false;
  }
  return true;
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const l = c | 0x20; // ASCII lower case
  return l >= 0x61 && l <= 0x66 ? l - 0x61 + 10 : -1;
}

class Certificate implements DtlsCertificate {
  private computed: CertificateFingerprint[] | undefined;

  constructor(
    readonly certificateDer: Buffer,
    readonly privateKey: KeyObject,
    readonly expires: Date,
  ) {}

  /** Computed on first use: set-up signals only sha-256, so sha-384/512 are rarely needed. */
  get fingerprints(): CertificateFingerprint[] {
    this.computed ??= (['sha-256', 'sha-384', 'sha-512'] as const).map((algorithm) => ({
      algorithm,
      value: this.fingerprint(algorithm),
    }));
    return this.computed;
  }

  /** sha-256 is memoised: the SDP fingerprint is read for every description we create. */
  fingerprint(algorithm: FingerprintAlgorithm): string {
    if (algorithm === 'sha-256') return (this.sha256 ??= computeFingerprint(this.certificateDer, algorithm));
    return computeFingerprint(this.certificateDer, algorithm);
  }

  private sha256: string | undefined;
}

export interface GenerateCertificateOptions {
  keyType?: 'ecdsa-p256' | 'rsa-2048';
  expiresInDays?: number;
  /** Subject common name; WebRTC stacks use a random one so certificates do not identify the user. */
  commonName?: string;
}

/**
 * A self-signed certificate as WebRTC uses it (W3C webrtc-pc §4.9): the identity is the
 * fingerprint signalled in SDP, so no chain, no extensions. Key: ECDSA P-256 by default
 * (what browsers generate), RSA-2048 on request.
 *
 * Cost: P-256 key generation is synchronous and takes ~0.1 ms, so it is not worth a thread-pool
 * round trip; the certificate is encoded directly (selfSigned.ts). RSA-2048 key generation takes
 * tens of milliseconds and runs on the thread pool.
 */
export async function generateCertificate(options: GenerateCertificateOptions = {}): Promise<DtlsCertificate> {
  const keyType = options.keyType ?? 'ecdsa-p256';
  const days = options.expiresInDays ?? 30;
  if (keyType !== 'ecdsa-p256' && keyType !== 'rsa-2048') {
    throw new Error(`generateCertificate: keyType must be 'ecdsa-p256' or 'rsa-2048', got '${String(keyType)}'`);
  }
  if (!Number.isFinite(days) || days <= 0) {
    throw new Error(`generateCertificate: expiresInDays must be a positive number, got ${days}`);
  }
  const keys =
    keyType === 'ecdsa-p256'
      ? generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
      : await generateKeyPairAsync('rsa', { modulusLength: 2048, publicExponent: 0x10001 });
  const now = Date.now();
  // Whole seconds: the DER time has no fractions, and `expires` must equal the certificate's notAfter.
  const notBefore = new Date(Math.floor(now / 1000) * 1000 - 24 * 3600 * 1000); // tolerate peers with a slow clock
  const notAfter = new Date(Math.floor((now + days * 24 * 3600 * 1000) / 1000) * 1000);
  const serial = randomBytes(8);
  serial[0] = (serial[0]! & 0x7f) | 0x01; // positive, and 8 significant bytes
  const der = buildSelfSignedCertificate({
    serial,
    commonName: options.commonName ?? `rivulet-${randomBytes(6).toString('hex')}`,
    notBefore,
    notAfter,
    spkiDer: keyType === 'ecdsa-p256' ? p256Spki(keys.publicKey) : keys.publicKey.export({ type: 'spki', format: 'der' }),
    privateKey: keys.privateKey,
  });
  return new Certificate(der, keys.privateKey, notAfter);
}

// DER SubjectPublicKeyInfo header for an uncompressed P-256 point (RFC 5480 §2: id-ecPublicKey,
// namedCurve secp256r1; BIT STRING of 66 bytes = 0 unused bits ‖ 0x04 ‖ X ‖ Y).
const P256_SPKI_PREFIX = Buffer.from('3059301306072a8648ce3d020106082a8648ce3d03010703420004', 'hex');

/**
 * The P-256 SubjectPublicKeyInfo built from the JWK coordinates: with OpenSSL 3 node's DER export
 * goes through the encoder framework (~250 µs) while the JWK export reads the point (~15 µs), and
 * every connection generates a certificate on the critical path of set-up.
 */
function p256Spki(publicKey: KeyObject): Buffer {
  const jwk = publicKey.export({ format: 'jwk' });
  const x = Buffer.from(jwk.x!, 'base64url');
  const y = Buffer.from(jwk.y!, 'base64url');
  if (jwk.crv !== 'P-256' || x.length !== 32 || y.length !== 32) {
    throw new Error(`generateCertificate: expected a P-256 public key, got crv ${String(jwk.crv)} with ${x.length}/${y.length}-byte coordinates`);
  }
  return Buffer.concat([P256_SPKI_PREFIX, x, y]);
}

/** Wraps an application-supplied certificate (DER or PEM) and private key (KeyObject or PEM). */
export function loadCertificate(certificate: Buffer | string, privateKey: KeyObject | string): DtlsCertificate {
  let parsed: X509Certificate;
  try {
    parsed = new X509Certificate(certificate);
  } catch (err) {
    throw new Error(`loadCertificate: certificate is neither DER nor PEM X.509: ${(err as Error).message}`);
  }
  const key = typeof privateKey === 'string' ? createPrivateKey(privateKey) : privateKey;
  if (key.type !== 'private') throw new Error(`loadCertificate: privateKey must be a private key, got a ${key.type} key`);
  if (!parsed.checkPrivateKey(key)) throw new Error('loadCertificate: privateKey does not match the certificate public key');
  return new Certificate(Buffer.from(parsed.raw), key, new Date(parsed.validTo));
}

import type { PrfHash } from './prf.js';

export type AeadAlgorithm = 'aes-128-gcm' | 'aes-256-gcm' | 'chacha20-poly1305';
export type AuthenticationKind = 'ecdsa' | 'rsa';

/** What the record layer and handshake need to know about a negotiated suite. */
export interface CipherSuiteInfo {
  readonly id: number;
  readonly name: string;
  readonly aead: AeadAlgorithm;
  readonly keyLength: number;
  /** RFC 5288 §3: 4-byte implicit salt for GCM; RFC 7905 §2: 12-byte IV for ChaCha20-Poly1305. */
  readonly fixedIvLength: number;
  /** Bytes of explicit nonce carried per record: 8 for GCM, 0 for ChaCha20-Poly1305. */
  readonly explicitNonceLength: number;
  readonly prfHash: PrfHash;
  /** Which certificate key type the suite authenticates with. */
  readonly authentication: AuthenticationKind;
}

function suite(
  id: number,
  name: string,
  aead: AeadAlgorithm,
  prfHash: PrfHash,
  authentication: AuthenticationKind,
): CipherSuiteInfo {
  const chacha = aead === 'chacha20-poly1305';
  return {
    id,
    name,
    aead,
    keyLength: aead === 'aes-128-gcm' ? 16 : 32,
    fixedIvLength: chacha ? 12 : 4,
    explicitNonceLength: chacha ? 0 : 8,
    prfHash,
    authentication,
  };
}

/** IANA values (RFC 5289, RFC 7905). */
export const CipherSuite = {
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: 0xc02b,
  TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: 0xc02c,
  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: 0xc02f,
  TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384: 0xc030,
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256: 0xcca8,
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: 0xcca9,
} as const;

const TABLE: readonly CipherSuiteInfo[] = [
  suite(0xc02b, 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', 'aes-128-gcm', 'sha256', 'ecdsa'),
  suite(0xc02c, 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384', 'aes-256-gcm', 'sha384', 'ecdsa'),
  suite(0xcca9, 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256', 'chacha20-poly1305', 'sha256', 'ecdsa'),
  suite(0xc02f, 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 'aes-128-gcm', 'sha256', 'rsa'),
  suite(0xc030, 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384', 'aes-256-gcm', 'sha384', 'rsa'),
  suite(0xcca8, 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256', 'chacha20-poly1305', 'sha256', 'rsa'),
];

const BY_ID = new Map(TABLE.map((s) => [s.id, s]));

/** Our default preference order: AES-128-GCM first (hardware AES), ECDSA before RSA. */
export const DEFAULT_CIPHER_SUITES: readonly number[] = TABLE.map((s) => s.id);

export function cipherSuiteInfo(id: number): CipherSuiteInfo | undefined {
  return BY_ID.get(id);
}

export function cipherSuiteName(id: number): string {
  return BY_ID.get(id)?.name ?? `0x${id.toString(16).padStart(4, '0')}`;
}

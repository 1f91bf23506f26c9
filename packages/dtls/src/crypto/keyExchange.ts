import { createECDH, createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync, type ECDH, type KeyObject } from 'node:crypto';
import { NamedGroup, type NamedGroupId } from '../constants.js';

/** Our preference order for ECDHE groups (RFC 8422 §5.1.1 values). */
export const DEFAULT_GROUPS: readonly NamedGroupId[] = [NamedGroup.x25519, NamedGroup.secp256r1, NamedGroup.secp384r1];

export function isSupportedGroup(group: number): group is NamedGroupId {
  return group === NamedGroup.x25519 || group === NamedGroup.secp256r1 || group === NamedGroup.secp384r1;
}

// DER SubjectPublicKeyInfo prefix for an X25519 key (RFC 8410 §4): the raw 32 bytes follow.
const X25519_SPKI_PREFIX = Buffer.from('302a300506032b656e032100', 'hex');

/**
 * X25519 keys cross the node:crypto boundary as JWK (RFC 8037 §2: OKP, crv X25519, x = the raw
 * 32-byte public value in base64url), not as DER SubjectPublicKeyInfo: with OpenSSL 3 the DER
 * encoder/decoder costs ~250 µs per call against ~5-25 µs for JWK, and every handshake does one
 * export and one import on each side (~1 ms of CPU per connection set-up).
 */
function x25519PublicFromRaw(raw: Uint8Array): KeyObject {
  return createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('base64url') }, format: 'jwk' });
}

/** An ephemeral ECDHE key pair for one handshake (RFC 8422 §5.4, RFC 7748 for X25519). */
export class EphemeralKey {
  readonly publicKey: Buffer;
  private readonly ecdh: ECDH | undefined;
  private readonly x25519: KeyObject | undefined;

  constructor(readonly group: NamedGroupId) {
    if (group === NamedGroup.x25519) {
      const pair = generateKeyPairSync('x25519');
      this.x25519 = pair.privateKey;
      const jwk = pair.publicKey.export({ format: 'jwk' });
      this.publicKey = Buffer.from(jwk.x!, 'base64url');
    } else {
      this.ecdh = createECDH(group === NamedGroup.secp256r1 ? 'prime256v1' : 'secp384r1');
      // RFC 8422 §5.4: points are sent uncompressed (0x04 ‖ X ‖ Y).
      this.publicKey = this.ecdh.generateKeys();
    }
  }

  /**
   * The pre-master secret from the peer's public value, or an Error describing why the value
   * is unacceptable (wrong length, not on the curve, X25519 all-zero output — RFC 7748 §6.1).
   */
  computeSecret(peerPublic: Uint8Array): Buffer | Error {
    if (this.x25519) {
      if (peerPublic.length !== 32) return new Error(`X25519 public value must be 32 bytes, got ${peerPublic.length}`);
      let secret: Buffer;
      try {
        secret = diffieHellman({ privateKey: this.x25519, publicKey: x25519PublicFromRaw(peerPublic) });
      } catch (err) {
        // OpenSSL refuses the derivation itself when the output would be all zero.
        return new Error(`X25519 public value rejected: ${(err as Error).message}`);
      }
      if (secret.every((b) => b === 0)) return new Error('X25519 shared secret is all zero (small-order peer key)');
      return secret;
    }
    const expected = this.group === NamedGroup.secp256r1 ? 65 : 97;
    if (peerPublic.length !== expected || peerPublic[0] !== 4) {
      return new Error(`EC public value must be ${expected} bytes, uncompressed (0x04 prefix); got ${peerPublic.length} bytes`);
    }
    try {
      return this.ecdh!.computeSecret(peerPublic);
    } catch (err) {
      return new Error(`EC public value is not a valid point: ${(err as Error).message}`);
    }
  }
}

/** Known-answer helper: X25519(private, public) with raw 32-byte inputs (tests use RFC vectors). */
export function x25519Raw(privateKeyRaw: Uint8Array, publicKeyRaw: Uint8Array): Buffer {
  // PKCS#8 for X25519 (RFC 8410 §7): fixed prefix then the 32-byte private scalar.
  const pkcs8Prefix = Buffer.from('302e020100300506032b656e04220420', 'hex');
  const privateKey = createPrivateKey({ key: Buffer.concat([pkcs8Prefix, privateKeyRaw]), format: 'der', type: 'pkcs8' });
  const publicKey = createPublicKey({ key: Buffer.concat([X25519_SPKI_PREFIX, publicKeyRaw]), format: 'der', type: 'spki' });
  return diffieHellman({ privateKey, publicKey });
}

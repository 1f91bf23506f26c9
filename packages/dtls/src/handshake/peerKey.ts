/**
 * The public key of the peer's certificate, read from the DER without a general X.509 parser.
 *
 * Why: every WebRTC connection brings a fresh peer certificate, and with OpenSSL 3 node's
 * `new X509Certificate(der).publicKey` costs ~250-400 µs (the SubjectPublicKeyInfo goes through
 * the decoder framework), once per side on the critical path of set-up. An EC key imported as JWK
 * from the coordinates costs ~100 µs. The certificate itself needs no further parsing: in WebRTC
 * its identity is the fingerprint signalled in SDP (RFC 8122 §5, RFC 8827 §6.5), checked over
 * these exact bytes before the key is used, and nothing else in it (names, validity, extensions)
 * is relied on. Anything this reader does not recognise (RSA, Ed25519, an unusual encoding) is
 * handed to node's X509Certificate as before, so the result never depends on the fast path.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';

const TAG_SEQUENCE = 0x30;
const TAG_BIT_STRING = 0x03;
const TAG_OID = 0x06;
const TAG_CONTEXT_0 = 0xa0;

// RFC 5480 §2.1.1 / §2.1.1.1 OBJECT IDENTIFIER contents.
const OID_EC_PUBLIC_KEY = Buffer.from('2a8648ce3d0201', 'hex');
const CURVES: ReadonlyArray<{ oid: Buffer; crv: 'P-256' | 'P-384'; size: number }> = [
  { oid: Buffer.from('2a8648ce3d030107', 'hex'), crv: 'P-256', size: 32 },
  { oid: Buffer.from('2b81040022', 'hex'), crv: 'P-384', size: 48 },
];

interface Tlv {
  tag: number;
  start: number;
  end: number;
}

/** One DER TLV at `off` within `[off, limit)` (X.690 §8.1: definite lengths only, as DER requires). */
function readTlv(der: Uint8Array, off: number, limit: number): Tlv | undefined {
  if (off + 2 > limit) return undefined;
  const tag = der[off]!;
  let len = der[off + 1]!;
  let start = off + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 3 || start + n > limit) return undefined;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + der[start + i]!;
    start += n;
  }
  const end = start + len;
  return end <= limit ? { tag, start, end } : undefined;
}

function sameBytes(der: Uint8Array, t: Tlv, expected: Buffer): boolean {
  return t.end - t.start === expected.length && expected.equals(der.subarray(t.start, t.end));
}

/**
 * The EC public key of an X.509 certificate (RFC 5280 §4.1: Certificate → tbsCertificate →
 * [version] serialNumber signature issuer validity subject subjectPublicKeyInfo), or undefined
 * when the certificate is not a recognisable P-256/P-384 one. Throws when the point is not on
 * the curve (node rejects it on import).
 */
export function ecPublicKeyFromCertificate(der: Uint8Array): KeyObject | undefined {
  const cert = readTlv(der, 0, der.length);
  if (!cert || cert.tag !== TAG_SEQUENCE || cert.end !== der.length) return undefined;
  const tbs = readTlv(der, cert.start, cert.end);
  if (!tbs || tbs.tag !== TAG_SEQUENCE) return undefined;
  let off = tbs.start;
  let field = readTlv(der, off, tbs.end);
  if (field && field.tag === TAG_CONTEXT_0) {
    off = field.end;
    field = readTlv(der, off, tbs.end);
  }
  // serialNumber, signature, issuer, validity, subject: five fields to skip.
  for (let i = 0; i < 5; i++) {
    if (!field) return undefined;
    off = field.end;
    field = readTlv(der, off, tbs.end);
  }
  const spki = field;
  if (!spki || spki.tag !== TAG_SEQUENCE) return undefined;
  const alg = readTlv(der, spki.start, spki.end);
  if (!alg || alg.tag !== TAG_SEQUENCE) return undefined;
  const algOid = readTlv(der, alg.start, alg.end);
  if (!algOid || algOid.tag !== TAG_OID || !sameBytes(der, algOid, OID_EC_PUBLIC_KEY)) return undefined;
  const curveOid = readTlv(der, algOid.end, alg.end);
  if (!curveOid || curveOid.tag !== TAG_OID || curveOid.end !== alg.end) return undefined;
  const curve = CURVES.find((c) => sameBytes(der, curveOid, c.oid));
  if (!curve) return undefined;
  const bits = readTlv(der, alg.end, spki.end);
  if (!bits || bits.tag !== TAG_BIT_STRING || bits.end !== spki.end) return undefined;
  // BIT STRING: 0 unused bits, then the uncompressed point 0x04 ‖ X ‖ Y (RFC 5480 §2.2).
  if (bits.end - bits.start !== 2 + 2 * curve.size || der[bits.start] !== 0 || der[bits.start + 1] !== 0x04) return undefined;
  const p = bits.start + 2;
  const b64 = (from: number): string => Buffer.from(der.buffer, der.byteOffset + from, curve.size).toString('base64url');
  return createPublicKey({ key: { kty: 'EC', crv: curve.crv, x: b64(p), y: b64(p + curve.size) }, format: 'jwk' });
}

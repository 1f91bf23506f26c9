/**
 * A self-signed X.509 v3 certificate encoded directly in DER (RFC 5280 §4.1, X.690 DER rules).
 *
 * WebRTC identifies a peer by the certificate fingerprint signalled in SDP (RFC 8122, RFC 8827
 * §6.5), so the certificate needs no chain and no extensions: a serial, a random CN as issuer and
 * subject, a validity window and the public key, signed by its own private key. Encoding these few
 * fields ourselves (instead of through a general ASN.1 library) takes well under a millisecond,
 * which matters because every RTCPeerConnection generates one during set-up.
 */
import { sign, type KeyObject } from 'node:crypto';

// X.690 §8.1.2 universal tags used here.
const TAG_INTEGER = 0x02;
const TAG_BIT_STRING = 0x03;
const TAG_NULL = 0x05;
const TAG_OID = 0x06;
const TAG_UTF8_STRING = 0x0c;
const TAG_UTC_TIME = 0x17;
const TAG_GENERALIZED_TIME = 0x18;
const TAG_SEQUENCE = 0x30;
const TAG_SET = 0x31;
const TAG_CONTEXT_0 = 0xa0; // [0] EXPLICIT, constructed

/** One DER TLV; definite-length form (X.690 §10.1), long form above 127 bytes (§8.1.3.5). */
export function derTlv(tag: number, content: Uint8Array): Buffer {
  const n = content.length;
  let header: number[];
  if (n < 0x80) header = [tag, n];
  else if (n < 0x100) header = [tag, 0x81, n];
  else if (n < 0x10000) header = [tag, 0x82, n >> 8, n & 0xff];
  else if (n < 0x1000000) header = [tag, 0x83, n >> 16, (n >> 8) & 0xff, n & 0xff];
  else throw new Error(`derTlv: content of ${n} bytes is too long for a certificate field`);
  return Buffer.concat([Buffer.from(header), content]);
}

const seq = (...parts: Uint8Array[]): Buffer => derTlv(TAG_SEQUENCE, Buffer.concat(parts));

/** OBJECT IDENTIFIER content (X.690 §8.19): first two arcs packed, then base-128 arcs. */
export function derOid(dotted: string): Buffer {
  const arcs = dotted.split('.').map(Number);
  if (arcs.length < 2 || arcs.some((a) => !Number.isInteger(a) || a < 0)) throw new Error(`derOid: '${dotted}' is not a dotted OID`);
  const out: number[] = [arcs[0]! * 40 + arcs[1]!];
  for (const arc of arcs.slice(2)) {
    const bytes = [arc & 0x7f];
    for (let v = Math.floor(arc / 128); v > 0; v = Math.floor(v / 128)) bytes.unshift((v & 0x7f) | 0x80);
    out.push(...bytes);
  }
  return derTlv(TAG_OID, Buffer.from(out));
}

/**
 * RFC 5280 §4.1.2.5: UTCTime (YYMMDDHHMMSSZ) for years 1950–2049, GeneralizedTime
 * (YYYYMMDDHHMMSSZ) from 2050 on; always UTC with seconds, no fractions.
 */
export function derTime(date: Date): Buffer {
  const y = date.getUTCFullYear();
  const two = (v: number): string => String(v).padStart(2, '0');
  const rest = `${two(date.getUTCMonth() + 1)}${two(date.getUTCDate())}${two(date.getUTCHours())}${two(date.getUTCMinutes())}${two(date.getUTCSeconds())}Z`;
  if (y >= 1950 && y < 2050) return derTlv(TAG_UTC_TIME, Buffer.from(`${two(y % 100)}${rest}`, 'ascii'));
  return derTlv(TAG_GENERALIZED_TIME, Buffer.from(`${String(y).padStart(4, '0')}${rest}`, 'ascii'));
}

/** A positive INTEGER from big-endian magnitude bytes (X.690 §8.3: minimal, sign bit clear). */
export function derPositiveInteger(magnitude: Uint8Array): Buffer {
  let start = 0;
  while (start < magnitude.length - 1 && magnitude[start] === 0) start++;
  const body = magnitude.subarray(start);
  const needsPad = body.length === 0 || (body[0]! & 0x80) !== 0;
  return derTlv(TAG_INTEGER, needsPad ? Buffer.concat([Buffer.from([0]), body]) : body);
}

// RFC 5758 §3.2 ecdsa-with-SHA256: parameters absent. RFC 4055 §5 sha256WithRSAEncryption: NULL.
const ECDSA_SHA256 = seq(derOid('1.2.840.10045.4.3.2'));
const RSA_SHA256 = seq(derOid('1.2.840.113549.1.1.11'), Buffer.from([TAG_NULL, 0]));
const OID_COMMON_NAME = derOid('2.5.4.3');
const VERSION_3 = derTlv(TAG_CONTEXT_0, derTlv(TAG_INTEGER, Buffer.from([2])));

/** Name ::= SEQUENCE OF RDN with one commonName attribute as UTF8String (RFC 5280 §4.1.2.4). */
function commonNameDer(cn: string): Buffer {
  return seq(derTlv(TAG_SET, seq(OID_COMMON_NAME, derTlv(TAG_UTF8_STRING, Buffer.from(cn, 'utf8')))));
}

export interface SelfSignedFields {
  /** Serial number magnitude (RFC 5280 §4.1.2.2: positive, at most 20 octets). */
  serial: Uint8Array;
  commonName: string;
  notBefore: Date;
  notAfter: Date;
  /** SubjectPublicKeyInfo in DER, e.g. `publicKey.export({ type: 'spki', format: 'der' })`. */
  spkiDer: Uint8Array;
  /** The matching private key: EC P-256 (signed ecdsa-with-SHA256) or RSA (sha256WithRSAEncryption). */
  privateKey: KeyObject;
}

/** Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue } (RFC 5280 §4.1). */
export function buildSelfSignedCertificate(f: SelfSignedFields): Buffer {
  if (f.serial.length === 0 || f.serial.length > 20) throw new Error(`buildSelfSignedCertificate: serial must be 1–20 bytes, got ${f.serial.length}`);
  if (!(f.notAfter.getTime() > f.notBefore.getTime())) {
    throw new Error(`buildSelfSignedCertificate: notAfter ${f.notAfter.toISOString()} is not after notBefore ${f.notBefore.toISOString()}`);
  }
  const keyType = f.privateKey.asymmetricKeyType;
  if (keyType !== 'ec' && keyType !== 'rsa') throw new Error(`buildSelfSignedCertificate: privateKey must be an EC or RSA key, got ${String(keyType)}`);
  const algorithm = keyType === 'ec' ? ECDSA_SHA256 : RSA_SHA256;
  const name = commonNameDer(f.commonName);
  // RFC 5280 §4.1.2: the inner signature algorithm equals the outer signatureAlgorithm.
  const tbs = seq(VERSION_3, derPositiveInteger(f.serial), algorithm, name, seq(derTime(f.notBefore), derTime(f.notAfter)), name, f.spkiDer);
  // ECDSA: node signs with a DER Ecdsa-Sig-Value (RFC 5480 §2.2 / RFC 3279 §2.2.3), as X.509 wants.
  const signature = sign('sha256', tbs, f.privateKey);
  // BIT STRING with 0 unused bits (X.690 §8.6.2).
  return seq(tbs, algorithm, derTlv(TAG_BIT_STRING, Buffer.concat([Buffer.from([0]), signature])));
}

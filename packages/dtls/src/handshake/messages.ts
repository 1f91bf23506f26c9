import { ByteReader, ByteWriter, ParseError } from '@rivulet/common';
import { EC_CURVE_TYPE_NAMED } from '../constants.js';
import { parseExtensions, writeExtensions, type Extensions } from './extensions.js';

/** RFC 6347 §4.2.1 ClientHello (DTLS adds the cookie after session_id). */
export interface ClientHello {
  version: number;
  random: Buffer;
  sessionId: Buffer;
  cookie: Buffer;
  cipherSuites: number[];
  compressionMethods: Buffer;
  extensions: Extensions;
}

export function encodeClientHello(m: ClientHello): Buffer {
  const w = new ByteWriter(256);
  w.u16(m.version).bytes(m.random).u8(m.sessionId.length).bytes(m.sessionId).u8(m.cookie.length).bytes(m.cookie);
  w.u16(m.cipherSuites.length * 2);
  for (const s of m.cipherSuites) w.u16(s);
  w.u8(m.compressionMethods.length).bytes(m.compressionMethods);
  writeExtensions(w, m.extensions);
  return w.finish();
}

export function decodeClientHello(body: Buffer): ClientHello {
  const r = new ByteReader(body);
  const version = r.u16();
  const random = r.bytes(32);
  const sessionId = r.bytes(r.u8());
  if (sessionId.length > 32) throw new ParseError(`ClientHello session_id too long (${sessionId.length})`);
  const cookie = r.bytes(r.u8());
  const suitesLen = r.u16();
  if (suitesLen < 2 || suitesLen % 2 !== 0) throw new ParseError(`ClientHello cipher_suites length ${suitesLen}`);
  const suites = new ByteReader(r.bytes(suitesLen));
  const cipherSuites: number[] = [];
  while (suites.remaining > 0) cipherSuites.push(suites.u16());
  const compressionMethods = r.bytes(r.u8());
  if (compressionMethods.length < 1) throw new ParseError('ClientHello has no compression methods');
  const extensions = parseExtensions(r);
  if (r.remaining !== 0) throw new ParseError(`ClientHello has ${r.remaining} trailing bytes`);
  return { version, random, sessionId, cookie, cipherSuites, compressionMethods, extensions };
}

/** RFC 6347 §4.2.1 HelloVerifyRequest. */
export function encodeHelloVerifyRequest(version: number, cookie: Buffer): Buffer {
  return new ByteWriter(3 + cookie.length).u16(version).u8(cookie.length).bytes(cookie).finish();
}

export function decodeHelloVerifyRequest(body: Buffer): { version: number; cookie: Buffer } {
  const r = new ByteReader(body);
  const version = r.u16();
  const cookie = r.bytes(r.u8());
  if (r.remaining !== 0) throw new ParseError('HelloVerifyRequest has trailing bytes');
  return { version, cookie };
}

/** RFC 5246 §7.4.1.3 ServerHello. */
export interface ServerHello {
  version: number;
  random: Buffer;
  sessionId: Buffer;
  cipherSuite: number;
  compressionMethod: number;
  extensions: Extensions;
}

export function encodeServerHello(m: ServerHello): Buffer {
  const w = new ByteWriter(128);
  w.u16(m.version).bytes(m.random).u8(m.sessionId.length).bytes(m.sessionId).u16(m.cipherSuite).u8(m.compressionMethod);
  writeExtensions(w, m.extensions);
  return w.finish();
}

export function decodeServerHello(body: Buffer): ServerHello {
  const r = new ByteReader(body);
  const version = r.u16();
  const random = r.bytes(32);
  const sessionId = r.bytes(r.u8());
  const cipherSuite = r.u16();
  const compressionMethod = r.u8();
  const extensions = parseExtensions(r);
  if (r.remaining !== 0) throw new ParseError('ServerHello has trailing bytes');
  return { version, random, sessionId, cipherSuite, compressionMethod, extensions };
}

/** RFC 5246 §7.4.2 Certificate: certificate_list<0..2^24-1> of ASN.1Cert<1..2^24-1>. */
export function encodeCertificate(chain: readonly Buffer[]): Buffer {
  const w = new ByteWriter(1024);
  w.u24(0);
  for (const der of chain) w.u24(der.length).bytes(der);
  w.patchU24(0, w.length - 3);
  return w.finish();
}

export function decodeCertificate(body: Buffer): Buffer[] {
  const r = new ByteReader(body);
  const total = r.u24();
  if (total !== r.remaining) throw new ParseError(`Certificate list length ${total} != ${r.remaining}`);
  const out: Buffer[] = [];
  while (r.remaining > 0) {
    const len = r.u24();
    if (len === 0) throw new ParseError('empty ASN.1Cert');
    out.push(r.bytes(len));
  }
  return out;
}

/** RFC 8422 §5.4 ServerECDHParams (named curve only) plus the TLS 1.2 signature. */
export interface ServerKeyExchange {
  group: number;
  publicKey: Buffer;
  /** curve_type ‖ named_curve ‖ public: what the signature covers after the randoms. */
  params: Buffer;
  scheme: number;
  signature: Buffer;
}

export function encodeServerEcdhParams(group: number, publicKey: Buffer): Buffer {
  return new ByteWriter(4 + publicKey.length).u8(EC_CURVE_TYPE_NAMED).u16(group).u8(publicKey.length).bytes(publicKey).finish();
}

export function encodeServerKeyExchange(params: Buffer, scheme: number, signature: Buffer): Buffer {
  return new ByteWriter(params.length + 4 + signature.length).bytes(params).u16(scheme).u16(signature.length).bytes(signature).finish();
}

export function decodeServerKeyExchange(body: Buffer): ServerKeyExchange {
  const r = new ByteReader(body);
  const curveType = r.u8();
  if (curveType !== EC_CURVE_TYPE_NAMED) throw new ParseError(`ServerKeyExchange curve_type ${curveType} is not named_curve`);
  const group = r.u16();
  const publicKey = r.bytes(r.u8());
  if (publicKey.length === 0) throw new ParseError('ServerKeyExchange has an empty public value');
  const params = body.subarray(0, r.offset);
  const scheme = r.u16();
  const signature = r.bytes(r.u16());
  if (r.remaining !== 0) throw new ParseError('ServerKeyExchange has trailing bytes');
  return { group, publicKey, params, scheme, signature };
}

/** RFC 5246 §7.4.4 CertificateRequest (TLS 1.2 form). */
export interface CertificateRequest {
  certificateTypes: number[];
  signatureSchemes: number[];
  authorities: Buffer;
}

export function encodeCertificateRequest(m: CertificateRequest): Buffer {
  const w = new ByteWriter(64);
  w.u8(m.certificateTypes.length);
  for (const t of m.certificateTypes) w.u8(t);
  w.u16(m.signatureSchemes.length * 2);
  for (const s of m.signatureSchemes) w.u16(s);
  w.u16(m.authorities.length).bytes(m.authorities);
  return w.finish();
}

export function decodeCertificateRequest(body: Buffer): CertificateRequest {
  const r = new ByteReader(body);
  const certificateTypes = [...r.bytes(r.u8())];
  const schemesLen = r.u16();
  if (schemesLen % 2 !== 0) throw new ParseError(`CertificateRequest signature list length ${schemesLen}`);
  const s = new ByteReader(r.bytes(schemesLen));
  const signatureSchemes: number[] = [];
  while (s.remaining > 0) signatureSchemes.push(s.u16());
  const authorities = r.bytes(r.u16());
  if (r.remaining !== 0) throw new ParseError('CertificateRequest has trailing bytes');
  return { certificateTypes, signatureSchemes, authorities };
}

/** RFC 8422 §5.7 ClientECDiffieHellmanPublic: opaque point<1..2^8-1>. */
export function encodeClientKeyExchange(publicKey: Buffer): Buffer {
  return new ByteWriter(1 + publicKey.length).u8(publicKey.length).bytes(publicKey).finish();
}

export function decodeClientKeyExchange(body: Buffer): Buffer {
  const r = new ByteReader(body);
  const point = r.bytes(r.u8());
  if (point.length === 0 || r.remaining !== 0) throw new ParseError('malformed ClientKeyExchange');
  return point;
}

/** RFC 5246 §7.4.8 CertificateVerify: SignatureAndHashAlgorithm ‖ signature<0..2^16-1>. */
export function encodeCertificateVerify(scheme: number, signature: Buffer): Buffer {
  return new ByteWriter(4 + signature.length).u16(scheme).u16(signature.length).bytes(signature).finish();
}

export function decodeCertificateVerify(body: Buffer): { scheme: number; signature: Buffer } {
  const r = new ByteReader(body);
  const scheme = r.u16();
  const signature = r.bytes(r.u16());
  if (r.remaining !== 0) throw new ParseError('CertificateVerify has trailing bytes');
  return { scheme, signature };
}

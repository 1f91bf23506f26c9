import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { FINGERPRINT_XOR, HEADER_LENGTH, StunAttr } from './constants.js';
import type { StunMessage } from './message.js';
import { saslprep } from './saslprep.js';

/** RFC 8489 §9.1.1: the short-term key is the (OpaqueString-prepared) password itself. */
export function shortTermKey(password: string): Buffer {
  return Buffer.from(password, 'utf8');
}

/** RFC 5389 §15.4 / RFC 8489 §9.2.2: MD5(username ":" realm ":" SASLprep(password)). */
export function longTermKey(username: string, realm: string, password: string): Buffer {
  return createHash('md5').update(`${username}:${realm}:${saslprep(password)}`, 'utf8').digest();
}

export interface EncodeOptions {
  /** Adds MESSAGE-INTEGRITY (HMAC-SHA1, RFC 8489 §14.5) with this key. */
  integrityKey?: Buffer;
  /** Adds MESSAGE-INTEGRITY-SHA256 (RFC 8489 §14.6) with this key. */
  integritySha256Key?: Buffer;
  /** Adds FINGERPRINT (RFC 8489 §14.7). */
  fingerprint?: boolean;
}

function appendAttr(prefix: Buffer, type: number, value: Buffer): Buffer {
  const out = Buffer.alloc(prefix.length + 4 + value.length);
  prefix.copy(out);
  out.writeUInt16BE(type, prefix.length);
  out.writeUInt16BE(value.length, prefix.length + 2);
  value.copy(out, prefix.length + 4);
  out.writeUInt16BE(out.length - HEADER_LENGTH, 2);
  return out;
}

/** HMAC over `prefix` with its length field set to include an attribute of `valueLength` bytes. */
function macOver(prefix: Buffer, valueLength: number, algorithm: 'sha1' | 'sha256', key: Buffer): Buffer {
  const lengthField = prefix.length - HEADER_LENGTH + 4 + valueLength;
  const h = createHmac(algorithm, key);
  const head = Buffer.from(prefix.subarray(0, 4));
  head.writeUInt16BE(lengthField, 2);
  h.update(head);
  h.update(prefix.subarray(4));
  return h.digest();
}

function fingerprintOver(prefix: Buffer): number {
  const head = Buffer.from(prefix.subarray(0, 4));
  head.writeUInt16BE(prefix.length - HEADER_LENGTH + 8, 2);
  return (crc32(prefix.subarray(4), crc32(head)) ^ FINGERPRINT_XOR) >>> 0;
}

/**
 * Serializes a message, appending MESSAGE-INTEGRITY, MESSAGE-INTEGRITY-SHA256
 * and FINGERPRINT in that order as requested (RFC 8489 §14.5–§14.7).
 */
export function encodeStun(msg: StunMessage, options: EncodeOptions = {}): Buffer {
  let out = msg.serializeAttributes();
  if (options.integrityKey) out = appendAttr(out, StunAttr.MessageIntegrity, macOver(out, 20, 'sha1', options.integrityKey));
  if (options.integritySha256Key) {
    out = appendAttr(out, StunAttr.MessageIntegritySha256, macOver(out, 32, 'sha256', options.integritySha256Key));
  }
  if (options.fingerprint) {
    const v = Buffer.alloc(4);
    v.writeUInt32BE(fingerprintOver(out));
    out = appendAttr(out, StunAttr.Fingerprint, v);
  }
  return out;
}

/**
 * Checks MESSAGE-INTEGRITY of a parsed message against `key`
 * (RFC 8489 §14.5). False when absent, malformed or wrong.
 */
export function verifyIntegrity(msg: StunMessage, key: Buffer): boolean {
  const raw = msg.raw;
  const at = msg.offsetOf(StunAttr.MessageIntegrity);
  const value = msg.get(StunAttr.MessageIntegrity);
  if (!raw || at < 0 || !value || value.length !== 20) return false;
  const expected = macOver(raw.subarray(0, at), 20, 'sha1', key);
  return timingSafeEqual(expected, value);
}

/** RFC 8489 §14.6: MESSAGE-INTEGRITY-SHA256, possibly truncated to ≥ 16 bytes (multiple of 4). */
export function verifyIntegritySha256(msg: StunMessage, key: Buffer): boolean {
  const raw = msg.raw;
  const at = msg.offsetOf(StunAttr.MessageIntegritySha256);
  const value = msg.get(StunAttr.MessageIntegritySha256);
  if (!raw || at < 0 || !value || value.length < 16 || value.length > 32 || value.length % 4 !== 0) return false;
  // Any MESSAGE-INTEGRITY before it is covered by the HMAC (it is part of the prefix).
  const expected = macOver(raw.subarray(0, at), value.length, 'sha256', key).subarray(0, value.length);
  return timingSafeEqual(expected, value);
}

/** RFC 8489 §14.7: true when FINGERPRINT is present and matches. */
export function verifyFingerprint(msg: StunMessage): boolean {
  const raw = msg.raw;
  const at = msg.offsetOf(StunAttr.Fingerprint);
  const value = msg.get(StunAttr.Fingerprint);
  if (!raw || at < 0 || !value || value.length !== 4) return false;
  return fingerprintOver(raw.subarray(0, at)) === value.readUInt32BE(0);
}

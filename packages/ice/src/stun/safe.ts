import { Counters } from '@rivulet/common';
import { HEADER_LENGTH, MAGIC_COOKIE, StunAttr } from './constants.js';
import { verifyFingerprint } from './integrity.js';
import { StunMessage } from './message.js';

export type StunDropReason = 'stun-not-stun' | 'stun-malformed' | 'stun-bad-fingerprint';

/** Process-wide default counters for parseStun callers that pass none. */
export const stunCounters = new Counters<StunDropReason>();

/**
 * Cheap demultiplexing test (RFC 7983 §7 and RFC 8489 §5): first byte 0..3,
 * length a multiple of 4 matching the datagram, and the magic cookie.
 */
export function isStunMessage(buf: Uint8Array): boolean {
  if (buf.length < HEADER_LENGTH || buf[0]! > 3) return false;
  const length = (buf[2]! << 8) | buf[3]!;
  if (length % 4 !== 0 || length + HEADER_LENGTH !== buf.length) return false;
  return ((buf[4]! << 24) | (buf[5]! << 16) | (buf[6]! << 8) | buf[7]!) >>> 0 === MAGIC_COOKIE;
}

/**
 * The network entry point: never throws. Returns undefined and counts the
 * reason for anything that is not a well-formed STUN message, or one whose
 * FINGERPRINT (when present) is wrong (RFC 8489 §7.3).
 */
export function parseStun(data: Uint8Array, counters: Counters<StunDropReason> = stunCounters): StunMessage | undefined {
  const buf = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.length);
  if (!isStunMessage(buf)) {
    counters.inc('stun-not-stun');
    return undefined;
  }
  let msg: StunMessage;
  try {
    msg = StunMessage.parse(buf);
  } catch {
    counters.inc('stun-malformed');
    return undefined;
  }
  if (msg.has(StunAttr.Fingerprint) && !verifyFingerprint(msg)) {
    counters.inc('stun-bad-fingerprint');
    return undefined;
  }
  return msg;
}

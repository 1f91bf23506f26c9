import { randomBytes, randomUUID } from 'node:crypto';

/** A fresh UUID, the form browsers use for MediaStream and MediaStreamTrack ids. */
export function newId(): string {
  return randomUUID();
}

/** A random non-zero 32-bit SSRC (RFC 3550 §8.1). */
export function randomSsrc(): number {
  return randomBytes(4).readUInt32BE(0) || 1;
}

/** A random decimal session id below 2^62 (RFC 8829 §5.2.1: o= sess-id "SHOULD be a 64-bit quantity" with the top bit clear). */
export function randomSessionId(): string {
  const b = randomBytes(8);
  b[0]! &= 0x3f;
  return BigInt('0x' + b.toString('hex')).toString();
}

/** ICE credentials (RFC 8839 §5.4): ufrag ≥ 4 chars, password ≥ 22 chars from ice-char. */
export function randomIceString(length: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const bytes = randomBytes(length);
  let s = '';
  for (let i = 0; i < length; i++) s += alphabet[bytes[i]! & 63];
  return s;
}

import { randomBytes } from 'node:crypto';

const ICE_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function randomIceString(length: number): string {
  const bytes = randomBytes(length);
  let s = '';
  for (let i = 0; i < length; i++) s += ICE_CHARS[bytes[i]! & 63];
  return s;
}

export interface IceParameters {
  usernameFragment: string;
  password: string;
}

/**
 * RFC 8445 §5.3 / RFC 8839 §5.4: ufrag ≥ 24 bits of randomness (4+ ice-chars),
 * password ≥ 128 bits (22+ ice-chars). We use 8 and 24 characters.
 */
export function generateIceParameters(): IceParameters {
  return { usernameFragment: randomIceString(8), password: randomIceString(24) };
}

/** RFC 8445 §7.1.1 / §16.1: 64-bit random tie-breaker. */
export function generateTieBreaker(): bigint {
  return randomBytes(8).readBigUInt64BE(0);
}

/** Throws with the offending value when remote parameters break RFC 8839 §5.4. */
export function validateIceParameters(p: IceParameters, who: string): void {
  const ice = /^[A-Za-z0-9+/]+$/;
  if (typeof p?.usernameFragment !== 'string' || p.usernameFragment.length < 4 || p.usernameFragment.length > 256 || !ice.test(p.usernameFragment)) {
    throw new TypeError(`${who} usernameFragment must be 4..256 ice-chars, got ${JSON.stringify(p?.usernameFragment)}`);
  }
  if (typeof p.password !== 'string' || p.password.length < 22 || p.password.length > 256 || !ice.test(p.password)) {
    throw new TypeError(`${who} password must be 22..256 ice-chars, got a ${typeof p.password === 'string' ? `${p.password.length}-char string` : typeof p.password}`);
  }
}

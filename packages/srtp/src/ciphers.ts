import type { SrtpCipher } from './cipher.js';
import { AesCmHmacCipher } from './cmCipher.js';
import { AesGcmCipher } from './gcmCipher.js';
import type { SrtpSessionKeys } from './kdf.js';
import { profileParams, type SrtpProfile } from './profiles.js';

/** The cipher for a profile from already-derived session keys (RFC 7714 vectors use keys directly). */
export function createSrtpCipher(profile: SrtpProfile, keys: SrtpSessionKeys): SrtpCipher {
  const p = profileParams(profile);
  if (keys.rtpKey.length !== p.keyLength) {
    throw new Error(`${profile} session key must be ${p.keyLength} bytes, got ${keys.rtpKey.length}`);
  }
  return p.kind === 'cm' ? new AesCmHmacCipher(keys, p.rtpTagLength) : new AesGcmCipher(keys);
}

import { AesCmKeystream } from './keystream.js';
import { profileParams, type SrtpProfile } from './profiles.js';

/** Session keys for one direction (RFC 3711 §4.3.1: six labels per master key). */
export interface SrtpSessionKeys {
  rtpKey: Buffer;
  rtpSalt: Buffer;
  /** HMAC-SHA1 key (20 bytes) for AES-CM profiles; empty for GCM. */
  rtpAuthKey: Buffer;
  rtcpKey: Buffer;
  rtcpSalt: Buffer;
  rtcpAuthKey: Buffer;
}

/** RFC 3711 §4.3.1 key derivation labels. */
export const KDF_LABEL = {
  rtpEncryption: 0x00,
  rtpAuth: 0x01,
  rtpSalt: 0x02,
  rtcpEncryption: 0x03,
  rtcpAuth: 0x04,
  rtcpSalt: 0x05,
} as const;

/**
 * AES-CM PRF (RFC 3711 §4.3.3) with key_derivation_rate 0: x = label·2^48 XOR master_salt
 * (the label lands in byte 7 of the 14-byte salt), output = AES-CM(master_key, x·2^16).
 * A 12-byte GCM master salt is first multiplied by 2^16 (RFC 7714 §11, erratum 4938), i.e.
 * padded with two zero bytes.
 */
export function srtpKdf(masterKey: Buffer, masterSalt: Buffer, label: number, length: number): Buffer {
  if (masterSalt.length !== 14 && masterSalt.length !== 12) {
    throw new Error(`SRTP master salt must be 14 (AES-CM) or 12 (GCM) bytes, got ${masterSalt.length}`);
  }
  const ks = new AesCmKeystream(masterKey);
  ks.iv.fill(0);
  masterSalt.copy(ks.iv, 0);
  ks.iv[7]! ^= label;
  return Buffer.from(ks.keystream(length).subarray(0, length));
}

/** Derive all six session keys of one direction from its master key and salt. */
export function deriveSessionKeys(profile: SrtpProfile, masterKey: Buffer, masterSalt: Buffer): SrtpSessionKeys {
  const p = profileParams(profile);
  if (masterKey.length !== p.keyLength) {
    throw new Error(`${profile} master key must be ${p.keyLength} bytes, got ${masterKey.length}`);
  }
  if (masterSalt.length !== p.saltLength) {
    throw new Error(`${profile} master salt must be ${p.saltLength} bytes, got ${masterSalt.length}`);
  }
  const auth = (label: number): Buffer =>
    p.authKeyLength > 0 ? srtpKdf(masterKey, masterSalt, label, p.authKeyLength) : Buffer.alloc(0);
  return {
    rtpKey: srtpKdf(masterKey, masterSalt, KDF_LABEL.rtpEncryption, p.keyLength),
    rtpSalt: srtpKdf(masterKey, masterSalt, KDF_LABEL.rtpSalt, p.saltLength),
    rtpAuthKey: auth(KDF_LABEL.rtpAuth),
    rtcpKey: srtpKdf(masterKey, masterSalt, KDF_LABEL.rtcpEncryption, p.keyLength),
    rtcpSalt: srtpKdf(masterKey, masterSalt, KDF_LABEL.rtcpSalt, p.saltLength),
    rtcpAuthKey: auth(KDF_LABEL.rtcpAuth),
  };
}

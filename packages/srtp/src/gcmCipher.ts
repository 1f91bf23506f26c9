import { createCipheriv, createDecipheriv, createSecretKey, type CipherGCMTypes, type KeyObject } from 'node:crypto';
import type { SrtpCipher } from './cipher.js';
import { SRTCP_E_FLAG } from './cipher.js';
import type { SrtpSessionKeys } from './kdf.js';

const TAG = 16;
const GCM_OPTS = { authTagLength: TAG } as const;

/**
 * AEAD_AES_128_GCM / AEAD_AES_256_GCM (RFC 7714). Node exposes no way to re-key a GCM context
 * with a new IV, so each packet costs one createCipheriv; the key is a KeyObject so it is not
 * re-imported per call, and the tag length is fixed up front (measurably cheaper in Node 20).
 */
export class AesGcmCipher implements SrtpCipher {
  readonly rtpTrailerLength = TAG;
  readonly rtcpTrailerLength = TAG + 4;
  private readonly alg: CipherGCMTypes;
  private readonly rtpKey: KeyObject;
  private readonly rtcpKey: KeyObject;
  private readonly rtpSalt: Buffer;
  private readonly rtcpSalt: Buffer;
  private readonly iv = Buffer.alloc(12);

  /**
   * @param encryptRtp false selects RFC 7714 §9.2 authentication-only SRTP (whole packet is AAD).
   *   Not negotiable over DTLS-SRTP; exists for the RFC's vectors and keyed-by-other-means uses.
   */
  constructor(keys: SrtpSessionKeys, private readonly encryptRtp = true) {
    if (keys.rtpKey.length !== keys.rtcpKey.length || (keys.rtpKey.length !== 16 && keys.rtpKey.length !== 32)) {
      throw new Error(`AES-GCM session keys must both be 16 or 32 bytes, got ${keys.rtpKey.length} and ${keys.rtcpKey.length}`);
    }
    if (keys.rtpSalt.length !== 12 || keys.rtcpSalt.length !== 12) {
      throw new Error(`AES-GCM session salts must be 12 bytes, got ${keys.rtpSalt.length} and ${keys.rtcpSalt.length}`);
    }
    this.alg = keys.rtpKey.length === 16 ? 'aes-128-gcm' : 'aes-256-gcm';
    this.rtpKey = createSecretKey(keys.rtpKey);
    this.rtcpKey = createSecretKey(keys.rtcpKey);
    this.rtpSalt = Buffer.from(keys.rtpSalt);
    this.rtcpSalt = Buffer.from(keys.rtcpSalt);
  }

  /** RFC 7714 §8.1: IV = salt XOR (00 00 ‖ SSRC ‖ ROC ‖ SEQ); §9.1 for SRTCP: (00 00 ‖ SSRC ‖ 00 00 ‖ 0‖index). */
  private setIv(salt: Buffer, ssrc: number, mid32: number, lo16: number): Buffer {
    const iv = this.iv;
    iv[0] = salt[0]!;
    iv[1] = salt[1]!;
    iv.writeUInt32BE((salt.readUInt32BE(2) ^ ssrc) >>> 0, 2);
    iv.writeUInt32BE((salt.readUInt32BE(6) ^ mid32) >>> 0, 6);
    iv.writeUInt16BE(salt.readUInt16BE(10) ^ lo16, 10);
    return iv;
  }

  protectRtp(packet: Buffer, headerLength: number, ssrc: number, roc: number, seq: number): Buffer {
    const n = packet.length;
    const c = createCipheriv(this.alg, this.rtpKey, this.setIv(this.rtpSalt, ssrc, roc, seq), GCM_OPTS);
    const out = Buffer.allocUnsafe(n + TAG);
    if (this.encryptRtp) {
      c.setAAD(packet.subarray(0, headerLength));
      packet.copy(out, 0, 0, headerLength);
      c.update(packet.subarray(headerLength)).copy(out, headerLength);
    } else {
      c.setAAD(packet);
      packet.copy(out, 0, 0, n);
    }
    c.final();
    c.getAuthTag().copy(out, n);
    return out;
  }

  unprotectRtp(packet: Buffer, headerLength: number, ssrc: number, roc: number, seq: number): Buffer | undefined {
    const m = packet.length - TAG;
    const d = createDecipheriv(this.alg, this.rtpKey, this.setIv(this.rtpSalt, ssrc, roc, seq), GCM_OPTS);
    d.setAuthTag(packet.subarray(m));
    const out = Buffer.allocUnsafe(m);
    packet.copy(out, 0, 0, this.encryptRtp ? headerLength : m);
    try {
      if (this.encryptRtp) {
        d.setAAD(packet.subarray(0, headerLength));
        d.update(packet.subarray(headerLength, m)).copy(out, headerLength);
      } else {
        d.setAAD(packet.subarray(0, m));
      }
      d.final();
    } catch {
      return undefined; // tag mismatch
    }
    return out;
  }

  protectRtcp(packet: Buffer, ssrc: number, index: number, encrypt: boolean): Buffer {
    const n = packet.length;
    const word = (encrypt ? SRTCP_E_FLAG | index : index) >>> 0;
    const c = createCipheriv(this.alg, this.rtcpKey, this.setIv(this.rtcpSalt, ssrc, index >>> 16, index & 0xffff), GCM_OPTS);
    const out = Buffer.allocUnsafe(n + TAG + 4);
    packet.copy(out, 0, 0, n);
    out.writeUInt32BE(word, n + TAG);
    // RFC 7714 §9.2 / §17: AAD = first 8 bytes ‖ E‖index when encrypting, else whole packet ‖ E‖index.
    const aadLen = encrypt ? 8 : n;
    const aad = Buffer.allocUnsafe(aadLen + 4);
    packet.copy(aad, 0, 0, aadLen);
    aad.writeUInt32BE(word, aadLen);
    c.setAAD(aad);
    if (encrypt) c.update(packet.subarray(8)).copy(out, 8);
    c.final();
    c.getAuthTag().copy(out, n);
    return out;
  }

  rtcpIndexOffset(length: number): number {
    return length - 4;
  }

  unprotectRtcp(packet: Buffer, ssrc: number, index: number, encrypted: boolean): Buffer | undefined {
    const n = packet.length - TAG - 4;
    const d = createDecipheriv(this.alg, this.rtcpKey, this.setIv(this.rtcpSalt, ssrc, index >>> 16, index & 0xffff), GCM_OPTS);
    d.setAuthTag(packet.subarray(n, n + TAG));
    const aadLen = encrypted ? 8 : n;
    const aad = Buffer.allocUnsafe(aadLen + 4);
    packet.copy(aad, 0, 0, aadLen);
    packet.copy(aad, aadLen, n + TAG, n + TAG + 4);
    const out = Buffer.allocUnsafe(n);
    packet.copy(out, 0, 0, encrypted ? 8 : n);
    try {
      d.setAAD(aad);
      if (encrypted) d.update(packet.subarray(8, n)).copy(out, 8);
      d.final();
    } catch {
      return undefined;
    }
    return out;
  }
}

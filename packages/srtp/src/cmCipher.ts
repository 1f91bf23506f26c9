import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto';
import type { SrtpCipher } from './cipher.js';
import { SRTCP_E_FLAG } from './cipher.js';
import { AesCmKeystream } from './keystream.js';
import type { SrtpSessionKeys } from './kdf.js';

/** SRTCP authentication tag is 80 bits for every AES-CM profile, including _32 (RFC 5764 §4.1.2). */
const RTCP_TAG = 10;

/**
 * AES-CM encryption with HMAC-SHA1 authentication (RFC 3711 §4.1.1, §4.2.1).
 * The IV is (salt·2^16) XOR (SSRC·2^64) XOR (index·2^16).
 */
export class AesCmHmacCipher implements SrtpCipher {
  readonly rtpTrailerLength: number;
  readonly rtcpTrailerLength = 4 + RTCP_TAG;
  private readonly rtpKs: AesCmKeystream;
  private readonly rtcpKs: AesCmKeystream;
  private readonly rtpAuth: KeyObject;
  private readonly rtcpAuth: KeyObject;
  private readonly rtpSalt: Buffer;
  private readonly rtcpSalt: Buffer;

  constructor(keys: SrtpSessionKeys, private readonly rtpTagLength: number) {
    if (keys.rtpSalt.length !== 14 || keys.rtcpSalt.length !== 14) {
      throw new Error(`AES-CM session salts must be 14 bytes, got ${keys.rtpSalt.length} and ${keys.rtcpSalt.length}`);
    }
    if (keys.rtpAuthKey.length === 0 || keys.rtcpAuthKey.length === 0) {
      throw new Error('AES-CM profiles need non-empty HMAC-SHA1 session auth keys');
    }
    if (rtpTagLength < 4 || rtpTagLength > 20) {
      throw new Error(`HMAC-SHA1 tag length must be 4..20 bytes, got ${rtpTagLength}`);
    }
    this.rtpTrailerLength = rtpTagLength;
    this.rtpKs = new AesCmKeystream(keys.rtpKey);
    this.rtcpKs = new AesCmKeystream(keys.rtcpKey);
    this.rtpAuth = createSecretKey(keys.rtpAuthKey);
    this.rtcpAuth = createSecretKey(keys.rtcpAuthKey);
    this.rtpSalt = Buffer.from(keys.rtpSalt);
    this.rtcpSalt = Buffer.from(keys.rtcpSalt);
  }

  /** IV = salt·2^16 XOR SSRC·2^64 XOR (hi32·2^16 + lo16)·2^16, written into the keystream's IV. */
  private static setIv(ks: AesCmKeystream, salt: Buffer, ssrc: number, hi32: number, lo16: number): void {
    const iv = ks.iv;
    salt.copy(iv, 0, 0, 4);
    iv.writeUInt32BE((salt.readUInt32BE(4) ^ ssrc) >>> 0, 4);
    iv.writeUInt32BE((salt.readUInt32BE(8) ^ hi32) >>> 0, 8);
    iv.writeUInt16BE(salt.readUInt16BE(12) ^ lo16, 12);
    iv[14] = 0;
    iv[15] = 0;
  }

  protectRtp(packet: Buffer, headerLength: number, ssrc: number, roc: number, seq: number): Buffer {
    const n = packet.length;
    // Room for the tag; its first 4 bytes first hold the ROC, which is authenticated (§4.2) but
    // never sent, so one HMAC update covers packet ‖ ROC.
    const out = Buffer.allocUnsafe(n + this.rtpTagLength);
    packet.copy(out, 0, 0, n);
    AesCmHmacCipher.setIv(this.rtpKs, this.rtpSalt, ssrc, roc, seq);
    this.rtpKs.apply(out, headerLength, n);
    out.writeUInt32BE(roc >>> 0, n);
    const mac = createHmac('sha1', this.rtpAuth).update(out.subarray(0, n + 4)).digest();
    mac.copy(out, n, 0, this.rtpTagLength);
    return out;
  }

  unprotectRtp(packet: Buffer, headerLength: number, ssrc: number, roc: number, seq: number): Buffer | undefined {
    const m = packet.length - this.rtpTagLength;
    const out = Buffer.allocUnsafe(m + 4);
    packet.copy(out, 0, 0, m);
    out.writeUInt32BE(roc >>> 0, m);
    const mac = createHmac('sha1', this.rtpAuth).update(out).digest();
    if (!timingSafeEqual(mac.subarray(0, this.rtpTagLength), packet.subarray(m))) return undefined;
    AesCmHmacCipher.setIv(this.rtpKs, this.rtpSalt, ssrc, roc, seq);
    this.rtpKs.apply(out, headerLength, m);
    return out.subarray(0, m);
  }

  protectRtcp(packet: Buffer, ssrc: number, index: number, encrypt: boolean): Buffer {
    const n = packet.length;
    const out = Buffer.allocUnsafe(n + 4 + RTCP_TAG);
    packet.copy(out, 0, 0, n);
    if (encrypt) {
      // RFC 3711 §3.4: everything after the first 8 bytes of the compound packet is encrypted.
      AesCmHmacCipher.setIv(this.rtcpKs, this.rtcpSalt, ssrc, index >>> 16, index & 0xffff);
      this.rtcpKs.apply(out, 8, n);
    }
    out.writeUInt32BE((encrypt ? SRTCP_E_FLAG | index : index) >>> 0, n);
    const mac = createHmac('sha1', this.rtcpAuth).update(out.subarray(0, n + 4)).digest();
    mac.copy(out, n + 4, 0, RTCP_TAG);
    return out;
  }

  rtcpIndexOffset(length: number): number {
    return length - RTCP_TAG - 4;
  }

  unprotectRtcp(packet: Buffer, ssrc: number, index: number, encrypted: boolean): Buffer | undefined {
    const authEnd = packet.length - RTCP_TAG;
    const mac = createHmac('sha1', this.rtcpAuth).update(packet.subarray(0, authEnd)).digest();
    if (!timingSafeEqual(mac.subarray(0, RTCP_TAG), packet.subarray(authEnd))) return undefined;
    const n = authEnd - 4;
    const out = Buffer.allocUnsafe(n);
    packet.copy(out, 0, 0, n);
    if (encrypted) {
      AesCmHmacCipher.setIv(this.rtcpKs, this.rtcpSalt, ssrc, index >>> 16, index & 0xffff);
      this.rtcpKs.apply(out, 8, n);
    }
    return out;
  }
}

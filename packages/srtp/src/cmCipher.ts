import { timingSafeEqual } from 'node:crypto';
import type { SrtpCipher } from './cipher.js';
import { SRTCP_E_FLAG } from './cipher.js';
import { HMAC_HEADROOM as H0, HmacSha1, tagEquals } from './hmacSha1.js';
import { AesCmKeystream, setSrtpIv, xorInPlace } from './keystream.js';
import { SrtpKeystreamCache } from './keystreamCache.js';
import type { SrtpSessionKeys } from './kdf.js';
import { PacketPool } from './packetPool.js';

/** SRTCP authentication tag is 80 bits for every AES-CM profile, including _32 (RFC 5764 §4.1.2). */
const RTCP_TAG = 10;

/**
 * AES-CM encryption with HMAC-SHA1 authentication (RFC 3711 §4.1.1, §4.2.1).
 * The IV is (salt·2^16) XOR (SSRC·2^64) XOR (index·2^16).
 *
 * Every output is built in one pooled allocation with HMAC_HEADROOM spare bytes in front (for
 * the HMAC inner pad) and returned as a view past them, so a packet costs one copy. RTP outputs
 * come from our own `PacketPool`, whose long-lived Int32Array view the keystream XOR indexes
 * directly; the tag is written (or compared) straight from the MAC's latin1 string.
 */
export class AesCmHmacCipher implements SrtpCipher {
  readonly rtpTrailerLength: number;
  readonly rtcpTrailerLength = 4 + RTCP_TAG;
  private readonly rtpKs: AesCmKeystream;
  private readonly rtcpKs: AesCmKeystream;
  private readonly rtpAuth: HmacSha1;
  private readonly rtcpAuth: HmacSha1;
  private readonly rtpSalt: Buffer;
  private readonly rtcpSalt: Buffer;
  private readonly rtpCache: SrtpKeystreamCache;
  private readonly pool = new PacketPool();

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
    this.rtpAuth = new HmacSha1(keys.rtpAuthKey);
    this.rtcpAuth = new HmacSha1(keys.rtcpAuthKey);
    this.rtpSalt = Buffer.from(keys.rtpSalt);
    this.rtcpSalt = Buffer.from(keys.rtcpSalt);
    this.rtpCache = new SrtpKeystreamCache(this.rtpKs, this.rtpSalt);
  }

  /**
   * XOR the keystream of RTP packet (ssrc, roc·2^16 + seq) into slab[start, end). `slab` starts at
   * byte 0 of its ArrayBuffer and `slab64` views all of it, so aligned words need no new view.
   */
  private cryptRtp(slab: Buffer, slab64: BigInt64Array, start: number, end: number, ssrc: number, roc: number, seq: number): void {
    const len = end - start;
    if (len <= 0) return;
    const cache = this.rtpCache;
    cache.lookup(ssrc, roc * 65536 + seq, len);
    const ks = cache.buf, k64 = cache.buf64, kOff = cache.off;
    if (k64 === undefined || ((start | kOff) & 7) !== 0) {
      xorInPlace(slab, start, ks, len, kOff);
      return;
    }
    const words = len >>> 3;
    xorWords64(slab64, start >>> 3, k64, kOff >>> 3, words);
    for (let i = words << 3; i < len; i++) slab[start + i] ^= ks[kOff + i]!;
  }

  protectRtp(packet: Buffer, headerLength: number, ssrc: number, roc: number, seq: number): Buffer {
    const n = packet.length;
    const tagLen = this.rtpTagLength;
    const pool = this.pool;
    const at = pool.alloc(H0 + n + tagLen, H0 + headerLength);
    const slab = pool.slab;
    const p = at + H0;
    packet.copy(slab, p, 0, n);
    this.cryptRtp(slab, pool.slab64, p + headerLength, p + n, ssrc, roc, seq);
    // The tag's place first holds the ROC, which is authenticated (§4.2) but never sent.
    slab.writeUInt32BE(roc >>> 0, p + n);
    const mac = this.rtpAuth.macString(slab, at, p + n + 4);
    for (let i = 0; i < tagLen; i++) slab[p + n + i] = mac.charCodeAt(i);
    return slab.subarray(p, p + n + tagLen);
  }

  unprotectRtp(packet: Buffer, headerLength: number, ssrc: number, roc: number, seq: number): Buffer | undefined {
    const tagLen = this.rtpTagLength;
    const m = packet.length - tagLen;
    const pool = this.pool;
    const at = pool.alloc(H0 + m + 4, H0 + headerLength);
    const slab = pool.slab;
    const p = at + H0;
    packet.copy(slab, p, 0, m);
    slab.writeUInt32BE(roc >>> 0, p + m);
    if (!tagEquals(this.rtpAuth.macString(slab, at, p + m + 4), packet, m, tagLen)) return undefined;
    this.cryptRtp(slab, pool.slab64, p + headerLength, p + m, ssrc, roc, seq);
    return slab.subarray(p, p + m);
  }

  protectRtcp(packet: Buffer, ssrc: number, index: number, encrypt: boolean): Buffer {
    const n = packet.length;
    const out = Buffer.allocUnsafe(H0 + n + 4 + RTCP_TAG);
    packet.copy(out, H0, 0, n);
    if (encrypt) {
      // RFC 3711 §3.4: everything after the first 8 bytes of the compound packet is encrypted.
      setSrtpIv(this.rtcpKs.iv, this.rtcpSalt, ssrc, index >>> 16, index & 0xffff);
      this.rtcpKs.apply(out, H0 + 8, H0 + n);
    }
    out.writeUInt32BE((encrypt ? SRTCP_E_FLAG | index : index) >>> 0, H0 + n);
    this.rtcpAuth.macInPlace(out, H0 + n + 4).copy(out, H0 + n + 4, 0, RTCP_TAG);
    return out.subarray(H0);
  }

  rtcpIndexOffset(length: number): number {
    return length - RTCP_TAG - 4;
  }

  unprotectRtcp(packet: Buffer, ssrc: number, index: number, encrypted: boolean): Buffer | undefined {
    const authEnd = packet.length - RTCP_TAG;
    const out = Buffer.allocUnsafe(H0 + authEnd);
    packet.copy(out, H0, 0, authEnd);
    const mac = this.rtcpAuth.macInPlace(out, H0 + authEnd);
    if (!timingSafeEqual(mac.subarray(0, RTCP_TAG), packet.subarray(authEnd))) return undefined;
    const n = authEnd - 4;
    if (encrypted) {
      setSrtpIv(this.rtcpKs.iv, this.rtcpSalt, ssrc, index >>> 16, index & 0xffff);
      this.rtcpKs.apply(out, H0 + 8, H0 + n);
    }
    return out.subarray(H0, H0 + n);
  }
}

/**
 * d[di + w] ^= k[ki + w] for w < words. A small function of its own so V8 optimizes the loop in
 * isolation (inlined into the larger protect/unprotect bodies it ran ~2× slower); 64-bit lanes
 * halve the iterations of a 32-bit loop.
 */
function xorWords64(d: BigInt64Array, di: number, k: BigInt64Array, ki: number, words: number): void {
  for (let w = 0; w < words; w++) d[di + w] ^= k[ki + w]!;
}

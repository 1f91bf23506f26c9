/**
 * The per-packet crypto approaches we measured for @rivulet/srtp (1200-byte payload), each
 * beside the naive one it replaces, same process, alternating rounds (best round reported —
 * the machine is shared, see docs/bench/srtp.md).
 * Run: node --conditions=rivulet-source --import tsx bench/srtp-approaches.ts
 */
import { createCipheriv, createHash, createHmac, createSecretKey, randomBytes } from 'node:crypto';
import * as nodeCrypto from 'node:crypto';
import { AesCmKeystream, HMAC_HEADROOM, HmacSha1, SrtpKeystreamCache, setSrtpIv, xorInPlace } from '@rivulet/srtp';

const ROUNDS = 5;
const MS = 250;
const key = randomBytes(16), salt = randomBytes(14), authKey = randomBytes(20);
const payload = randomBytes(1200);
const msg = randomBytes(1216);

function rate(fn: (i: number) => void): number {
  let n = 0;
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < MS && n < 10_000_000) {
    for (let i = 0; i < 200; i++) fn(n + i);
    n += 200;
    t = performance.now();
  }
  return n / ((t - t0) / 1000);
}

function compare(title: string, naiveName: string, naive: (i: number) => void, oursName: string, ours: (i: number) => void): void {
  for (let i = 0; i < 2000; i++) (naive(i), ours(i));
  let a = 0, b = 0;
  for (let r = 0; r < ROUNDS; r++) {
    a = Math.max(a, rate(naive));
    b = Math.max(b, rate(ours));
  }
  const us = (x: number): string => `${(1e6 / x).toFixed(2)} µs`;
  console.log(`${title}\n  ${naiveName.padEnd(50)} ${us(a).padStart(10)}\n  ${oursName.padEnd(50)} ${us(b).padStart(10)}   ${(b / a).toFixed(2)}× the first one's rate`);
}

// AES-CM keystream + XOR for one packet.
const out = Buffer.alloc(1300);
const ks = new AesCmKeystream(key);
const cache = new SrtpKeystreamCache(new AesCmKeystream(key), salt);
compare(
  'AES-128-CM encrypt 1200 bytes',
  'createCipheriv(aes-128-ctr) per packet',
  (i) => {
    const iv = Buffer.alloc(16);
    iv.writeUInt16BE(i & 0xffff, 12);
    createCipheriv('aes-128-ctr', key, iv).update(payload);
  },
  'one ECB update per packet + Int32 XOR',
  (i) => {
    setSrtpIv(ks.iv, salt, 1, 0, i & 0xffff);
    ks.apply(out, 12, 1212);
  },
);
compare(
  'AES-128-CM encrypt 1200 bytes, consecutive indexes',
  'one ECB update per packet + Int32 XOR',
  (i) => {
    setSrtpIv(ks.iv, salt, 1, 0, i & 0xffff);
    ks.apply(out, 12, 1212);
  },
  'batched ECB (adaptive, up to 16 packets per call)',
  (i) => {
    cache.lookup(1, i, 1200);
    xorInPlace(out, 12, cache.buf, 1200, cache.off);
  },
);
const cache8 = new SrtpKeystreamCache(new AesCmKeystream(key), salt, 8);
const cache16 = new SrtpKeystreamCache(new AesCmKeystream(key), salt, 16);
compare(
  'AES-128-CM keystream only, consecutive indexes (second pass: batch size)',
  'up to 8 packets per ECB call',
  (i) => cache8.lookup(1, i & 0xffff, 1200),
  'up to 16 packets per ECB call',
  (i) => cache16.lookup(1, i & 0xffff, 1200),
);

// XOR of 1200 bytes of keystream (second pass).
const ksBuf = createCipheriv('aes-128-ecb', key, null).update(Buffer.alloc(16 * 80));
const slab = Buffer.allocUnsafeSlow(4096);
const slab64 = new BigInt64Array(slab.buffer, 0, 512), ks64 = new BigInt64Array(ksBuf.buffer, ksBuf.byteOffset, ksBuf.length >>> 3);
function xor64(d: BigInt64Array, di: number, k: BigInt64Array, ki: number, words: number): void {
  for (let w = 0; w < words; w++) d[di + w] ^= k[ki + w]!;
}
compare(
  'XOR 1200 bytes of keystream into a packet',
  'xorInPlace: new Int32Array views per packet',
  () => xorInPlace(slab, 16, ksBuf, 1200),
  'long-lived BigInt64Array views, standalone loop',
  () => xor64(slab64, 2, ks64, 0, 150),
);

// HMAC-SHA1 over 1216 bytes.
const hmac = new HmacSha1(authKey);
const withHeadroom = Buffer.alloc(HMAC_HEADROOM + 1216);
msg.copy(withHeadroom, HMAC_HEADROOM);
const ipad = Buffer.alloc(64, 0x36), opad = Buffer.alloc(64, 0x5c);
for (let i = 0; i < 20; i++) (ipad[i] ^= authKey[i]!, opad[i] ^= authKey[i]!);
const inner = createHash('sha1').update(ipad), outer = createHash('sha1').update(opad);
const authObj = createSecretKey(authKey);
compare('HMAC-SHA1 1216 bytes', 'createHmac per packet', () => void createHmac('sha1', authKey).update(msg).digest(), 'hash.copy() of precomputed inner/outer pads', () => {
  const h = inner.copy().update(msg).digest();
  outer.copy().update(h).digest();
});
if ((nodeCrypto as { hash?: unknown }).hash !== undefined) {
  compare('HMAC-SHA1 1216 bytes', 'createHmac(KeyObject) per packet', () => void createHmac('sha1', authObj).update(msg).digest(), 'two one-shot crypto.hash (latin1) with headroom', () => void hmac.macInPlace(withHeadroom, withHeadroom.length));
}

// AES-128-GCM.
const iv12 = randomBytes(12);
const gkey = createSecretKey(key);
const ckey = createSecretKey(randomBytes(32));
compare(
  'AES-128-GCM encrypt 1200 bytes + tag',
  'createCipheriv(raw key) per packet',
  () => {
    const c = createCipheriv('aes-128-gcm', key, iv12);
    c.setAAD(msg.subarray(0, 12));
    c.update(payload);
    c.final();
    c.getAuthTag();
  },
  'createCipheriv(KeyObject, authTagLength 16)',
  () => {
    const c = createCipheriv('aes-128-gcm', gkey, iv12, { authTagLength: 16 });
    c.setAAD(msg.subarray(0, 12));
    c.update(payload);
    c.final();
    c.getAuthTag();
  },
);
compare(
  'AEAD 1200 bytes + tag (comparison only: ChaCha20-Poly1305 is not an SRTP profile)',
  'AES-128-GCM createCipheriv(KeyObject)',
  () => {
    const c = createCipheriv('aes-128-gcm', gkey, iv12, { authTagLength: 16 });
    c.setAAD(msg.subarray(0, 12));
    c.update(payload);
    c.final();
    c.getAuthTag();
  },
  'chacha20-poly1305 createCipheriv(KeyObject 32 B)',
  () => {
    const c = createCipheriv('chacha20-poly1305', ckey, iv12, { authTagLength: 16 });
    c.setAAD(msg.subarray(0, 12), { plaintextLength: payload.length });
    c.update(payload);
    c.final();
    c.getAuthTag();
  },
);

// WebCrypto is asynchronous (one promise per packet), so it cannot back the synchronous API;
// measured here only to show it is no escape from the per-packet cost.
{
  const subtle = nodeCrypto.webcrypto.subtle;
  const wkey = await subtle.importKey('raw', key, 'AES-GCM', false, ['encrypt']);
  const alg = { name: 'AES-GCM', iv: iv12, additionalData: msg.subarray(0, 12), tagLength: 128 };
  for (let i = 0; i < 2000; i++) await subtle.encrypt(alg, wkey, payload);
  let bestUs = Infinity;
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = performance.now();
    let n = 0;
    while (performance.now() - t0 < MS && n < 1_000_000) {
      await subtle.encrypt(alg, wkey, payload);
      n++;
    }
    bestUs = Math.min(bestUs, ((performance.now() - t0) * 1000) / n);
  }
  console.log(`AES-128-GCM encrypt 1200 bytes via crypto.subtle.encrypt (awaited one at a time)\n  ${'subtle.encrypt'.padEnd(50)} ${`${bestUs.toFixed(2)} µs`.padStart(10)}`);
}

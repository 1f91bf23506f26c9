import { expect } from 'chai';
import { createHmac, randomBytes } from 'node:crypto';
import { AesCmKeystream, setSrtpIv } from '../src/keystream.js';
import { HMAC_HEADROOM, HmacSha1, tagEquals } from '../src/hmacSha1.js';
import { PacketPool } from '../src/packetPool.js';
import { SrtpSession, profileParams, type SrtpProfile } from '../src/index.js';
import { Prng, makeRtp } from './helpers.js';

describe('srtp fast-path pieces (pool, MAC string, counter-block reuse)', () => {
  it('PacketPool hands out 8-byte aligned, non-overlapping ranges and starts a new slab when full', () => {
    const pool = new PacketPool();
    const first = pool.slab;
    const ranges: [number, number][] = [];
    let at = 0;
    for (const size of [1, 7, 8, 1290, 3, 1300, 64]) {
      at = pool.alloc(size);
      expect(at % 8, `offset for size ${size}`).to.equal(0);
      for (const [s, e] of ranges) expect(at >= e || at + size <= s, `size ${size} at ${at} overlaps [${s}, ${e})`).to.equal(true);
      ranges.push([at, at + size]);
    }
    expect(pool.slab).to.equal(first);
    expect(pool.slab64.buffer).to.equal(pool.slab.buffer);
    expect(pool.slab64.length).to.equal(pool.slab.length / 8);
    expect(pool.slab.byteOffset).to.equal(0);
    // 32 KiB slabs: 26 more full-MTU packets cannot fit in what is left of the first one.
    for (let i = 0; i < 26; i++) pool.alloc(1300);
    expect(pool.slab).to.not.equal(first);
    expect(pool.slab.byteOffset).to.equal(0);
    expect(pool.alloc(40000)).to.equal(0); // larger than a slab: a slab of its own
    expect(pool.slab.length).to.equal(40008);
    // alignAt: the returned offset plus alignAt is a multiple of 8 (the payload start is aligned).
    for (const alignAt of [76, 64 + 12, 64 + 16, 3, 0]) {
      const off = pool.alloc(100, alignAt);
      expect((off + alignAt) % 8, `alignAt ${alignAt}`).to.equal(0);
    }
    expect(pool.alloc(40000, 76)).to.equal(4); // a fresh slab, skewed by 4 so 4 + 76 is aligned
  });

  it('macString at any offset equals createHmac, and tagEquals spots a change in any byte', () => {
    const rng = new Prng(4242);
    for (const start of [0, 4, 8, 100]) {
      for (const len of [0, 1, 19, 64, 65, 1216]) {
        const key = rng.bytes(20);
        const msg = rng.bytes(len);
        const buf = Buffer.alloc(start + HMAC_HEADROOM + len);
        msg.copy(buf, start + HMAC_HEADROOM);
        const mac = new HmacSha1(key).macString(buf, start, buf.length);
        const want = createHmac('sha1', key).update(msg).digest();
        expect(Buffer.from(mac, 'latin1').toString('hex'), `start ${start} len ${len}`).to.equal(want.toString('hex'));
        const tag = Buffer.concat([Buffer.from([1, 2, 3]), want.subarray(0, 10)]);
        expect(tagEquals(mac, tag, 3, 10)).to.equal(true);
        for (let i = 0; i < 10; i++) {
          const bad = Buffer.from(tag);
          bad[3 + i]! ^= 1 << (i % 8);
          expect(tagEquals(mac, bad, 3, 10), `flipped tag byte ${i}`).to.equal(false);
        }
      }
    }
  });

  it('batched keystream equals a fresh computation when consecutive batches reuse counter words, across SSRC changes, single-shot calls and a ROC boundary', () => {
    const key = randomBytes(16), salt = randomBytes(14);
    const fresh = (ssrc: number, index: number, bytes: number): string => {
      const ks = new AesCmKeystream(key);
      setSrtpIv(ks.iv, salt, ssrc, Math.floor(index / 65536), index & 0xffff);
      return ks.keystream(bytes).subarray(0, bytes).toString('hex');
    };
    const ks = new AesCmKeystream(key);
    const steps: [number, number, number, number][] = [
      // ssrc, firstIndex, count, strideBlocks
      [7, 100, 8, 76], [7, 108, 8, 76], [7, 116, 4, 76], [7, 120, 8, 80], [9, 128, 8, 76], [7, 136, 8, 76],
      [7, 65530, 8, 76], [7, 65538, 8, 76], [7, 2 * 65536 - 3, 16, 10], [7, 2 * 65536 + 13, 16, 10],
    ];
    for (const [i, [ssrc, first, count, stride]] of steps.entries()) {
      if (i === 5) {
        setSrtpIv(ks.iv, salt, 5, 3, 4);
        ks.keystream(500); // a single-shot call in between rewrites the counter blocks
      }
      const out = ks.batch(salt, ssrc, first, count, stride);
      for (let j = 0; j < count; j++) {
        const o = j * stride * 16;
        expect(out.subarray(o, o + stride * 16).toString('hex'), `step ${i} packet ${j}`).to.equal(fresh(ssrc, first + j, stride * 16));
      }
    }
  });

  for (const profile of ['AES_CM_128_HMAC_SHA1_80', 'AES_CM_128_HMAC_SHA1_32'] as SrtpProfile[]) {
    it(`${profile}: kept outputs stay intact while later packets reuse the pool, and all decrypt`, () => {
      const p = profileParams(profile);
      const k1 = randomBytes(p.keyLength), s1 = randomBytes(p.saltLength);
      const a = new SrtpSession({ profile, localKey: k1, localSalt: s1, remoteKey: k1, remoteSalt: s1 });
      const b = new SrtpSession({ profile, localKey: k1, localSalt: s1, remoteKey: k1, remoteSalt: s1 });
      const rng = new Prng(17);
      const plains: Buffer[] = [], prot: Buffer[] = [], protCopies: Buffer[] = [];
      for (let i = 0; i < 300; i++) {
        const pkt = makeRtp(rng, { seq: 65400 + i, ssrc: 0x1234, payloadLength: i % 3 === 0 ? 1200 : 1 + rng.int(1400), csrcCount: i % 5, extensionWords: i % 4 });
        plains.push(pkt);
        const out = a.protectRtp(pkt);
        expect(out.length).to.equal(pkt.length + p.rtpTagLength);
        prot.push(out);
        protCopies.push(Buffer.from(out));
      }
      const dec: Buffer[] = [];
      for (let i = 0; i < 300; i++) {
        expect(prot[i]!.equals(protCopies[i]!), `protected packet ${i} changed after later calls`).to.equal(true);
        const d = b.unprotectRtp(prot[i]!);
        expect(d, `packet ${i}`).to.not.equal(undefined);
        dec.push(d!);
      }
      for (let i = 0; i < 300; i++) expect(dec[i]!.equals(plains[i]!), `decrypted packet ${i}`).to.equal(true);
      expect(b.stats.rtpUnprotected).to.equal(300);
      expect(b.inboundRtp.rolloverCounter(0x1234)).to.equal(1);
    });
  }
});

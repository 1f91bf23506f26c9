import { expect } from 'chai';
import { AesCmKeystream, setSrtpIv } from '../src/keystream.js';
import { SrtpKeystreamCache } from '../src/keystreamCache.js';
import { Prng } from './helpers.js';

describe('srtp SrtpKeystreamCache (batched keystream)', () => {
  const key = Buffer.from('2b7e151628aed2a6abf7158809cf4f3c', 'hex');
  const salt = Buffer.from('f0f1f2f3f4f5f6f7f8f9fafbfcfd', 'hex');

  function fresh(ssrc: number, index: number, len: number): Buffer {
    const ks = new AesCmKeystream(key);
    setSrtpIv(ks.iv, salt, ssrc, Math.floor(index / 65536), index & 0xffff);
    return ks.keystream(len).subarray(0, len);
  }

  it('gives byte-identical keystream to a fresh computation for sequential, interleaved, random and ROC-crossing access', () => {
    const cache = new SrtpKeystreamCache(new AesCmKeystream(key), salt);
    const rng = new Prng(77);
    const checks: [number, number, number][] = [];
    let a = 65530, v = 3 * 65536 - 4; // two streams, both about to cross a ROC boundary
    for (let i = 0; i < 400; i++) {
      const mode = Math.floor(i / 100);
      if (mode === 0) checks.push([0x1111, a++, 1 + rng.int(1300)]);
      else if (mode === 1) checks.push(i % 2 === 0 ? [0x1111, a++, 1200] : [0x2222, v++, 1 + rng.int(200)]);
      else if (mode === 2) checks.push([0x3333, rng.int(1 << 20), 1 + rng.int(1400)]);
      else checks.push([0x1111, a - 50 + rng.int(60), 1 + rng.int(1300)]); // resends and reordering
    }
    for (const [ssrc, index, len] of checks) {
      cache.lookup(ssrc, index, len);
      const got = cache.buf.subarray(cache.off, cache.off + len);
      expect(got.toString('hex'), `ssrc ${ssrc} index ${index} len ${len}`).to.equal(fresh(ssrc, index, len).toString('hex'));
    }
  });

  it('first index 0 of the RFC 3711 B.2 vector comes out of a batch unchanged', () => {
    const cache = new SrtpKeystreamCache(new AesCmKeystream(key), salt);
    for (let i = 0; i < 5; i++) cache.lookup(0, i, 48); // grow the batch
    cache.lookup(0, 8, 48); // a fresh batch starting at 8; ...and back to 0 means a new batch at 0
    cache.lookup(0, 0, 48);
    expect(cache.buf.subarray(cache.off, cache.off + 48).toString('hex')).to.equal(
      'e03ead0935c95e80e166b16dd92b4eb4d23513162b02d0f72a43a2fe4a5f97ab41e95b3bb0a2e8dd477901e4fca894c0',
    );
  });
});

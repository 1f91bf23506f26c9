import { expect } from 'chai';
import { Vp8PictureIdRewriter } from '../src/vp8Rewrite.js';
import { vp8 } from './rtp.js';

const pidOf = (p: Buffer) => ((p[14]! & 0x7f) << 8) | p[15]!;
const tl0Of = (p: Buffer) => p[16]!;

describe('VP8 PictureID/TL0PICIDX continuity across layer switches (examples/sfu)', () => {
  it('leaves the first stream as it is, then continues the numbering after a rebase', () => {
    const r = new Vp8PictureIdRewriter();
    const a = [vp8({ seq: 1, ts: 0, ssrc: 1, pid: 1000, tl0: 7, start: true, key: true }), vp8({ seq: 2, ts: 3000, ssrc: 1, pid: 1001, tl0: 8, start: true, key: false })];
    for (const p of a) r.rewrite(p);
    expect(a.map(pidOf)).to.deep.equal([1000, 1001]);
    expect(a.map(tl0Of)).to.deep.equal([7, 8]);
    r.rebase();
    // The other layer numbers from 32760 (near the 15-bit wrap) and TL0 255.
    const b = [
      vp8({ seq: 90, ts: 5000, ssrc: 2, pid: 32766, tl0: 255, start: true, key: true }),
      vp8({ seq: 91, ts: 5000, ssrc: 2, pid: 32766, tl0: 255, start: false, key: true }),
      vp8({ seq: 92, ts: 8000, ssrc: 2, pid: 32767, tl0: 0, start: true, key: false }),
      vp8({ seq: 93, ts: 11000, ssrc: 2, pid: 0, tl0: 1, start: true, key: false }),
    ];
    for (const p of b) r.rewrite(p);
    expect(b.map(pidOf)).to.deep.equal([1002, 1002, 1003, 1004]);
    expect(b.map(tl0Of)).to.deep.equal([9, 9, 10, 11]);
    expect(b.every((p) => (p[14]! & 0x80) !== 0)).to.equal(true); // M bit kept
  });

  it('wraps the rewritten PictureID at 2^15 and leaves descriptors without X alone', () => {
    const r = new Vp8PictureIdRewriter();
    r.rewrite(vp8({ seq: 1, ts: 0, ssrc: 1, pid: 32767, tl0: 0, start: true, key: true }));
    r.rebase();
    const p = vp8({ seq: 2, ts: 0, ssrc: 2, pid: 5, tl0: 0, start: true, key: true });
    r.rewrite(p);
    expect(pidOf(p)).to.equal(0);
    const plain = Buffer.from([0x80, 96, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0x10, 0x10]);
    const copy = Buffer.from(plain);
    r.rewrite(plain);
    expect(plain.equals(copy)).to.equal(true);
    const truncated = Buffer.from([0x80, 96, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0x90, 0x80]);
    r.rewrite(truncated); // must not throw
    expect(truncated.length).to.equal(14);
  });
});

import { expect } from 'chai';
import { BoolDecoder, BoolEncoder } from '../../src/codecs/boolEncoder.js';
import { BitWriter, h264NalUnit } from '../../src/codecs/bitWriter.js';
import { BitReader } from '../../src/codecs/bits.js';

/** A small deterministic generator (LCG, Numerical Recipes constants) for reproducible inputs. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 0x1_0000_0000;
  };
}

describe('codecs: VP8 boolean entropy encoder (RFC 6386 §7)', () => {
  it('the §7.3 decoder reads back 20,000 bools at random probabilities, including long carry runs', () => {
    const rnd = lcg(7);
    const items: { p: number; b: boolean }[] = [];
    for (let i = 0; i < 20_000; i++) {
      // Every third stretch is 1s at probability 1..8: bottom climbs, forcing carries into 0xff runs.
      const p = i % 3000 < 1000 ? 1 + Math.floor(rnd() * 8) : 1 + Math.floor(rnd() * 255);
      items.push({ p, b: i % 3000 < 1000 ? true : rnd() < 0.5 });
    }
    const enc = new BoolEncoder();
    for (const { p, b } of items) enc.bool(p, b);
    const data = enc.finish();
    const dec = new BoolDecoder(data);
    const got = items.map(({ p }) => dec.bool(p));
    expect(got.filter((b, i) => b !== items[i]!.b).length).to.equal(0);
  });

  it('writes literals MSB first at probability 128 and tree leaves by their branch path', () => {
    const tree = [-4, 2, 4, 6, -0, -1, -2, -3]; // RFC 6386 §11.2 kf_ymode_tree
    const probs = [145, 156, 163, 128];
    const enc = new BoolEncoder();
    enc.literal(7, 93);
    for (const leaf of [0, 1, 2, 3, 4]) enc.tree(tree, probs, leaf);
    const dec = new BoolDecoder(enc.finish());
    expect(dec.literal(7)).to.equal(93);
    expect([0, 1, 2, 3, 4].map(() => dec.tree(tree, probs))).to.deep.equal([0, 1, 2, 3, 4]);
  });

  it('writes the exact §7.3 bytes: the first byte leaves after 24 shifts, then one per 8', () => {
    const enc = new BoolEncoder();
    enc.bool(128, 0);
    // The 0 at 1/2 keeps range 128 (no shift); the 32 flush bits shift 32 times: bytes leave
    // at shifts 24 and 32, both 0x00.
    expect(enc.finish()).to.deep.equal(Buffer.from([0, 0]));
    const one = new BoolEncoder();
    one.bool(128, 1); // bottom = 128 << 1 after renormalising: the first byte is 0x80
    expect(one.finish()[0]).to.equal(0x80);
  });

  it('rejects misuse with the offending value in the message', () => {
    const enc = new BoolEncoder();
    expect(() => enc.bool(256, 0)).to.throw(/probability 256/);
    expect(() => enc.literal(3, 8)).to.throw(/8 does not fit in 3 bits/);
    expect(() => enc.tree([-0, -1], [128], 5)).to.throw(/5 is not a leaf/);
    enc.finish();
    expect(() => enc.bool(128, 0)).to.throw(/already finished/);
  });
});

describe('codecs: H.264 bit writer (ITU-T H.264 §7.2, §9.1)', () => {
  const bits = (w: BitWriter) => {
    const n = w.bitLength;
    const buf = w.alignZero().finish();
    return [...buf].map((b) => b.toString(2).padStart(8, '0')).join('').slice(0, n);
  };

  it('ue(v) and se(v) code the Table 9-2/9-3 bit strings', () => {
    expect(bits(new BitWriter().ue(0))).to.equal('1');
    expect(bits(new BitWriter().ue(1))).to.equal('010');
    expect(bits(new BitWriter().ue(2))).to.equal('011');
    expect(bits(new BitWriter().ue(3))).to.equal('00100');
    expect(bits(new BitWriter().ue(7))).to.equal('0001000');
    expect(bits(new BitWriter().ue(25))).to.equal('000011010');
    expect(bits(new BitWriter().se(1))).to.equal('010');
    expect(bits(new BitWriter().se(-1))).to.equal('011');
    expect(bits(new BitWriter().se(2))).to.equal('00100');
    expect(bits(new BitWriter().se(-2))).to.equal('00101');
  });

  it('BitReader.ue reads back 2,000 values up to 2^32-2', () => {
    const rnd = lcg(3);
    const values = Array.from({ length: 2000 }, (_, i) => (i === 0 ? 0xffff_fffe : Math.floor(rnd() ** 4 * 0xffff_fffe)));
    const w = new BitWriter();
    for (const v of values) w.ue(v);
    const r = new BitReader(w.alignZero().finish());
    expect(values.map(() => r.ue())).to.deep.equal(values);
  });

  it('rbsp_trailing_bits is a 1 then zeros to the byte boundary; finish() refuses a partial byte', () => {
    expect([...new BitWriter().u(3, 5).trailingBits().finish()]).to.deep.equal([0b1011_0000]);
    expect([...new BitWriter().u(8, 0xab).trailingBits().finish()]).to.deep.equal([0xab, 0x80]);
    expect(() => new BitWriter().u(3, 1).finish()).to.throw(/3 bits past/);
    expect(() => new BitWriter().u(4, 16)).to.throw(/16 does not fit in 4 bits/);
  });

  it('h264NalUnit inserts emulation_prevention_three_byte after 00 00 before 00..03 (§7.4.1)', () => {
    const rbsp = Buffer.from([0, 0, 0, 0, 1, 0, 0, 3, 0, 0, 4, 0, 0]);
    expect([...h264NalUnit(3, 5, rbsp)]).to.deep.equal([0x65, 0, 0, 3, 0, 0, 3, 1, 0, 0, 3, 3, 0, 0, 4, 0, 0]);
    expect(() => h264NalUnit(4, 5, rbsp)).to.throw(/nal_ref_idc 4/);
    expect(() => h264NalUnit(3, 0, rbsp)).to.throw(/nal_unit_type 0/);
  });
});

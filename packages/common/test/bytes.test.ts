import { expect } from 'chai';
import { ByteReader, ByteWriter, ParseError } from '@rivulet/common';

describe('ByteReader / ByteWriter', () => {
  it('round-trips every width big-endian', () => {
    const w = new ByteWriter(4);
    w.u8(0xab).u16(0x1234).u24(0xabcdef).u32(0xdeadbeef).u48(0x0102030405 * 256 + 6).u64(0x0102030405060708n);
    const buf = w.finish();
    expect(buf.toString('hex')).to.equal('ab1234abcdefdeadbeef0102030405060102030405060708');
    const r = new ByteReader(buf);
    expect(r.u8()).to.equal(0xab);
    expect(r.u16()).to.equal(0x1234);
    expect(r.u24()).to.equal(0xabcdef);
    expect(r.u32()).to.equal(0xdeadbeef);
    expect(r.u48()).to.equal(0x010203040506);
    expect(r.u64()).to.equal(0x0102030405060708n);
    expect(r.remaining).to.equal(0);
  });

  it('throws ParseError, not RangeError, on truncation', () => {
    const r = new ByteReader(Buffer.from([1, 2, 3]));
    r.u16();
    expect(() => r.u16()).to.throw(ParseError, /truncated/);
  });

  it('bytes() returns a view that shares memory', () => {
    const buf = Buffer.from([1, 2, 3, 4]);
    const view = new ByteReader(buf, 1).bytes(2);
    buf[1] = 9;
    expect(view[0]).to.equal(9);
  });

  it('respects the window it was given', () => {
    const r = new ByteReader(Buffer.from([1, 2, 3, 4, 5]), 1, 2);
    expect(r.u16()).to.equal(0x0203);
    expect(() => r.u8()).to.throw(ParseError);
    expect(() => new ByteReader(Buffer.alloc(2), 1, 5)).to.throw(ParseError);
  });

  it('pads and patches', () => {
    const w = new ByteWriter();
    w.u16(0).u8(7).pad(4).patchU16(0, 0xbeef);
    expect(w.finish().toString('hex')).to.equal('beef0700');
    const r = new ByteReader(Buffer.from('0700000011', 'hex'));
    r.u8();
    r.align(4);
    expect(r.u8()).to.equal(0x11);
  });
});

import { expect } from 'chai';
import { seqDiff16, seqLessThan16, seqLessThan32, seqDiff32, unwrap16, add16, add32 } from '@rivulet/common';

describe('serial-number arithmetic (RFC 1982)', () => {
  it('orders 16-bit numbers across the wrap', () => {
    expect(seqLessThan16(65535, 0)).to.equal(true);
    expect(seqLessThan16(0, 65535)).to.equal(false);
    expect(seqLessThan16(5, 5)).to.equal(false);
    expect(seqLessThan16(100, 100 + 32767)).to.equal(true);
    expect(seqDiff16(65530, 4)).to.equal(10);
    expect(seqDiff16(4, 65530)).to.equal(-10);
    expect(add16(65535, 2)).to.equal(1);
  });

  it('orders 32-bit numbers across the wrap', () => {
    expect(seqLessThan32(0xffffffff, 0)).to.equal(true);
    expect(seqLessThan32(0, 0xffffffff)).to.equal(false);
    expect(seqDiff32(0xfffffff0, 0x10)).to.equal(0x20);
    expect(add32(0xffffffff, 1)).to.equal(0);
  });

  it('unwraps a 16-bit counter into a monotonic one', () => {
    let ext = 65534;
    for (const s of [65535, 0, 1, 65535, 2]) ext = Math.max(ext, unwrap16(ext, s));
    expect(ext).to.equal(65536 + 2);
    expect(unwrap16(65536 + 2, 65535)).to.equal(65535);
  });
});

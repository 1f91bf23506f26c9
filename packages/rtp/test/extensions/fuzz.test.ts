import { expect } from 'chai';
import { ParseError } from '@rivulet/common';
import { parseDependencyDescriptor, serializeDependencyDescriptor, rtpExtensionCodecs, type RtpExtensionName } from '../../src/extensions/index.js';
import { Prng } from '../rtp/prng.js';

describe('header extension value fuzz', function () {
  this.timeout(30000);

  it('every codec only throws ParseError on random values (3000 each, seed 41)', () => {
    const r = new Prng(41);
    for (const uri of Object.keys(rtpExtensionCodecs) as RtpExtensionName[]) {
      const codec = rtpExtensionCodecs[uri];
      for (let i = 0; i < 3000; i++) {
        const b = r.bytes(r.int(0, 24));
        try {
          codec.parse(b);
        } catch (e) {
          expect(e, `${uri} ${b.toString('hex')}`).to.be.instanceOf(ParseError);
        }
      }
    }
  });

  it('dependency descriptors that parse re-serialize to the same value (5000, seed 42)', () => {
    const r = new Prng(42);
    let parsedExtended = 0;
    for (let i = 0; i < 5000; i++) {
      const b = r.bytes(r.int(3, 40));
      if (b.length > 3) b[3] = b[3]! | 0x80; // structure present, so the fields after it are readable
      let dd;
      try {
        dd = parseDependencyDescriptor(b);
      } catch (e) {
        expect(e, b.toString('hex')).to.be.instanceOf(ParseError);
        continue;
      }
      if (dd.structure) parsedExtended++;
      // Everything the reader accepts, the writer can write back (same fields, maybe fewer padding bytes).
      expect(parseDependencyDescriptor(serializeDependencyDescriptor(dd))).to.deep.equal(dd);
    }
    expect(parsedExtended).to.be.greaterThan(100);
  });
});

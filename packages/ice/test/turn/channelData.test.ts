import { expect } from 'chai';
import { encodeChannelData, isChannelData, parseChannelData, TurnStreamFramer } from '../../src/turn/index.js';
import { StunClass, StunMessage, StunMethod, encodeStun } from '../../src/stun/index.js';

describe('TURN ChannelData (RFC 8656 §12.4, §12.5)', () => {
  it('encodes the 4-byte header and pads only for streams', () => {
    const d = Buffer.from([1, 2, 3, 4, 5]);
    expect(encodeChannelData(0x4001, d, false).toString('hex')).to.equal('400100050102030405');
    expect(encodeChannelData(0x4001, d, true).toString('hex')).to.equal('400100050102030405000000');
    expect(encodeChannelData(0x4fff, Buffer.alloc(0), true).toString('hex')).to.equal('4fff0000');
  });

  it('rejects channel numbers outside 0x4000..0x4fff', () => {
    expect(() => encodeChannelData(0x3fff, Buffer.alloc(1), false)).to.throw('TURN channel number must be 0x4000..0x4fff, got 16383');
    expect(() => encodeChannelData(0x5000, Buffer.alloc(1), false)).to.throw(/got 20480/);
  });

  it('parses, ignoring UDP padding, and refuses truncation', () => {
    const p = parseChannelData(Buffer.from('4002000361626300', 'hex'))!;
    expect(p.channel).to.equal(0x4002);
    expect(p.data.toString()).to.equal('abc');
    expect(parseChannelData(Buffer.from('40020005616263', 'hex'))).to.equal(undefined);
    expect(parseChannelData(Buffer.from('0001000c', 'hex'))).to.equal(undefined);
    expect(isChannelData(Buffer.from([0x50, 0, 0, 0]))).to.equal(false);
  });

  it('the stream framer reassembles STUN and padded ChannelData across any split', () => {
    const stun = encodeStun(new StunMessage(StunMethod.Binding, StunClass.Request));
    const cd1 = encodeChannelData(0x4000, Buffer.from('hello'), true);
    const cd2 = encodeChannelData(0x4001, Buffer.from('wxyz'), true);
    const stream = Buffer.concat([cd1, stun, cd2]);
    for (let cut = 0; cut <= stream.length; cut++) {
      for (const step of [1, 3, 7]) {
        const out: string[] = [];
        const f = new TurnStreamFramer((m) => out.push(m.toString('hex')));
        expect(f.feed(stream.subarray(0, cut))).to.equal(true);
        for (let i = cut; i < stream.length; i += step) f.feed(stream.subarray(i, Math.min(stream.length, i + step)));
        expect(out).to.deep.equal([cd1.subarray(0, 9).toString('hex'), stun.toString('hex'), cd2.toString('hex')]);
      }
    }
  });

  it('the stream framer reports an unframeable stream and stays broken', () => {
    const out: Buffer[] = [];
    const f = new TurnStreamFramer((m) => out.push(m));
    expect(f.feed(Buffer.from([0x80, 0, 0, 0]))).to.equal(false);
    expect(f.feed(encodeChannelData(0x4000, Buffer.from('x'), true))).to.equal(false);
    expect(out).to.have.length(0);
  });

  it('fuzz: random chunks never throw out of the framer', () => {
    let seed = 12345;
    const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296);
    for (let round = 0; round < 300; round++) {
      const f = new TurnStreamFramer(() => {});
      for (let i = 0; i < 20; i++) {
        const len = Math.floor(rnd() * 64);
        const chunk = Buffer.alloc(len);
        for (let j = 0; j < len; j++) chunk[j] = Math.floor(rnd() * 256);
        if (len > 0 && rnd() < 0.7) chunk[0] = chunk[0]! & 0x7f; // mostly plausible first bytes
        expect(() => f.feed(chunk)).to.not.throw();
      }
    }
  });
});

import { expect } from 'chai';
import { Counters, ParseError } from '@rivulet/common';
import { RtpPacket, parseRtp, tryParseRtp, ONE_BYTE_PROFILE } from '../../src/rtp/index.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

describe('RtpPacket (RFC 3550 §5.1)', () => {
  it('parses the RFC 7714 §16.1.1 plaintext packet header', () => {
    const buf = hex('8040f17b8041f8d35501a0b247616c6c696120657374206f6d6e69732064697669736120696e207061727465732074726573');
    const p = parseRtp(buf);
    expect(p.marker).to.equal(false);
    expect(p.payloadType).to.equal(0x40);
    expect(p.sequenceNumber).to.equal(0xf17b);
    expect(p.timestamp).to.equal(0x8041f8d3);
    expect(p.ssrc).to.equal(0x5501a0b2);
    expect(p.csrcs).to.deep.equal([]);
    expect(p.extensionProfile).to.equal(undefined);
    expect(p.payload.toString()).to.equal('Gallia est omnis divisa in partes tres');
    // zero copy: payload is a view of the input
    expect(p.payload.buffer).to.equal(buf.buffer);
    expect(p.payload.byteOffset).to.equal(buf.byteOffset + 12);
    expect(p.serialize().equals(buf)).to.equal(true);
  });

  it('parses CSRCs, marker, one-byte extensions with padding bytes, and RTP padding', () => {
    const buf = hex(
      'b1 e0 0001 00000002 00000003' + // V=2 P=1 X=1 CC=1, M=1 PT=96
        '0000000a' + // CSRC
        'bede 0002' + // one-byte profile, 2 words
        '10 aa 00 21 bbcc 00 00' + // id1 len1, pad, id2 len2, pad pad
        'deadbeef' + // payload
        '000003', // padding 3
    );
    const p = parseRtp(buf);
    expect(p.marker).to.equal(true);
    expect(p.payloadType).to.equal(96);
    expect(p.csrcs).to.deep.equal([10]);
    expect(p.extensionProfile).to.equal(ONE_BYTE_PROFILE);
    expect(p.extensions.map((e) => [e.id, e.data.toString('hex')])).to.deep.equal([[1, 'aa'], [2, 'bbcc']]);
    expect(p.payload.toString('hex')).to.equal('deadbeef');
    expect(p.paddingLength).to.equal(3);
    // Elements read but unchanged: the block is copied as it came, inner padding byte included.
    expect(p.serialize().equals(buf)).to.equal(true);
    // Once an element changes, the block is re-encoded: elements packed, then zero-padded.
    p.setExtension(2, Buffer.from('bbcc', 'hex'));
    expect(p.serialize().toString('hex')).to.equal('b1e0000100000002000000030000000abede000210aa21bbcc000000deadbeef000003');
  });

  it('parses the two-byte form (RFC 8285 §4.3) with appbits and a zero-length element', () => {
    const buf = hex('90 60 0001 00000000 00000000 1005 0002 0100 1003 616263 00 ff');
    const p = parseRtp(buf);
    expect(p.extensionProfile).to.equal(0x1005);
    expect(p.extensions.map((e) => [e.id, e.data.toString('hex')])).to.deep.equal([[1, ''], [16, '616263']]);
    expect(p.payload.toString('hex')).to.equal('ff');
    expect(p.serialize().equals(buf)).to.equal(true);
  });

  it('stops one-byte parsing at id 15 (RFC 8285 §4.2)', () => {
    const p = parseRtp(hex('90 60 0001 00000000 00000000 bede 0001 10 aa f0 bb'));
    expect(p.extensions.length).to.equal(1);
  });

  it('keeps a non-RFC 8285 extension block opaque', () => {
    const buf = hex('90 60 0001 00000000 00000000 abcd 0001 01020304 ee');
    const p = parseRtp(buf);
    expect(p.extensionProfile).to.equal(0xabcd);
    expect(p.extensionData!.toString('hex')).to.equal('01020304');
    expect(p.extensions).to.deep.equal([]);
    expect(p.serialize().equals(buf)).to.equal(true);
  });

  it('chooses one-byte when every element fits, two-byte otherwise', () => {
    const p = new RtpPacket({ payloadType: 111, ssrc: 1, payload: Buffer.from([1]) });
    p.setExtension(3, Buffer.from([9, 9]));
    expect(p.serialize().toString('hex')).to.equal('906f00000000000000000001bede00013109090001');
    p.setExtension(15, Buffer.from([7]));
    const two = parseRtp(p.serialize());
    expect(two.extensionProfile).to.equal(0x1000);
    expect(two.getExtension(3)!.toString('hex')).to.equal('0909');
    expect(two.getExtension(15)!.toString('hex')).to.equal('07');
    p.setExtension(3, Buffer.from([1]));
    expect(p.getExtension(3)!.toString('hex')).to.equal('01');
    expect(p.removeExtension(3)).to.equal(true);
    expect(p.removeExtension(3)).to.equal(false);
  });

  it('rejects malformed input with ParseError and tryParse returns undefined', () => {
    const bad = [
      hex('8060000100000000000000'), // 11 bytes
      hex('4060000100000000000000000000'), // version 1
      hex('8160000100000000000000'), // CC=1 but no room... and short
      hex('826000010000000000000000 00000001'), // CC=2, only 1 CSRC
      hex('906000010000000000000000 bede0002 1000'), // ext overruns
      hex('906000010000000000000000 bede0001 13aa0000'), // element overruns block
      hex('a06000010000000000000000 aa00'), // padding count 0
      hex('a06000010000000000000000 aa05'), // padding longer than the body
    ];
    const counters = new Counters<'rtpMalformed'>();
    for (const b of bad) {
      expect(() => parseRtp(b), b.toString('hex')).to.throw(ParseError);
      expect(tryParseRtp(b, counters)).to.equal(undefined);
    }
    expect(counters.get('rtpMalformed')).to.equal(bad.length);
    expect(tryParseRtp(hex('806000010000000000000000'), counters)).to.not.equal(undefined);
    expect(counters.get('rtpMalformed')).to.equal(bad.length);
  });

  it('rejects invalid fields on serialize with messages naming the value', () => {
    expect(() => new RtpPacket({ payloadType: 128 }).serialize()).to.throw(/payloadType must be 0..127, got 128/);
    expect(() => new RtpPacket({ sequenceNumber: 65536 }).serialize()).to.throw(/sequenceNumber.*65536/);
    expect(() => new RtpPacket({ ssrc: -1 }).serialize()).to.throw(/ssrc.*-1/);
    expect(() => new RtpPacket({ csrcs: new Array(16).fill(1) }).serialize()).to.throw(/15 CSRCs, got 16/);
    expect(() => new RtpPacket({ extensionProfile: 0xbede, extensions: [{ id: 15, data: Buffer.from([1]) }] }).serialize()).to.throw(
      /one-byte RTP header extension id must be 1..14, got 15/,
    );
    expect(() => new RtpPacket({ extensionProfile: 0xbede, extensions: [{ id: 1, data: Buffer.alloc(17) }] }).serialize()).to.throw(/1..16 bytes, got 17/);
  });

  it('copies an unchanged extension block verbatim and re-encodes it once changed', () => {
    const buf = hex('90 60 0001 00000002 00000003 bede 0002 10aa 00 21bbcc 0000 deadbeef');
    expect(parseRtp(buf).serialize().equals(buf)).to.equal(true); // inner padding byte kept
    const p = parseRtp(buf);
    p.ssrc = 9;
    p.payload = Buffer.from('ff', 'hex');
    expect(p.serialize().toString('hex')).to.equal('906000010000000200000009bede000210aa0021bbcc0000ff');
    const q = parseRtp(buf);
    q.setExtension(1, Buffer.from([0x11]));
    expect(q.serialize().toString('hex')).to.equal('906000010000000200000003bede0002101121bbcc000000deadbeef');
    // switching the form re-encodes; two-byte → one-byte refuses ids above 14
    const two = parseRtp(hex('90 60 0001 00000000 00000000 1000 0001 1401 aa00 ff'));
    two.extensionProfile = 0xbede;
    expect(() => two.serialize()).to.throw(/one-byte RTP header extension id must be 1..14, got 20/);
    const one = parseRtp(buf);
    one.extensionProfile = 0x1000;
    expect(parseRtp(one.serialize()).extensions.map((e) => [e.id, e.data.toString('hex')])).to.deep.equal([[1, 'aa'], [2, 'bbcc']]);
    const auto = parseRtp(buf);
    auto.extensionProfile = undefined; // still written, form chosen automatically
    expect(parseRtp(auto.serialize()).getExtension(2)!.toString('hex')).to.equal('bbcc');
  });

  it('serializeInto writes at an offset of a reused buffer', () => {
    const p = new RtpPacket({ payloadType: 96, sequenceNumber: 7, timestamp: 9, ssrc: 0xffffffff, payload: Buffer.from('hi'), paddingLength: 2 });
    const out = Buffer.alloc(32, 0xee);
    const n = p.serializeInto(out, 4);
    expect(n).to.equal(16);
    expect(out.subarray(4, 20).toString('hex')).to.equal('a060000700000009ffffffff68690002');
    expect(out[3]).to.equal(0xee);
    expect(out[20]).to.equal(0xee);
    expect(() => p.serializeInto(Buffer.alloc(10))).to.throw(/needs 16 bytes/);
  });
});

describe('RtpPacket comparison', () => {
  const b = parseRtp(hex('906000010000000200000003bede0001 10aa0000 dead'));

  it('equals() and toJSON() cover payload and extensions', () => {
    const a = parseRtp(hex('906000010000000200000003bede0001 10aa0000 dead'));
    expect(a.equals(b)).to.equal(true);
    expect(a.toJSON()).to.deep.equal(b.toJSON());
    const built = new RtpPacket({ payloadType: 96, sequenceNumber: 1, timestamp: 2, ssrc: 3, extensionProfile: 0xbede, extensions: [{ id: 1, data: hex('aa') }], payload: hex('dead') });
    expect(built.equals(b)).to.equal(true);
    expect(built.toJSON()).to.deep.equal(b.toJSON());
    const c = parseRtp(hex('906000010000000200000003bede0001 10ab0000 dead'));
    expect(c.equals(b)).to.equal(false); // extension value differs
    expect(c.toJSON()).to.not.deep.equal(b.toJSON());
    const d = parseRtp(hex('906000010000000200000003bede0001 10aa0000 beef'));
    expect(d.equals(b)).to.equal(false); // payload differs
    expect(d.toJSON()).to.not.deep.equal(b.toJSON());
    const e = parseRtp(hex('906000010000000200000004bede0001 10aa0000 dead'));
    expect(e.equals(b)).to.equal(false); // ssrc differs
  });

  it('keeps its parse state private: JSON and own keys show only packet fields', () => {
    expect(Object.keys(b).sort()).to.deep.equal(['csrcs', 'extensionData', 'extensionProfile', 'marker', 'paddingLength', 'payloadType', 'sequenceNumber', 'ssrc', 'timestamp']);
    expect(JSON.parse(JSON.stringify(b)).payload).to.deep.equal({ type: 'Buffer', data: [0xde, 0xad] });
  });
});

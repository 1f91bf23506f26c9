import { expect } from 'chai';
import {
  RtpPacket,
  parseRtp,
  rewriteRtpHeader,
  setRtpHeaderExtension,
  findRtpHeaderExtension,
  rtpHeaderLayout,
  readRtpSsrc,
  readRtpSequenceNumber,
  readRtpTimestamp,
  readRtpPayloadType,
} from '../../src/rtp/index.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

function sample(): Buffer {
  return new RtpPacket({
    marker: true,
    payloadType: 96,
    sequenceNumber: 0x1234,
    timestamp: 0xdeadbeef,
    ssrc: 0x11223344,
    csrcs: [5],
    extensions: [
      { id: 1, data: Buffer.from('a0') },
      { id: 3, data: Buffer.from([1, 2, 3]) },
    ],
    payload: Buffer.from('payload!'),
  }).serialize();
}

describe('SFU raw-buffer rewrite', () => {
  it('reads header fields without parsing', () => {
    const b = sample();
    expect(readRtpPayloadType(b)).to.equal(96);
    expect(readRtpSequenceNumber(b)).to.equal(0x1234);
    expect(readRtpTimestamp(b)).to.equal(0xdeadbeef);
    expect(readRtpSsrc(b)).to.equal(0x11223344);
    expect(rtpHeaderLayout(b)).to.deep.equal({ headerLength: 12 + 4 + 4 + 8, extensionOffset: 16, extensionProfile: 0xbede });
  });

  it('rewrites SSRC, sequence, payload type, timestamp in place keeping the marker', () => {
    const b = sample();
    const r = rewriteRtpHeader(b, { ssrc: 0xffffffff, sequenceNumber: 1, payloadType: 100, timestamp: 42 });
    expect(r).to.equal(b);
    const p = parseRtp(b);
    expect([p.ssrc, p.sequenceNumber, p.payloadType, p.timestamp, p.marker]).to.deep.equal([0xffffffff, 1, 100, 42, true]);
    expect(p.payload.toString()).to.equal('payload!');
    rewriteRtpHeader(b, { marker: false });
    expect(parseRtp(b).marker).to.equal(false);
    expect(parseRtp(b).payloadType).to.equal(100);
  });

  it('rewrites into a reused buffer leaving the input untouched', () => {
    const b = sample();
    const orig = Buffer.from(b);
    const scratch = Buffer.alloc(1500);
    const r = rewriteRtpHeader(b, { ssrc: 7 }, scratch)!;
    expect(b.equals(orig)).to.equal(true);
    expect(r.length).to.equal(b.length);
    expect(r.buffer).to.equal(scratch.buffer);
    expect(parseRtp(r).ssrc).to.equal(7);
    expect(() => rewriteRtpHeader(b, { ssrc: 7 }, Buffer.alloc(4))).to.throw(/smaller than/);
  });

  it('returns undefined for non-RTP input and throws on bad values', () => {
    expect(rewriteRtpHeader(hex('0001'), { ssrc: 1 })).to.equal(undefined);
    expect(rewriteRtpHeader(hex('400000000000000000000000'), { ssrc: 1 })).to.equal(undefined);
    expect(() => rewriteRtpHeader(sample(), { payloadType: 200 })).to.throw(/payloadType must be 0..127, got 200/);
    expect(() => rewriteRtpHeader(sample(), { sequenceNumber: -1 })).to.throw(/sequenceNumber/);
  });

  it('finds and overwrites an extension value of the same length in place', () => {
    const b = sample();
    expect(findRtpHeaderExtension(b, 3)!.toString('hex')).to.equal('010203');
    expect(findRtpHeaderExtension(b, 2)).to.equal(undefined);
    const r = setRtpHeaderExtension(b, 3, Buffer.from([9, 8, 7]));
    expect(r).to.equal(b);
    expect(parseRtp(b).getExtension(3)!.toString('hex')).to.equal('090807');
  });

  it('rebuilds the header when adding or resizing, switching to two-byte when needed', () => {
    const b = sample();
    const grown = setRtpHeaderExtension(b, 5, Buffer.from([1, 2, 3, 4, 5]))!;
    let p = parseRtp(grown);
    expect(p.extensionProfile).to.equal(0xbede);
    expect(p.extensions.map((e) => [e.id, e.data.toString('hex')])).to.deep.equal([[1, '6130'], [3, '010203'], [5, '0102030405']]);
    expect(p.payload.toString()).to.equal('payload!');
    expect(p.csrcs).to.deep.equal([5]);
    const two = setRtpHeaderExtension(grown, 20, Buffer.alloc(0))!;
    p = parseRtp(two);
    expect(p.extensionProfile).to.equal(0x1000);
    expect(p.getExtension(20)!.length).to.equal(0);
    expect(p.getExtension(5)!.toString('hex')).to.equal('0102030405');
    // A packet without an extension block gets one.
    const plain = new RtpPacket({ payloadType: 1, payload: Buffer.from([0xab]), paddingLength: 4 }).serialize();
    const withExt = setRtpHeaderExtension(plain, 2, Buffer.from([0x55]), Buffer.alloc(100))!;
    p = parseRtp(withExt);
    expect(p.getExtension(2)!.toString('hex')).to.equal('55');
    expect(p.payload.toString('hex')).to.equal('ab');
    expect(p.paddingLength).to.equal(4);
  });

  it('returns undefined for malformed or opaque extension blocks', () => {
    expect(setRtpHeaderExtension(hex('906000010000000000000000bede0002'), 1, Buffer.from([1]))).to.equal(undefined);
    expect(setRtpHeaderExtension(hex('906000010000000000000000abcd000101020304'), 1, Buffer.from([1]))).to.equal(undefined);
    expect(() => setRtpHeaderExtension(sample(), 0, Buffer.from([1]))).to.throw(/id must be 1..255, got 0/);
  });
});

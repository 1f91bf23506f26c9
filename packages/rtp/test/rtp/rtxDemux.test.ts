import { expect } from 'chai';
import { ParseError } from '@rivulet/common';
import { RtpPacket, wrapRtx, unwrapRtx, isRtpOrRtcp, isRtcp, classifyFirstByte, parseRtp } from '../../src/rtp/index.js';

describe('RTX (RFC 4588 §4)', () => {
  it('puts the OSN in the first two payload bytes and restores it', () => {
    const orig = new RtpPacket({
      marker: true,
      payloadType: 96,
      sequenceNumber: 0xabcd,
      timestamp: 1000,
      ssrc: 1111,
      extensions: [{ id: 1, data: Buffer.from([7]) }],
      payload: Buffer.from('media'),
    });
    const rtx = wrapRtx(orig, { payloadType: 97, ssrc: 2222, sequenceNumber: 5 });
    const wire = rtx.serialize();
    const parsed = parseRtp(wire);
    expect([parsed.payloadType, parsed.ssrc, parsed.sequenceNumber, parsed.timestamp, parsed.marker]).to.deep.equal([97, 2222, 5, 1000, true]);
    expect(parsed.payload.toString('hex')).to.equal('abcd' + Buffer.from('media').toString('hex'));
    expect(parsed.getExtension(1)!.toString('hex')).to.equal('07');
    const back = unwrapRtx(parsed, { payloadType: 96, ssrc: 1111 });
    expect(back.serialize().equals(orig.serialize())).to.equal(true);
    // the original is not modified by wrapping
    expect(orig.ssrc).to.equal(1111);
  });

  it('refuses an RTX payload without an OSN', () => {
    expect(() => unwrapRtx(new RtpPacket({ payload: Buffer.from([1]) }), { payloadType: 1, ssrc: 1 })).to.throw(ParseError, /1 bytes/);
  });
});

describe('demux helpers (RFC 7983, RFC 5761 §4)', () => {
  it('classifies first bytes on the range boundaries', () => {
    const cases: Array<[number, string]> = [
      [0, 'stun'], [3, 'stun'], [4, 'unknown'], [16, 'zrtp'], [19, 'zrtp'], [20, 'dtls'], [63, 'dtls'],
      [64, 'turn-channel'], [79, 'turn-channel'], [80, 'unknown'], [127, 'unknown'], [128, 'rtp'], [191, 'rtp'], [192, 'unknown'],
    ];
    for (const [b, c] of cases) expect(classifyFirstByte(b), String(b)).to.equal(c);
    expect(isRtpOrRtcp(127)).to.equal(false);
    expect(isRtpOrRtcp(128)).to.equal(true);
    expect(isRtpOrRtcp(191)).to.equal(true);
    expect(isRtpOrRtcp(192)).to.equal(false);
  });

  it('tells RTCP from RTP by the second byte 192..223', () => {
    expect(isRtcp(Buffer.from([0x80, 200]))).to.equal(true);
    expect(isRtcp(Buffer.from([0x80, 192]))).to.equal(true);
    expect(isRtcp(Buffer.from([0x80, 223]))).to.equal(true);
    expect(isRtcp(Buffer.from([0x80, 191]))).to.equal(false); // marker + PT 63
    expect(isRtcp(Buffer.from([0x80, 224]))).to.equal(false); // marker + PT 96
    expect(isRtcp(Buffer.from([0x80, 96]))).to.equal(false);
    expect(isRtcp(Buffer.from([0x80]))).to.equal(false);
  });
});

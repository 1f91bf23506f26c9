import { expect } from 'chai';
import { isH264KeyframeStart, isVp8KeyframeStart, keyframeDetector, rtpPayloadOffset } from '../src/keyframe.js';
import { rtp, vp8 } from './rtp.js';

describe('key-frame detection in RTP (examples/sfu)', () => {
  it('finds the payload after CSRCs and a header extension (RFC 3550 §5.1, §5.3.1)', () => {
    expect(rtpPayloadOffset(rtp({ seq: 1, ts: 0, ssrc: 1, payload: [1] }))).to.equal(12);
    expect(rtpPayloadOffset(rtp({ seq: 1, ts: 0, ssrc: 1, payload: [1], csrcs: 2 }))).to.equal(20);
    expect(rtpPayloadOffset(rtp({ seq: 1, ts: 0, ssrc: 1, payload: [1], ext: true }))).to.equal(20);
    expect(rtpPayloadOffset(Buffer.alloc(8))).to.equal(-1);
    expect(rtpPayloadOffset(rtp({ seq: 1, ts: 0, ssrc: 1, payload: [] }))).to.equal(-1); // no payload
    const badExt = rtp({ seq: 1, ts: 0, ssrc: 1, payload: [1], ext: true });
    badExt.writeUInt16BE(100, 14); // extension claims 400 bytes
    expect(rtpPayloadOffset(badExt)).to.equal(-1);
  });

  it('VP8: only the first packet of a key frame (S=1, PID=0, P=0)', () => {
    expect(isVp8KeyframeStart(vp8({ seq: 1, ts: 0, ssrc: 1, pid: 300, tl0: 1, start: true, key: true }))).to.equal(true);
    expect(isVp8KeyframeStart(vp8({ seq: 1, ts: 0, ssrc: 1, pid: 300, tl0: 1, start: true, key: false }))).to.equal(false);
    expect(isVp8KeyframeStart(vp8({ seq: 1, ts: 0, ssrc: 1, pid: 300, tl0: 1, start: false, key: true }))).to.equal(false);
    // Without the extension byte: descriptor 0x10, then the frame tag.
    expect(isVp8KeyframeStart(rtp({ seq: 1, ts: 0, ssrc: 1, payload: [0x10, 0x10] }))).to.equal(true);
    expect(isVp8KeyframeStart(rtp({ seq: 1, ts: 0, ssrc: 1, payload: [0x11, 0x10] }))).to.equal(false); // PID 1
    expect(isVp8KeyframeStart(rtp({ seq: 1, ts: 0, ssrc: 1, payload: [0x90] }))).to.equal(false); // truncated
    // 7-bit PictureID (M=0): one byte.
    expect(isVp8KeyframeStart(rtp({ seq: 1, ts: 0, ssrc: 1, payload: [0x90, 0x80, 0x05, 0x10] }))).to.equal(true);
  });

  it('H.264: IDR or SPS alone, first FU-A fragment of one, or inside a STAP-A (RFC 6184 §5.6–5.8)', () => {
    const h = (payload: number[]) => isH264KeyframeStart(rtp({ seq: 1, ts: 0, ssrc: 1, payload }));
    expect(h([0x65, 0x88])).to.equal(true); // IDR
    expect(h([0x67, 0x42])).to.equal(true); // SPS
    expect(h([0x41, 0x9a])).to.equal(false); // non-IDR slice
    expect(h([0x7c, 0x85, 0x00])).to.equal(true); // FU-A start of IDR
    expect(h([0x7c, 0x05, 0x00])).to.equal(false); // FU-A middle
    expect(h([0x7c, 0x81, 0x00])).to.equal(false); // FU-A start of non-IDR
    expect(h([0x78, 0x00, 0x02, 0x09, 0xf0, 0x00, 0x02, 0x67, 0x42])).to.equal(true); // STAP-A: AUD, SPS
    expect(h([0x78, 0x00, 0x02, 0x09, 0xf0, 0x00, 0x02, 0x41, 0x9a])).to.equal(false);
    expect(h([0x78, 0x00, 0x00, 0x67])).to.equal(false); // zero-size unit: stop
  });

  it('picks a detector by mime type, none for codecs it cannot parse', () => {
    expect(keyframeDetector('video/VP8')).to.equal(isVp8KeyframeStart);
    expect(keyframeDetector('video/h264')).to.equal(isH264KeyframeStart);
    expect(keyframeDetector('video/AV1')).to.equal(undefined);
  });
});

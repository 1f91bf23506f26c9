import { expect } from 'chai';
import { G711Depayloader, G711Framer, G711Payloader } from '../../src/codecs/g711.js';
import { H264Payloader } from '../../src/codecs/h264.js';
import { OpusDepayloader, OpusPayloader } from '../../src/codecs/opus.js';
import { isKeyframe } from '../../src/codecs/keyframes.js';
import { createDepayloader, createPayloader } from '../../src/codecs/registry.js';

describe('codecs: Opus (RFC 7587) and G.711', () => {
  it('Opus: one packet per frame, never fragmented', () => {
    const p = new OpusPayloader({ maxPayloadSize: 200 });
    const out = p.payload(Buffer.alloc(200, 0xf8));
    expect(out).to.have.length(1);
    expect(out[0]!.payload.length).to.equal(200);
    expect(() => p.payload(Buffer.alloc(201))).to.throw(RangeError, /201 bytes exceeds maxPayloadSize 200/);
    const d = new OpusDepayloader();
    expect(d.depayload([{ sequenceNumber: 1, timestamp: 960, marker: false, payload: out[0]!.payload }])).to.deep.include({
      timestamp: 960,
      keyframe: true,
    });
    expect(d.inspect(Buffer.alloc(0))).to.equal(undefined);
    expect(d.counters.get('malformedPacket')).to.equal(1);
  });

  it('G.711: passthrough, split on sample boundaries past the MTU', () => {
    const out = new G711Payloader({ maxPayloadSize: 160 }).payload(Buffer.alloc(400, 0xff));
    expect(out.map((o) => o.payload.length)).to.deep.equal([160, 160, 80]);
    const d = new G711Depayloader('pcma');
    expect(d.codec).to.equal('pcma');
    expect(d.depayload([{ sequenceNumber: 0, timestamp: 0, marker: false, payload: Buffer.from([0xd5]) }])!.data[0]).to.equal(0xd5);
  });

  it('G711Framer cuts any chunking into 20 ms frames with running timestamps', () => {
    const f = new G711Framer();
    const stream = Buffer.from(Array.from({ length: 500 }, (_, i) => i & 0xff));
    const frames = [stream.subarray(0, 7), stream.subarray(7, 300), stream.subarray(300)].flatMap((c) => f.push(c));
    expect(frames.map((x) => [x.samples.length, x.timestampOffset])).to.deep.equal([[160, 0], [160, 160], [160, 320]]);
    expect(Buffer.concat(frames.map((x) => x.samples)).equals(stream.subarray(0, 480))).to.equal(true);
    expect(f.bufferedSamples).to.equal(20);
    expect(new G711Framer({ ptimeMs: 10 }).samplesPerFrame).to.equal(80);
    expect(() => new G711Framer({ ptimeMs: 0 })).to.throw(RangeError, /ptimeMs .* got 0/);
  });

  it('registry picks by SDP encoding name and names the supported ones otherwise', () => {
    expect(createPayloader('H264').maxPayloadSize).to.equal(1200);
    expect((createPayloader('h264', { packetizationMode: 0 }) as H264Payloader).packetizationMode).to.equal(0);
    expect(createPayloader('VP8', { maxPayloadSize: 500 }).maxPayloadSize).to.equal(500);
    expect(createDepayloader('OPUS').codec).to.equal('opus');
    expect(createDepayloader('vp9').codec).to.equal('vp9');
    expect(() => createDepayloader('H265')).to.throw(/no depayloader for encoding 'H265'; supported: VP8/);
    expect(() => createPayloader('G722')).to.throw(/no payloader for encoding 'G722'/);
    expect(() => isKeyframe('H265', Buffer.alloc(1))).to.throw(/unknown encoding 'H265'/);
    expect(isKeyframe('PCMU', Buffer.alloc(1))).to.equal(true);
    expect(isKeyframe('h264', Buffer.from([0, 0, 1, 0x41, 0x9a]))).to.equal(false);
    expect(isKeyframe('h264', Buffer.from([0, 0, 1, 0x67, 1, 0, 0, 1, 0x65, 0x88]))).to.equal(true);
  });
});

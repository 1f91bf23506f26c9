import { expect } from 'chai';
import { AnnexBSplitter, H264AccessUnitSplitter } from '../../src/codecs/containers/annexB.js';
import { IvfReader, ivfPtsToRtp } from '../../src/codecs/containers/ivf.js';
import { OggOpusReader, OggPageReader, opusPacketSamples } from '../../src/codecs/containers/ogg.js';
import { oggPage } from '../fixtures/ogg.js';

const opusHead = Buffer.concat([
  Buffer.from('OpusHead', 'latin1'),
  Buffer.from([1, 2, 0x38, 0x01, 0x80, 0xbb, 0, 0, 0, 0, 0]),
]);
const opusTags = Buffer.concat([Buffer.from('OpusTags', 'latin1'), Buffer.alloc(8)]);

describe('codecs: container readers', () => {
  it('Annex B splitter gives the same NAL units whatever the chunking', () => {
    const stream = Buffer.from([0xff, 0, 0, 0, 1, 0x67, 1, 0, 0, 1, 0x68, 2, 0, 0, 0, 1, 0x65, 3, 3, 0, 0, 0, 0, 1, 0x41, 9]);
    const whole = new AnnexBSplitter();
    const a = [...whole.push(stream), ...whole.flush()].map((n) => [...n]);
    expect(a).to.deep.equal([[0x67, 1], [0x68, 2], [0x65, 3, 3], [0x41, 9]]);
    expect(whole.counters.get('bytesBeforeStartCode')).to.equal(1);
    const bytewise = new AnnexBSplitter();
    const b = [...[...stream].flatMap((x) => bytewise.push(Buffer.from([x]))), ...bytewise.flush()].map((n) => [...n]);
    expect(b).to.deep.equal(a);
  });

  it('access unit splitter starts a new unit at AUD/SPS/PPS/SEI after a slice and at first_mb_in_slice 0', () => {
    const nal = (...b: number[]) => Buffer.from(b);
    const s = new H264AccessUnitSplitter();
    const aus = [
      ...s.pushNalUnits([nal(0x09, 0xf0), nal(0x67, 1), nal(0x68, 2), nal(0x65, 0x88), nal(0x65, 0x40)]), // IDR in 2 slices
      ...s.pushNalUnits([nal(0x41, 0x9a), nal(0x41, 0x40), nal(0x41, 0x9b), nal(0x06, 5), nal(0x41, 0x9c)]),
      ...s.flush(),
    ];
    expect(aus.map((au) => au.nalUnits.map((n) => n[0]!.toString(16)).join(' '))).to.deep.equal([
      '9 67 68 65 65',
      '41 41',
      '41',
      '6 41',
    ]);
    expect(aus.map((au) => au.keyframe)).to.deep.equal([true, false, false, false]);
  });

  it('IVF reader streams frames and stops, counted, on a bad signature or size', () => {
    const header = Buffer.alloc(32);
    header.write('DKIF', 0, 'latin1');
    header.writeUInt16LE(32, 6);
    header.write('VP80', 8, 'latin1');
    header.writeUInt16LE(320, 12);
    header.writeUInt16LE(240, 14);
    header.writeUInt32LE(30, 16);
    header.writeUInt32LE(1, 20);
    header.writeUInt32LE(2, 24);
    const frame = (pts: number, data: number[]) => {
      const h = Buffer.alloc(12);
      h.writeUInt32LE(data.length, 0);
      h.writeUInt32LE(pts, 4);
      h.writeUInt32LE(1, 8); // high word: pts beyond 2^32
      return Buffer.concat([h, Buffer.from(data)]);
    };
    const file = Buffer.concat([header, frame(0, [1, 2, 3]), frame(1, [4])]);
    const r = new IvfReader();
    const frames = [...file].flatMap((b) => r.push(Buffer.from([b])));
    expect(r.header).to.deep.equal({ fourcc: 'VP80', width: 320, height: 240, timebaseDenominator: 30, timebaseNumerator: 1, frameCount: 2 });
    expect(frames.map((f) => [[...f.data], f.pts])).to.deep.equal([[[1, 2, 3], 2 ** 32], [[4], 2 ** 32 + 1]]);
    expect(ivfPtsToRtp(r.header!, 2)).to.equal(6000);
    expect(ivfPtsToRtp(r.header!, 2 ** 32 + 1)).to.equal((3000 * (2 ** 32 + 1)) % 2 ** 32);
    expect(() => ivfPtsToRtp({ ...r.header!, timebaseDenominator: 0 }, 1)).to.throw(RangeError, /zero time base/);
    const bad = new IvfReader();
    expect(bad.push(Buffer.concat([Buffer.from('RIFF'), header.subarray(4)]))).to.deep.equal([]);
    expect(bad.failed).to.equal('badSignature');
    const huge = new IvfReader();
    const big = Buffer.alloc(12);
    big.writeUInt32LE(0xffffffff, 0);
    expect(huge.push(Buffer.concat([header, frame(0, [9]), big]))).to.have.length(1);
    expect(huge.counters.toJSON()).to.deep.equal({ oversizedFrame: 1 });
  });

  it('Ogg Opus reader: head, tags, a packet spanning pages, granule on the last packet of a page', () => {
    const p1 = Buffer.alloc(300, 0xf8); // CELT 20 ms packets: 960 samples
    const p2 = Buffer.alloc(10, 0xf9); // code 1: two frames, 1920 samples
    const pages = Buffer.concat([
      oggPage({ type: 2, granule: 0n, seq: 0, laces: [19], body: opusHead }),
      oggPage({ seq: 1, granule: 0n, laces: [16], body: opusTags }),
      oggPage({ seq: 2, laces: [255], body: p1.subarray(0, 255) }), // p1 continues
      oggPage({ type: 1, seq: 3, granule: 2880n, laces: [45, 10], body: Buffer.concat([p1.subarray(255), p2]) }),
    ]);
    const r = new OggOpusReader();
    const out = [...pages].reduce<ReturnType<OggOpusReader['push']>>((acc, _, i) => {
      if (i % 7 === 0) acc.push(...r.push(pages.subarray(i, i + 7)));
      return acc;
    }, []);
    expect(r.head).to.deep.equal({ version: 1, channels: 2, preSkip: 312, inputSampleRate: 48000, outputGainQ8: 0, mappingFamily: 0 });
    expect(out.map((p) => [p.data.length, p.samples, p.granulePosition])).to.deep.equal([
      [300, 960, undefined],
      [10, 1920, 2880],
    ]);
    expect(out[0]!.data.equals(p1)).to.equal(true);
    expect(r.counters.toJSON()).to.deep.equal({});
  });

  it('Ogg page reader drops a page with a bad CRC and resynchronises on the next', () => {
    const good = oggPage({ seq: 5, laces: [3], body: Buffer.from([1, 2, 3]) });
    const bad = Buffer.from(good);
    bad[bad.length - 1] ^= 0xff;
    const r = new OggPageReader();
    const pages = r.push(Buffer.concat([Buffer.from('junk'), bad, good]));
    expect(pages.map((p) => p.sequence)).to.deep.equal([5]);
    expect(r.counters.get('crcMismatch')).to.equal(1);
    expect(r.counters.get('resync')).to.be.greaterThan(0);
  });

  it('Opus TOC durations (RFC 6716 §3.1)', () => {
    expect(opusPacketSamples(Buffer.from([0xf8]))).to.equal(960); // CELT FB 20 ms, 1 frame
    expect(opusPacketSamples(Buffer.from([0x0b, 0x03]))).to.equal(2880); // SILK NB 20 ms, code 3, 3 frames
    expect(opusPacketSamples(Buffer.from([0x18]))).to.equal(2880); // SILK NB 60 ms
    expect(opusPacketSamples(Buffer.from([0x70]))).to.equal(480); // Hybrid FB 10 ms (config 14)
    expect(opusPacketSamples(Buffer.from([0x78]))).to.equal(960); // Hybrid FB 20 ms (config 15)
    expect(opusPacketSamples(Buffer.from([0x03]))).to.equal(0); // code 3 without count byte
    expect(opusPacketSamples(Buffer.from([0x1b, 0x03]))).to.equal(0); // 3 x 60 ms > 120 ms
  });
});

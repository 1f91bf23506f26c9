import { expect } from 'chai';
import { IvfReader, OggOpusReader } from '@rivulet/rtp';
import { TrackWriter, ivfFileHeader, keyframeSize, oggCrc, type ReceivedFrame } from '@rivulet/media';

function frame(codec: string, data: Buffer, timestamp: number, keyframe: boolean): ReceivedFrame {
  return { data, timestamp, rtpTimestamp: 0, keyframe, codec, clockRate: codec.startsWith('audio') ? 48000 : 90000, payloadType: 96, ssrc: 1 };
}

describe('recording containers (IVF, Ogg Opus) read back by @rivulet/rtp readers', () => {
  it('Ogg CRC-32 (RFC 3533 §6: poly 0x04c11db7, unreflected): known value for "123456789"', () => {
    // CRC-32/MPEG-2 differs only in its 0xffffffff initial value; with init 0 (Ogg) the check value is 0x89a1897f.
    expect(oggCrc(Buffer.from('123456789', 'ascii'))).to.equal(0x89a1897f);
  });

  it('Opus: OpusHead, OpusTags and one page per packet, CRC-valid, granules = samples so far', () => {
    const w = new TrackWriter('audio');
    // TOC 0xfc: config 31 (CELT FB 20 ms), stereo, code 0 → 960 samples; 0x78: SILK WB 20 ms mono.
    const packets = [Buffer.from([0xfc, 1, 2, 3]), Buffer.from([0xfc, 4, 5]), Buffer.alloc(600, 0xfc)];
    const out: Buffer[] = [];
    packets.forEach((p, i) => {
      const r = w.push(frame('audio/opus', p, i * 20_000 + 1_000_000, true));
      expect(r).to.be.an('array');
      out.push(...(r as Buffer[]));
    });
    const reader = new OggOpusReader();
    const read = reader.push(Buffer.concat(out));
    expect(reader.counters.toJSON()).to.deep.equal({});
    expect(reader.head).to.deep.include({ channels: 2, preSkip: 0, inputSampleRate: 48000, mappingFamily: 0 });
    expect(read.map((p) => p.data.length)).to.deep.equal([4, 3, 600]); // the 600-byte packet needs lacing 255, 255, 90
    expect(read.map((p) => p.granulePosition)).to.deep.equal([960, 1920, 2880]);
    expect(w.durationUs).to.equal(40_000);
  });

  it('IVF: 1/90000 time base, pts in RTP ticks from the first written frame, VP8 size from the key frame', () => {
    const w = new TrackWriter('video');
    // VP8 key frame header (RFC 6386 §9.1): frame tag (P = 0), start code 9d 01 2a, 14-bit width/height.
    const key = Buffer.from([0x50, 0x02, 0x00, 0x9d, 0x01, 0x2a, 0x40, 0x01, 0xf0, 0x00, 0xaa, 0xbb]);
    const delta = Buffer.from([0x51, 0x00, 0x00, 0xcc]);
    expect(keyframeSize('VP8', key)).to.deep.equal({ width: 320, height: 240 });
    expect(w.push(frame('video/VP8', delta, 0, false))).to.equal('beforeKeyframe');
    const bytes = Buffer.concat([
      ...(w.push(frame('video/VP8', key, 33_333, true)) as Buffer[]),
      ...(w.push(frame('video/VP8', delta, 66_667, false)) as Buffer[]),
      ...(w.push(frame('video/VP8', delta, 1_033_333, false)) as Buffer[]),
    ]);
    expect(w.push(frame('video/H264', delta, 1_066_667, false))).to.equal('codecChanged');
    const r = new IvfReader();
    const frames = r.push(bytes);
    expect(r.header).to.deep.include({ fourcc: 'VP80', width: 320, height: 240, timebaseDenominator: 90000, timebaseNumerator: 1 });
    expect(frames.map((f) => f.pts)).to.deep.equal([0, 3000, 90000]);
    expect(frames[0]!.data.equals(key)).to.equal(true);
    expect({ frames: w.frames, keyframes: w.keyframes, durationUs: w.durationUs }).to.deep.equal({ frames: 3, keyframes: 1, durationUs: 1_000_000 });
    expect(() => ivfFileHeader('vp8', 0, 0)).to.throw(RangeError, "fourcc must be 4 characters like 'VP80', got 'vp8'");
  });

  it('unsupported codecs are refused before anything is written', () => {
    expect(new TrackWriter('video').push(frame('video/H265', Buffer.alloc(4), 0, true))).to.equal('unsupportedCodec');
    expect(new TrackWriter('audio').push(frame('audio/PCMU', Buffer.alloc(4), 0, true))).to.equal('unsupportedCodec');
  });
});

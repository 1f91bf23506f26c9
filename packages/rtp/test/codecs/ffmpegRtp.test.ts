import { expect } from 'chai';
import { H264AccessUnitSplitter } from '../../src/codecs/containers/annexB.js';
import { IvfReader } from '../../src/codecs/containers/ivf.js';
import { OggOpusReader } from '../../src/codecs/containers/ogg.js';
import { joinAnnexB } from '../../src/codecs/h264Nal.js';
import { createDepayloader } from '../../src/codecs/registry.js';
import { G711Framer } from '../../src/codecs/g711.js';
import { isVp8KeyframeData } from '../../src/codecs/vp8.js';
import { parseVp9FrameHeader } from '../../src/codecs/vp9.js';
import { runJitter } from '../fixtures/harness.js';
import { requireFfmpeg, requireMediaFile, type MediaKind } from '../fixtures/media.js';
import { ffmpegRtpPackets } from '../fixtures/rtpReceiver.js';
import { sendToFfmpeg } from '../fixtures/rtpSender.js';
import { createPayloader } from '../../src/codecs/registry.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Interop with a payloader we did not write: ffmpeg's RTP muxer sends the
 * file's frames over 127.0.0.1; our jitter buffer and depayloader must give
 * back exactly the frames in the file. (ffmpeg has no AV1 RTP muxer.)
 */
interface Expect {
  data: Buffer;
  keyframe: boolean;
}

const SOURCES: Record<Exclude<MediaKind, 'av1'>, (file: Buffer) => Expect[]> = {
  vp8: (file) => new IvfReader().push(file).map((f) => ({ data: f.data, keyframe: isVp8KeyframeData(f.data) })),
  vp9: (file) => new IvfReader().push(file).map((f) => ({ data: f.data, keyframe: parseVp9FrameHeader(f.data)?.keyframe === true })),
  h264: (file) => {
    const s = new H264AccessUnitSplitter();
    return [...s.push(file), ...s.flush()].map((au) => ({ data: joinAnnexB(au.nalUnits), keyframe: au.keyframe }));
  },
  opus: (file) => new OggOpusReader().push(file).map((p) => ({ data: p.data, keyframe: true })),
  // Raw 8 kHz µ-law cut into 20 ms frames.
  pcmu: (file) => new G711Framer().push(file).map((f) => ({ data: Buffer.from(f.samples), keyframe: true })),
};

describe('codecs: depayloading what ffmpeg\'s RTP muxer sends (real peer)', function () {
  this.timeout(30_000);

  it('pcmu: the whole sample stream comes back byte-exact', async function () {
    const ffmpeg = requireFfmpeg(this);
    const { data, path } = requireMediaFile(this, 'pcmu');
    const packets = await ffmpegRtpPackets(ffmpeg, path, [], ['-f', 'mulaw', '-ar', '8000', '-ac', '1']);
    expect(packets.every((p) => p.payloadType === 0)).to.equal(true); // static PT 0 (RFC 3551)
    const out = runJitter(createDepayloader('pcmu'), packets, { initialDelayMs: 0 });
    expect(out.losses).to.deep.equal([]);
    expect(Buffer.concat(out.frames.map((f) => f.data)).equals(data)).to.equal(true);
  });

  for (const kind of ['vp8', 'vp9', 'h264', 'opus'] as const) {
    it(`${kind}: every frame of the file comes back byte-exact`, async function () {
      const ffmpeg = requireFfmpeg(this);
      const { data, path } = requireMediaFile(this, kind);
      const expected = SOURCES[kind](data);
      const packets = await ffmpegRtpPackets(ffmpeg, path, kind === 'vp9' ? ['-strict', 'experimental'] : []);
      expect(packets.length).to.be.at.least(expected.length);
      const out = runJitter(createDepayloader(kind), packets, { initialDelayMs: 0 });
      expect(out.losses).to.deep.equal([]);
      expect(out.frames.length).to.equal(expected.length);
      out.frames.forEach((f, i) => {
        expect(f.data.equals(expected[i]!.data), `frame ${i}`).to.equal(true);
        expect(f.keyframe, `frame ${i} keyframe`).to.equal(expected[i]!.keyframe);
      });
    });
  }
});

const TARGETS = {
  vp8: { rtpmap: 'VP8/90000', fmtp: undefined, media: 'video', format: 'ivf', step: 3000 },
  vp9: { rtpmap: 'VP9/90000', fmtp: undefined, media: 'video', format: 'ivf', step: 3000 },
  h264: { rtpmap: 'H264/90000', fmtp: 'packetization-mode=1', media: 'video', format: 'h264', step: 3000 },
  opus: { rtpmap: 'opus/48000/2', fmtp: undefined, media: 'audio', format: 'ogg', step: 960 },
  pcmu: { rtpmap: 'PCMU/8000', fmtp: undefined, media: 'audio', format: 'mulaw', step: 160 },
} as const;

describe('codecs: ffmpeg\'s RTP demuxer reads what our payloaders send (real peer)', function () {
  this.timeout(30_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'rivulet-rtp-out-'));
  });

  for (const kind of ['vp8', 'vp9', 'h264', 'opus', 'pcmu'] as const) {
    it(`${kind}: ffmpeg rebuilds every frame byte-exact`, async function () {
      const ffmpeg = requireFfmpeg(this);
      const { data } = requireMediaFile(this, kind);
      const source = SOURCES[kind](data);
      const payloader = createPayloader(kind, { maxPayloadSize: 1000 });
      const t = TARGETS[kind];
      const file = await sendToFfmpeg({
        ffmpeg,
        dir,
        rtpmap: t.rtpmap,
        fmtp: t.fmtp,
        media: t.media,
        format: t.format,
        // ffmpeg's VP9 RTP demuxer never flags keyframes, and stream copy skips until one: copy them all.
        outputArgs: kind === 'vp9' ? ['-copyinkf'] : [],
        frames: source.map((f, i) => ({ payloads: payloader.payload(f.data), timestamp: 1000 + i * t.step })),
      });
      if (kind === 'pcmu') {
        expect(file.equals(Buffer.concat(source.map((f) => f.data)))).to.equal(true);
        return;
      }
      const received = SOURCES[kind](file);
      expect(received.length).to.equal(source.length);
      received.forEach((f, i) => expect(f.data.equals(source[i]!.data), `frame ${i}`).to.equal(true));
    });
  }
});

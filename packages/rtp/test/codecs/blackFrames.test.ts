/**
 * Black frames decoded by a decoder we did not write (ffmpeg's libavcodec): every pixel of
 * every decoded picture must be exactly Y=luma, U=V=128, at several sizes including ones that
 * are not multiples of 16.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { vp8BlackInterframe, vp8BlackKeyframe, vp8KeyframeSize } from '../../src/codecs/vp8/blackFrame.js';
import { H264BlackFrames } from '../../src/codecs/h264/blackFrame.js';
import { isVp8KeyframeData } from '../../src/codecs/vp8.js';
import { h264NalType, splitAnnexB } from '../../src/codecs/h264Nal.js';
import { h264AccessUnitSize, h264SpsSize } from '../../src/codecs/h264/spsSize.js';
import { requireFfmpeg } from '../fixtures/media.js';

/** An IVF file (the container ffmpeg's ivf demuxer reads) holding the given VP8 frames. */
function ivf(width: number, height: number, frames: Buffer[]): Buffer {
  const head = Buffer.alloc(32);
  head.write('DKIF', 0, 'ascii');
  head.writeUInt16LE(32, 6);
  head.write('VP80', 8, 'ascii');
  head.writeUInt16LE(width, 12);
  head.writeUInt16LE(height, 14);
  head.writeUInt32LE(30, 16);
  head.writeUInt32LE(1, 20);
  head.writeUInt32LE(frames.length, 24);
  const parts: Buffer[] = [head];
  frames.forEach((f, i) => {
    const fh = Buffer.alloc(12);
    fh.writeUInt32LE(f.length, 0);
    fh.writeUInt32LE(i, 4);
    parts.push(fh, f);
  });
  return Buffer.concat(parts);
}

/** Decodes with ffmpeg to raw yuv420p; the frame geometry is ffmpeg's, reported on stderr. */
function decode(ffmpeg: string, format: 'ivf' | 'h264', input: Buffer): { raw: Buffer; width: number; height: number; stderr: string } {
  const r = spawnSync(ffmpeg, ['-hide_banner', '-nostats', '-loglevel', 'info', '-f', format, '-i', '-', '-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-'], {
    input, maxBuffer: 256 * 1024 * 1024, timeout: 20_000,
  });
  const stderr = r.stderr.toString();
  if (r.status !== 0) throw new Error(`ffmpeg failed (${r.status}): ${stderr}`);
  // "Stream #0:0: Video: rawvideo (I420 / 0x30323449), yuv420p, 640x480, ..." on the output side.
  const out = stderr.slice(stderr.indexOf('Output #0'));
  const m = /Video: rawvideo.*?, (\d+)x(\d+)/.exec(out);
  if (!m) throw new Error(`no output geometry in ffmpeg's log: ${stderr}`);
  return { raw: r.stdout, width: Number(m[1]), height: Number(m[2]), stderr };
}

/** Histogram per plane over all frames: { Y: { value: count }, U: ..., V: ... }. */
function planeValues(raw: Buffer, width: number, height: number): { frames: number; Y: Record<number, number>; U: Record<number, number>; V: Record<number, number> } {
  const ySize = width * height;
  const cSize = Math.ceil(width / 2) * Math.ceil(height / 2);
  const frameSize = ySize + 2 * cSize;
  const res = { frames: raw.length / frameSize, Y: {} as Record<number, number>, U: {} as Record<number, number>, V: {} as Record<number, number> };
  for (let i = 0; i < raw.length; i++) {
    const o = i % frameSize;
    const plane = o < ySize ? res.Y : o < ySize + cSize ? res.U : res.V;
    plane[raw[i]!] = (plane[raw[i]!] ?? 0) + 1;
  }
  return res;
}

/** Log lines that report a decoding problem (concealment, missing references, bad NALs). */
const decodeErrors = (stderr: string) => stderr.split('\n').filter((l) => /error|invalid|concealing|missing|corrupt|non-existing/i.test(l));

describe('codecs: VP8 black key frame (RFC 6386), decoded by ffmpeg', function () {
  this.timeout(60_000);

  for (const [w, h] of [[640, 480], [1280, 720], [321, 241], [1, 1], [17, 33]] as const) {
    it(`${w}x${h}: every pixel Y=0, U=V=128 in both of two frames`, function () {
      const ffmpeg = requireFfmpeg(this);
      const frame = vp8BlackKeyframe(w, h);
      const { raw, width, height, stderr } = decode(ffmpeg, 'ivf', ivf(w, h, [frame, frame]));
      expect(decodeErrors(stderr)).to.deep.equal([]);
      expect([width, height]).to.deep.equal([w, h]);
      const cw = Math.ceil(w / 2) * Math.ceil(h / 2);
      expect(planeValues(raw, w, h)).to.deep.equal({ frames: 2, Y: { 0: 2 * w * h }, U: { 128: 2 * cw }, V: { 128: 2 * cw } });
    });
  }

  it('luma 16 (limited-range black) decodes to exactly Y=16 at 321x241', function () {
    const ffmpeg = requireFfmpeg(this);
    const { raw } = decode(ffmpeg, 'ivf', ivf(321, 241, [vp8BlackKeyframe(321, 241, { luma: 16 })]));
    expect(planeValues(raw, 321, 241)).to.deep.equal({ frames: 1, Y: { 16: 321 * 241 }, U: { 128: 161 * 121 }, V: { 128: 161 * 121 } });
  });

  it('is a key frame whose header carries its size; it is cached per size and small', () => {
    const f = vp8BlackKeyframe(1280, 720);
    expect(isVp8KeyframeData(f)).to.equal(true);
    expect(vp8KeyframeSize(f)).to.deep.equal({ width: 1280, height: 720 });
    expect(vp8BlackKeyframe(1280, 720)).to.equal(f);
    expect(vp8BlackKeyframe(1280, 720, { luma: 16 })).to.not.equal(f);
    // 3,600 macroblocks at ~3.5 bits of modes each, plus the 1,056 probability-update flags.
    expect(f.length).to.be.within(1000, 2500);
  });

  it('vp8KeyframeSize rejects delta frames, bad start codes and truncation', () => {
    const f = Buffer.from(vp8BlackKeyframe(320, 240));
    expect(vp8KeyframeSize(f.subarray(0, 9))).to.equal(undefined);
    expect(vp8KeyframeSize(Buffer.concat([Buffer.from([f[0]! | 1]), f.subarray(1)]))).to.equal(undefined);
    const bad = Buffer.from(f);
    bad[4] = 0x02;
    expect(vp8KeyframeSize(bad)).to.equal(undefined);
  });

  for (const [w, h] of [[321, 241], [1280, 720]] as const) {
    it(`${w}x${h}: the black key frame then three all-skip inter frames decode to four black pictures`, function () {
      const ffmpeg = requireFfmpeg(this);
      const i = vp8BlackInterframe(w, h);
      const { raw, stderr } = decode(ffmpeg, 'ivf', ivf(w, h, [vp8BlackKeyframe(w, h), i, i, i]));
      expect(decodeErrors(stderr)).to.deep.equal([]);
      const cw = Math.ceil(w / 2) * Math.ceil(h / 2);
      expect(planeValues(raw, w, h)).to.deep.equal({ frames: 4, Y: { 0: 4 * w * h }, U: { 128: 4 * cw }, V: { 128: 4 * cw } });
    });
  }

  for (const [w, h] of [[320, 240], [1280, 720], [330, 250]] as const) {
    it(`${w}x${h}: after a libvpx key frame of the test pattern, each inter frame repeats it pixel for pixel`, function () {
      const ffmpeg = requireFfmpeg(this);
      // A real encoder's detailed picture: a wrong mode, reference or vector would change pixels.
      const enc = spawnSync(ffmpeg, ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', `testsrc2=size=${w}x${h}:rate=30`, '-frames:v', '1', '-c:v', 'libvpx', '-f', 'ivf', '-'], { maxBuffer: 64 * 1024 * 1024, timeout: 20_000 });
      if (enc.status !== 0 && /libvpx|Unknown encoder/.test(enc.stderr.toString())) {
        if (process.env.CI === 'true') throw new Error(`required under CI: ffmpeg with libvpx (Debian package 'ffmpeg'): ${enc.stderr}`);
        console.log(`      skipped: ffmpeg has no libvpx: install the Debian package 'ffmpeg' (apt-get install ffmpeg)`);
        this.skip();
      }
      expect(enc.status, enc.stderr.toString()).to.equal(0);
      const key = enc.stdout.subarray(44, 44 + enc.stdout.readUInt32LE(32));
      expect(vp8KeyframeSize(key)).to.deep.equal({ width: w, height: h });
      const i = vp8BlackInterframe(w, h);
      const { raw, stderr } = decode(ffmpeg, 'ivf', ivf(w, h, [key, i, i, i]));
      expect(decodeErrors(stderr)).to.deep.equal([]);
      const size = w * h + 2 * Math.ceil(w / 2) * Math.ceil(h / 2);
      expect(raw.length).to.equal(4 * size);
      const first = raw.subarray(0, size);
      expect(new Set(first).size, 'the pattern has many sample values').to.be.greaterThan(100);
      expect([1, 2, 3].map((k) => raw.subarray(k * size, (k + 1) * size).equals(first))).to.deep.equal([true, true, true]);
    });
  }

  it('inter frames are a few bytes per 1,000 macroblocks, cached per size, and not key frames', () => {
    const i = vp8BlackInterframe(1280, 720);
    expect(isVp8KeyframeData(i)).to.equal(false);
    expect(vp8BlackInterframe(1280, 720)).to.equal(i);
    expect(i.length).to.be.within(50, 200); // 3,600 macroblocks at ~0.2 bits each
    expect(() => vp8BlackInterframe(0, 1)).to.throw(/width 0/);
  });

  it('rejects sizes and luma it cannot write, naming the value', () => {
    expect(() => vp8BlackKeyframe(0, 10)).to.throw(/width 0/);
    expect(() => vp8BlackKeyframe(10, 16384)).to.throw(/height 16384/);
    expect(() => vp8BlackKeyframe(10.5, 10)).to.throw(/width 10.5/);
    expect(() => vp8BlackKeyframe(10, 10, { luma: 200 })).to.throw(/luma 200/);
  });
});

describe('codecs: H.264 black IDR + P_Skip pictures (ITU-T H.264), decoded by ffmpeg', function () {
  this.timeout(60_000);

  const cases = [
    { w: 640, h: 480, pli: '42e01f' },
    { w: 1280, h: 720, pli: '42e01f' },
    { w: 321, h: 241, pli: '42001f' }, // odd sizes round up to even: 322x242
    { w: 1920, h: 1080, pli: '4d0032' },
    { w: 176, h: 144, pli: '640c1f' },
  ];
  for (const { w, h, pli } of cases) {
    it(`${w}x${h} ${pli}: IDR then 19 P_Skip pictures (frame_num wraps at 16), all exactly black`, function () {
      const ffmpeg = requireFfmpeg(this);
      const gen = new H264BlackFrames({ width: w, height: h, profileLevelId: pli });
      const pics = Array.from({ length: 20 }, () => gen.next());
      expect(pics.map((p) => p.keyframe)).to.deep.equal([true, ...new Array<boolean>(19).fill(false)]);
      expect(splitAnnexB(pics[0]!.data).map(h264NalType)).to.deep.equal([7, 8, 5]);
      expect(splitAnnexB(pics[1]!.data).map((n) => [h264NalType(n), n[0]! >> 5])).to.deep.equal([[1, 2]]);
      const { raw, width, height, stderr } = decode(ffmpeg, 'h264', Buffer.concat(pics.map((p) => p.data)));
      expect(decodeErrors(stderr)).to.deep.equal([]);
      const W = w + (w & 1);
      const H = h + (h & 1);
      expect([width, height]).to.deep.equal([W, H]);
      const c = (W / 2) * (H / 2);
      expect(planeValues(raw, W, H)).to.deep.equal({ frames: 20, Y: { 0: 20 * W * H }, U: { 128: 20 * c }, V: { 128: 20 * c } });
    });
  }

  it('luma 16, and reset() starts again with an IDR of another idr_pic_id; all decode black', function () {
    const ffmpeg = requireFfmpeg(this);
    const gen = new H264BlackFrames({ width: 320, height: 240, luma: 16 });
    const a = gen.next();
    const p = gen.next();
    gen.reset();
    const b = gen.next();
    expect(b.keyframe).to.equal(true);
    expect(b.data.equals(a.data)).to.equal(false);
    const { raw, stderr } = decode(ffmpeg, 'h264', Buffer.concat([a.data, p.data, b.data, gen.next().data]));
    expect(decodeErrors(stderr)).to.deep.equal([]);
    expect(planeValues(raw, 320, 240)).to.deep.equal({ frames: 4, Y: { 16: 4 * 320 * 240 }, U: { 128: 4 * 160 * 120 }, V: { 128: 4 * 160 * 120 } });
  });

  it('P pictures are a few bytes; the IDR is ~1 byte per macroblock plus one I_PCM macroblock', () => {
    const gen = new H264BlackFrames({ width: 1280, height: 720 });
    const idr = gen.next().data.length;
    expect(idr).to.be.within(3600 + 384, 3600 + 384 + 200);
    expect(gen.next().data.length).to.be.below(16);
  });

  it('rejects bad sizes, profile-level-ids and luma, naming the value', () => {
    expect(() => new H264BlackFrames({ width: 0, height: 10 })).to.throw(/width 0/);
    expect(() => new H264BlackFrames({ width: 10, height: 9000 })).to.throw(/height 9000/);
    expect(() => new H264BlackFrames({ width: 10, height: 10, profileLevelId: '42e0' })).to.throw(/'42e0'/);
    expect(() => new H264BlackFrames({ width: 10, height: 10, luma: 256 })).to.throw(/luma 256/);
  });
});

describe('codecs: H.264 SPS picture size (ITU-T H.264 §7.3.2.1.1, §7.4.2.1.1)', function () {
  this.timeout(60_000);

  it('reads back the cropped size of our own black IDRs', () => {
    for (const [w, h, pli] of [[640, 480, '42e01f'], [1280, 720, '640028'], [321, 241, '4d001f'], [16, 16, '42e00a']] as const) {
      const idr = new H264BlackFrames({ width: w, height: h, profileLevelId: pli }).next().data;
      expect(h264AccessUnitSize(idr), `${w}x${h}`).to.deep.equal({ width: w + (w & 1), height: h + (h & 1) });
    }
  });

  for (const [size, profile] of [['1280x720', 'high'], ['322x242', 'baseline'], ['176x144', 'main']] as const) {
    it(`reads ${size} from libx264's ${profile}-profile SPS (a real encoder's, with cropping and VUI)`, function () {
      const ffmpeg = requireFfmpeg(this);
      const r = spawnSync(ffmpeg, ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=30`, '-frames:v', '1',
        '-c:v', 'libx264', '-profile:v', profile, '-pix_fmt', 'yuv420p', '-f', 'h264', '-'], { maxBuffer: 64 * 1024 * 1024, timeout: 20_000 });
      if (r.status !== 0 && /Unknown encoder|libx264/.test(r.stderr.toString())) {
        if (process.env.CI === 'true') throw new Error(`required under CI: ffmpeg with libx264 (Debian package 'ffmpeg'): ${r.stderr}`);
        console.log(`      skipped: ffmpeg has no libx264: install the Debian package 'ffmpeg' (apt-get install ffmpeg)`);
        this.skip();
      }
      expect(r.status, r.stderr.toString()).to.equal(0);
      const [w, h] = size.split('x').map(Number);
      expect(h264AccessUnitSize(r.stdout)).to.deep.equal({ width: w, height: h });
    });
  }

  it('returns undefined for truncated or non-SPS input instead of throwing', () => {
    const idr = new H264BlackFrames({ width: 640, height: 480 }).next().data;
    const sps = splitAnnexB(idr)[0]!;
    for (let n = 0; n < sps.length - 1; n++) {
      const got = h264SpsSize(sps.subarray(0, n));
      // A prefix either fails to parse or (when only trailing bits are cut) still gives 640x480.
      if (got !== undefined) expect(got).to.deep.equal({ width: 640, height: 480 });
    }
    expect(h264SpsSize(sps.subarray(0, 5))).to.equal(undefined);
    expect(h264SpsSize(splitAnnexB(idr)[1]!)).to.equal(undefined); // a PPS
    expect(h264AccessUnitSize(Buffer.from([0, 0, 0, 1, 0x41, 0x9a]))).to.equal(undefined); // a slice, no SPS
  });
});

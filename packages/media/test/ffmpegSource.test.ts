import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { FfmpegSource, type EncodedFrame } from '@rivulet/media';
import { ffmpegOrSkip } from './support/tools.js';

async function collect(source: FfmpegSource, until: (frames: EncodedFrame[]) => boolean, maxMs: number): Promise<EncodedFrame[]> {
  const frames: EncodedFrame[] = [];
  source.on('frame', (f) => frames.push(f));
  source.start();
  const t0 = Date.now();
  while (!until(frames) && Date.now() - t0 < maxMs) await new Promise((r) => setTimeout(r, 50));
  await source.stop();
  return frames;
}

describe('FfmpegSource (real ffmpeg)', function () {
  this.timeout(30_000);

  it('test pattern → H.264 access units (keyframe first, SPS+PPS+IDR) and Opus packets with 20 ms timing', async function () {
    ffmpegOrSkip(this);
    const source = new FfmpegSource({
      input: { type: 'test-pattern', width: 320, height: 240, frameRate: 30 },
      video: { codec: 'H264', frameRate: 30, keyframeInterval: 30 },
      audio: { codec: 'opus' },
    });
    const frames = await collect(source, (f) => f.filter((x) => x.kind === 'video').length >= 40, 10_000);
    const video = frames.filter((f) => f.kind === 'video');
    const audio = frames.filter((f) => f.kind === 'audio');
    expect(video.length).to.be.at.least(40);
    expect(video[0]!.keyframe).to.equal(true);
    // SPS (7), PPS (8) and IDR (5) in the first access unit, in Annex B with 4-byte start codes.
    const types: number[] = [];
    for (let i = 0; i + 4 < video[0]!.data.length; i++) {
      if (video[0]!.data.readUInt32BE(i) === 1) types.push(video[0]!.data[i + 4]! & 0x1f);
    }
    expect(types).to.include.members([7, 8, 5]);
    expect(types).to.not.include(9); // access unit delimiters stripped
    // keyint 30: the 31st frame is the next keyframe, the ones between are not.
    expect(video.slice(1, 30).every((f) => !f.keyframe)).to.equal(true);
    expect(video[30]!.keyframe).to.equal(true);
    expect(video[1]!.timestampUs - video[0]!.timestampUs).to.be.closeTo(33_333.3, 1);
    expect(audio.length).to.be.greaterThan(10);
    expect(audio[1]!.timestampUs - audio[0]!.timestampUs).to.equal(20_000);
  });

  it('test pattern → VP8 frames from IVF with keyframe flags and pts timing', async function () {
    ffmpegOrSkip(this);
    const source = new FfmpegSource({
      input: { type: 'test-pattern', width: 320, height: 240, frameRate: 30 },
      video: { codec: 'VP8', frameRate: 30, keyframeInterval: 15 },
    });
    const frames = await collect(source, (f) => f.length >= 20, 10_000);
    expect(frames.length).to.be.at.least(20);
    expect(frames[0]!.keyframe).to.equal(true);
    expect(frames[1]!.keyframe).to.equal(false);
    expect(frames[15]!.keyframe).to.equal(true);
    expect(frames[2]!.timestampUs - frames[1]!.timestampUs).to.be.closeTo(33_333.3, 1);
  });

  it('file input with H.264 passthrough (no transcoding) keeps the encoder bytes', async function () {
    const ffmpeg = ffmpegOrSkip(this);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'rivulet-media-'));
    try {
      const file = path.join(dir, 'clip.mp4');
      const r = spawnSync(ffmpeg, [
        '-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=160x120:rate=25', '-t', '1',
        '-c:v', 'libx264', '-g', '10', '-bf', '0', '-pix_fmt', 'yuv420p', file,
      ]);
      expect(r.status, String(r.stderr)).to.equal(0);
      const source = new FfmpegSource({ input: { type: 'file', path: file, realtime: false }, video: { codec: 'H264', passthrough: true } });
      const ended = new Promise<Error | undefined>((resolve) => source.once('ended', resolve));
      const frames: EncodedFrame[] = [];
      source.on('frame', (f) => frames.push(f));
      source.start();
      expect(await ended).to.equal(undefined);
      expect(frames.length).to.equal(25);
      expect(frames.filter((f) => f.keyframe).length).to.equal(3);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports a missing file through ended(error) with ffmpeg\'s own words', async function () {
    ffmpegOrSkip(this);
    const source = new FfmpegSource({ input: { type: 'file', path: '/nonexistent/clip.mp4' }, video: { codec: 'H264' } });
    const ended = new Promise<Error | undefined>((resolve) => source.once('ended', resolve));
    source.start();
    const error = await ended;
    expect(error).to.be.instanceOf(Error);
    expect(error!.message).to.match(/No such file/);
  });

  it('rejects nonsense options with a clear error', () => {
    expect(() => new FfmpegSource({ input: { type: 'test-pattern' } })).to.throw(TypeError, /at least one of video or audio/);
    const bad = new FfmpegSource({ input: { type: 'test-pattern', frameRate: -1 }, video: { codec: 'VP8' } });
    expect(() => bad.start()).to.throw(TypeError, /frameRate must be a positive number/);
    const rtsp = new FfmpegSource({ input: { type: 'rtsp', url: 'http://cam' }, video: { codec: 'H264' } });
    expect(() => rtsp.start()).to.throw(TypeError, /rtsp:\/\//);
  });
});

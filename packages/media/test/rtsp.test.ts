import { expect } from 'chai';
import type { ChildProcess } from 'node:child_process';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FfmpegSource, type EncodedFrame, type RtspInput } from '@rivulet/media';
import { splitAnnexB } from '@rivulet/rtp';
import { ffmpegOrSkip } from './support/tools.js';
import {
  freeTcpPort,
  killChild,
  rtspServerOrSkip,
  spawnLogged,
  startRtspServerPerl,
  waitForDescribe,
  type RtspServerPerl,
} from './support/rtspServer.js';

/**
 * The RTSP camera path against a real RTSP server we did not write
 * (rtsp-server-perl), fed by a real encoder (ffmpeg publishing with
 * ANNOUNCE/RECORD, RFC 2326 §10.3/§10.11), read the way a Rivulet app reads an
 * IP camera: FfmpegSource { type: 'rtsp' } with H.264 passthrough.
 *
 * The "camera" loops a 2 s clip (25 fps, one IDR every 25 frames) so what
 * arrives can be compared byte for byte with what the encoder produced.
 */
const FPS = 25;
const GOP = 25;
const CLIP_FRAMES = 50;

interface Timed {
  at: number;
  frame: EncodedFrame;
}

const nalType = (nal: Buffer): number => nal[0]! & 0x1f;
const nalTypes = (au: Buffer): number[] => splitAnnexB(au).map(nalType);
/** The coded slices (non-IDR 1, IDR 5) of an access unit: the bytes the encoder made for the picture. */
const slices = (au: Buffer): Buffer => Buffer.concat(splitAnnexB(au).filter((n) => nalType(n) === 1 || nalType(n) === 5));

/** Starts `source` and collects its frames until `count` arrived or `maxMs` passed; always stops it. */
async function collect(source: FfmpegSource, count: number, maxMs: number): Promise<{ frames: Timed[]; ended: Error | undefined | 'no' }> {
  const frames: Timed[] = [];
  let ended: Error | undefined | 'no' = 'no';
  const t0 = Date.now();
  source.on('frame', (frame) => frames.push({ at: Date.now() - t0, frame }));
  source.on('ended', (error) => (ended = error));
  source.start();
  while (frames.length < count && ended === 'no' && Date.now() - t0 < maxMs) await new Promise((r) => setTimeout(r, 25));
  await source.stop();
  // Frames keep arriving while ffmpeg shuts down (the splitter flushes): keep the first `count`.
  return { frames: frames.slice(0, count), ended };
}

/** Starts `source` and resolves with what its 'ended' event carried, or rejects after `maxMs`. */
async function endedWithin(source: FfmpegSource, maxMs: number): Promise<{ error: Error | undefined; frames: number; ms: number }> {
  let frames = 0;
  const t0 = Date.now();
  source.on('frame', () => frames++);
  const ended = new Promise<Error | undefined>((resolve) => source.once('ended', resolve));
  source.start();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`FfmpegSource did not end within ${maxMs} ms`)), maxMs);
  });
  try {
    const error = await Promise.race([ended, timeout]);
    return { error, frames, ms: Date.now() - t0 };
  } finally {
    clearTimeout(timer);
    await source.stop();
  }
}

function rtspSource(url: string, transport: RtspInput['transport']): FfmpegSource {
  return new FfmpegSource({ input: { type: 'rtsp', url, transport }, video: { codec: 'H264', passthrough: true, frameRate: FPS } });
}

describe('FfmpegSource ← RTSP camera (rtsp-server-perl + ffmpeg publisher)', function () {
  this.timeout(40_000);
  let dir = '';
  let server: RtspServerPerl | undefined;
  const publishers: { child: ChildProcess; output: () => string }[] = [];
  const reference: EncodedFrame[] = [];

  before(async function () {
    this.timeout(40_000);
    const ffmpeg = ffmpegOrSkip(this);
    const binary = rtspServerOrSkip(this);
    dir = mkdtempSync(path.join(os.tmpdir(), 'rivulet-rtsp-'));
    // MPEG-TS keeps x264's in-band SPS/PPS before every IDR, like most IP cameras send them.
    const ts = path.join(dir, 'camera.ts');
    const enc = spawnSync(ffmpeg, [
      '-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', `testsrc2=size=320x240:rate=${FPS}`, '-t', '2',
      '-c:v', 'libx264', '-preset', 'ultrafast', '-g', String(GOP), '-keyint_min', String(GOP), '-sc_threshold', '0',
      '-bf', '0', '-pix_fmt', 'yuv420p', '-f', 'mpegts', ts,
    ]);
    expect(enc.status, String(enc.stderr)).to.equal(0);
    // The same coded pictures in MP4: SPS/PPS live only in avcC, so over RTSP only in the SDP's sprop-parameter-sets.
    const mp4 = path.join(dir, 'camera.mp4');
    const remux = spawnSync(ffmpeg, ['-hide_banner', '-loglevel', 'error', '-i', ts, '-c', 'copy', mp4]);
    expect(remux.status, String(remux.stderr)).to.equal(0);

    // What the encoder made, read straight from the file.
    const file = new FfmpegSource({ input: { type: 'file', path: ts, realtime: false }, video: { codec: 'H264', passthrough: true, frameRate: FPS } });
    const read = await collect(file, CLIP_FRAMES + 1, 10_000);
    reference.push(...read.frames.map((t) => t.frame));
    expect(reference.length, 'frames in the reference clip').to.equal(CLIP_FRAMES);
    expect(reference.map((f) => f.keyframe).filter(Boolean).length).to.equal(CLIP_FRAMES / GOP);

    server = await startRtspServerPerl(binary);
    for (const [mount, clip] of [['camera', ts], ['sdp-only', mp4]] as const) {
      const pub = spawnLogged(ffmpeg, [
        '-hide_banner', '-nostdin', '-loglevel', 'error', '-re', '-stream_loop', '-1', '-i', clip, '-c', 'copy', '-f', 'rtsp', server.publishUrl(mount),
      ]);
      publishers.push(pub);
      const status = await waitForDescribe(server.playUrl(mount), 200, 10_000);
      expect(status, `DESCRIBE ${mount} after publishing: ${pub.output()} ${server.output()}`).to.equal(200);
    }
  });

  after(async function () {
    await Promise.all(publishers.map((p) => killChild(p.child)));
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** The received frames are the clip's frames, in order, from a keyframe on; returns the clip index of the first. */
  function expectSameSlicesAsClip(frames: Timed[]): number {
    const first = reference.findIndex((r) => slices(r.data).equals(slices(frames[0]!.frame.data)));
    expect(first, 'first received picture found in the clip').to.be.oneOf([0, GOP]);
    for (const [i, t] of frames.entries()) {
      const want = reference[(first + i) % CLIP_FRAMES]!;
      expect(slices(t.frame.data).equals(slices(want.data)), `frame ${i}: slices equal clip frame ${(first + i) % CLIP_FRAMES}`).to.equal(true);
      expect(t.frame.keyframe, `frame ${i} keyframe flag`).to.equal(want.keyframe);
    }
    return first;
  }

  /** Frames per second after ffmpeg's probe burst (the first second's frames arrive together once probing ends). */
  function steadyRate(frames: Timed[]): number {
    const from = frames[30]!;
    const to = frames.at(-1)!;
    return ((frames.length - 1 - 30) * 1000) / (to.at - from.at);
  }

  it('UDP, SPS/PPS in band: keyframe first with SPS+PPS+IDR every 25 frames, bytes equal the encoder output, 25 fps', async function () {
    const { frames, ended } = await collect(rtspSource(server!.playUrl('camera'), 'udp'), 80, 15_000);
    expect(ended, 'source still running when stopped').to.equal('no');
    expect(frames.length, `frames within 15 s; server: ${server!.output()}`).to.equal(80);
    // ffmpeg drops the pictures before the first IDR when copying, so the first frame out decodes on its own.
    expect(frames[0]!.frame.keyframe).to.equal(true);
    const keyIndexes = frames.flatMap((t, i) => (t.frame.keyframe ? [i] : []));
    expect(keyIndexes).to.deep.equal([0, 25, 50, 75]);
    for (const i of keyIndexes) {
      const types = nalTypes(frames[i]!.frame.data);
      // RFC 6184 §8.2.1 / H.264 7.4.1.2.3: parameter sets precede the IDR slice they serve.
      expect(types.slice(0, 2), `frame ${i} NAL types ${types.join(',')}`).to.deep.equal([7, 8]);
      expect(types.at(-1)).to.equal(5);
      expect(types).to.not.include(9); // access unit delimiters stripped
    }
    // The SPS is the encoder's, unchanged.
    const sps = (au: Buffer): Buffer => splitAnnexB(au).find((n) => nalType(n) === 7)!;
    expect(sps(frames[0]!.frame.data).equals(sps(reference[0]!.data))).to.equal(true);
    expectSameSlicesAsClip(frames);
    expect(steadyRate(frames)).to.be.within(18, 32);
    expect(frames[1]!.frame.timestampUs - frames[0]!.frame.timestampUs).to.equal(1e6 / FPS);
  });

  it('UDP, SPS/PPS only in the SDP: every picture arrives unchanged with keyframes every 25 frames', async function () {
    const { frames, ended } = await collect(rtspSource(server!.playUrl('sdp-only'), 'udp'), 60, 15_000);
    expect(ended).to.equal('no');
    expect(frames.length, `frames within 15 s; server: ${server!.output()}`).to.equal(60);
    expect(frames.flatMap((t, i) => (t.frame.keyframe ? [i] : []))).to.deep.equal([0, 25, 50]);
    expectSameSlicesAsClip(frames);
  });

  // Passthrough repeats the stream's extradata before every keyframe (for cameras that signal SPS/PPS only in
  // sprop-parameter-sets, RFC 6184 §8.1). ffmpeg's RTSP publisher also sends them in band, so here they arrive
  // twice and the frame reader must send each once.
  it('UDP, camera publishing from MP4: every keyframe carries exactly one SPS and one PPS ahead of its IDR', async function () {
    const { frames, ended } = await collect(rtspSource(server!.playUrl('sdp-only'), 'udp'), 60, 15_000);
    expect(ended).to.equal('no');
    const keyframes = frames.filter((t) => t.frame.keyframe);
    expect(keyframes.length).to.equal(3);
    for (const k of keyframes) {
      const types = splitAnnexB(k.frame.data).map((n) => n[0]! & 0x1f);
      expect(types.filter((t) => t === 7), 'one SPS').to.have.length(1);
      expect(types.filter((t) => t === 8), 'one PPS').to.have.length(1);
      expect(types.indexOf(7)).to.be.lessThan(types.indexOf(5));
      expect(types.indexOf(8)).to.be.lessThan(types.indexOf(5));
    }
    // Delta frames stay as the camera sent them: no parameter sets added.
    for (const d of frames.filter((t) => !t.frame.keyframe)) {
      expect(splitAnnexB(d.frame.data).some((n) => (n[0]! & 0x1f) === 7)).to.equal(false);
    }
  });

  it('a server that refuses TCP interleaving (SETUP 400) ends the source with that status and no frames', async function () {
    const r = await endedWithin(rtspSource(server!.playUrl('camera'), 'tcp'), 15_000);
    expect(r.error, 'ended with an error').to.be.instanceOf(Error);
    expect(r.error!.message).to.match(/400 Bad Request/);
    expect(r.frames).to.equal(0);
  });

  it('a path nothing is published on ends the source with 404 Not Found', async function () {
    const r = await endedWithin(rtspSource(server!.playUrl('no-such-camera'), 'udp'), 15_000);
    expect(r.error).to.be.instanceOf(Error);
    expect(r.error!.message).to.match(/404 Not Found/);
    expect(r.frames).to.equal(0);
  });

  it('an RTSP URL nobody serves ends the source with "Connection refused" within 10 s', async function () {
    const port = await freeTcpPort();
    const r = await endedWithin(rtspSource(`rtsp://127.0.0.1:${port}/camera`, 'tcp'), 10_000);
    expect(r.error).to.be.instanceOf(Error);
    expect(r.error!.message).to.match(/Connection refused/);
    expect(r.error!.message).to.match(new RegExp(`^RTSP source rtsp://127\\.0\\.0\\.1:${port}/camera ended: ffmpeg exited with \\d+`));
    expect(r.frames).to.equal(0);
  });
});

/**
 * A disabled video track is sent as black frames (mediacapture-streams §4.3.1 "enabled",
 * webrtc-pc §5.2): VP8 key frames, or an H.264 IDR then P_Skip pictures, of the source's size,
 * one at once and then one per second, continuing sequence numbers and RTP timestamps; a
 * receiver's key frame request while disabled gets a black key frame at once; re-enabling stops
 * them and waits for the source's key frame. What arrives is also decoded by ffmpeg.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { FakeClock } from '@rivulet/common';
import { H264BlackFrames, H264Depayloader, RtpPacket, Vp8Depayloader, h264AccessUnitSize, h264NalType, splitAnnexB, vp8BlackInterframe, vp8BlackKeyframe, vp8KeyframeSize } from '@rivulet/rtp';
import { MediaStream, MediaStreamTrackSource, readTrack } from '../src/index.js';
import { BlackVideo, DEFAULT_BLACK_FRAME_RATE, DEFAULT_BLACK_SIZE, profileLevelIdOf, supportsBlackFrames } from '../src/media/disabledVideo.js';
import { createPair, negotiate } from './helpers/peers.js';

/** ffmpeg, or a skip naming the Debian package (a failure under CI=true). */
function requireFfmpeg(ctx: Mocha.Context): string {
  const bin = process.env['RIVULET_FFMPEG'] ?? '/usr/bin/ffmpeg';
  if (existsSync(bin)) return bin;
  const msg = `ffmpeg not found at ${bin}: install the Debian package 'ffmpeg' (apt-get install ffmpeg)`;
  if (process.env['CI'] === 'true') throw new Error(`required under CI: ${msg}`);
  console.log(`      skipped: ${msg}`);
  ctx.skip();
  throw new Error('unreachable');
}

/** Every Y/U/V sample value and its count over all frames ffmpeg decodes from `input`. */
function decodeValues(ffmpeg: string, format: 'ivf' | 'h264', input: Buffer, w: number, h: number): { frames: number; Y: Record<number, number>; U: Record<number, number>; V: Record<number, number> } {
  const r = spawnSync(ffmpeg, ['-hide_banner', '-loglevel', 'error', '-f', format, '-i', '-', '-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-'], { input, maxBuffer: 64 * 1024 * 1024, timeout: 20_000 });
  if (r.status !== 0 || r.stderr.length > 0) throw new Error(`ffmpeg: ${r.status} ${r.stderr.toString()}`);
  const ySize = w * h;
  const cSize = Math.ceil(w / 2) * Math.ceil(h / 2);
  const out = { frames: r.stdout.length / (ySize + 2 * cSize), Y: {} as Record<number, number>, U: {} as Record<number, number>, V: {} as Record<number, number> };
  for (let i = 0; i < r.stdout.length; i++) {
    const o = i % (ySize + 2 * cSize);
    const plane = o < ySize ? out.Y : o < ySize + cSize ? out.U : out.V;
    plane[r.stdout[i]!] = (plane[r.stdout[i]!] ?? 0) + 1;
  }
  return out;
}

function ivf(w: number, h: number, frames: Buffer[]): Buffer {
  const head = Buffer.alloc(32);
  head.write('DKIF', 0, 'ascii');
  head.writeUInt16LE(32, 6);
  head.write('VP80', 8, 'ascii');
  head.writeUInt16LE(w, 12);
  head.writeUInt16LE(h, 14);
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

/** Groups received packets into frames (one RTP timestamp each, in order). */
function frames(packets: RtpPacket[]): RtpPacket[][] {
  const out: RtpPacket[][] = [];
  for (const p of packets) {
    const last = out[out.length - 1];
    if (last && last[0]!.timestamp === p.timestamp) last.push(p);
    else out.push([p]);
  }
  return out;
}

/** A sender of `mimeType` a → b on a FakeClock; what b receives, parsed. */
async function pair(mimeType: 'video/VP8' | 'video/H264', settings?: { width: number; height: number; frameRate?: number }) {
  const clock = new FakeClock();
  const p = createPair({ rivulet: { clock } });
  const source = new MediaStreamTrackSource({ kind: 'video', mimeType, settings });
  const track = source.createTrack();
  const sender = p.a.addTrack(track, new MediaStream());
  const got: RtpPacket[] = [];
  p.b.ontrack = (e) => readTrack(e.track, { rtp: (raw) => got.push(RtpPacket.parse(Buffer.from(raw))) });
  await negotiate(p.a, p.b);
  await clock.runUntil(() => p.a.connectionState === 'connected', { maxMs: 10_000, stepMs: 10 });
  expect(sender.getParameters().codecs[0]!.mimeType.toLowerCase()).to.equal(mimeType.toLowerCase());
  return { ...p, clock, source, track, sender, got };
}

describe('disabled video: BlackVideo (size, codec, key frames)', () => {
  it('supports VP8 and H.264 only; reads profile-level-id from the fmtp line', () => {
    expect(['video/VP8', 'video/h264', 'video/VP9', 'video/AV1', 'audio/opus'].map(supportsBlackFrames)).to.deep.equal([true, true, false, false, false]);
    expect(() => new BlackVideo('video/VP9')).to.throw(/no black frames for video\/VP9/);
    expect(profileLevelIdOf('level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=640C1F')).to.equal('640c1f');
    expect(profileLevelIdOf('packetization-mode=1')).to.equal('42e01f');
    expect(profileLevelIdOf(undefined)).to.equal('42e01f');
  });

  it('size: the last source key frame, else the track settings, else 640x480', () => {
    const b = new BlackVideo('video/VP8');
    expect(b.size()).to.deep.equal(DEFAULT_BLACK_SIZE);
    expect(b.size({ width: 1280, height: 720 })).to.deep.equal({ width: 1280, height: 720 });
    expect(b.size({ width: 0, height: 720 })).to.deep.equal(DEFAULT_BLACK_SIZE);
    b.observe({ data: vp8BlackKeyframe(321, 241, { luma: 90 }), timestamp: 0, keyframe: true });
    expect(b.size({ width: 1280, height: 720 })).to.deep.equal({ width: 321, height: 241 });
    b.observe({ data: new Uint8Array([0x31, 0, 0, 0]), timestamp: 1, keyframe: false }); // a delta frame: ignored
    b.observe({ data: vp8BlackKeyframe(9000, 16, { luma: 90 }), timestamp: 2, keyframe: true }); // wider than 8192: ignored
    expect(vp8KeyframeSize(b.next().data)).to.deep.equal({ width: 321, height: 241 });
  });

  it('VP8: a key frame, then all-skip inter frames of that size; a key frame again on request or a new size', () => {
    const b = new BlackVideo('video/VP8');
    expect(b.next({ width: 320, height: 240 })).to.deep.equal({ data: vp8BlackKeyframe(320, 240), keyframe: true });
    expect(b.next({ width: 320, height: 240 })).to.deep.equal({ data: vp8BlackInterframe(320, 240), keyframe: false });
    b.requestKeyframe();
    expect(b.next({ width: 320, height: 240 }).keyframe).to.equal(true);
    expect(b.next({ width: 320, height: 240 }).keyframe).to.equal(false);
    expect(b.next({ width: 640, height: 360 })).to.deep.equal({ data: vp8BlackKeyframe(640, 360), keyframe: true });
  });

  it('rate: the source\'s measured frame rate, else settings.frameRate, else 30; within 1..60', () => {
    const b = new BlackVideo('video/VP8');
    expect(b.frameRate()).to.equal(DEFAULT_BLACK_FRAME_RATE);
    expect(b.frameRate({ frameRate: 15 })).to.equal(15);
    expect(b.frameRate({ frameRate: 0.2 })).to.equal(1);
    expect(b.frameRate({ frameRate: 240 })).to.equal(60);
    for (let i = 0; i < 10; i++) b.observe({ data: new Uint8Array([0x31, 0, 0, 0]), timestamp: i * 40_000, keyframe: false });
    expect(b.frameRate({ frameRate: 15 })).to.equal(25); // 40 ms apart
    b.observe({ data: new Uint8Array([0x31, 0, 0, 0]), timestamp: 60_000_000, keyframe: false }); // a 59 s gap: ignored
    expect(b.frameRate()).to.equal(25);
  });

  it('H.264: IDR (SPS of the source size and negotiated profile), then P, and an IDR again on request or a new size', () => {
    const b = new BlackVideo('video/H264', 'profile-level-id=4d001f;packetization-mode=1');
    b.observe({ data: new H264BlackFrames({ width: 176, height: 144, luma: 100 }).next().data, timestamp: 0, keyframe: true });
    const types = (d: Buffer) => splitAnnexB(d).map(h264NalType);
    const first = b.next();
    expect(first.keyframe).to.equal(true);
    expect(types(first.data)).to.deep.equal([7, 8, 5]);
    expect(splitAnnexB(first.data)[0]!.subarray(1, 4).toString('hex')).to.equal('4d001f');
    expect(h264AccessUnitSize(first.data)).to.deep.equal({ width: 176, height: 144 });
    expect(types(b.next().data)).to.deep.equal([1]);
    b.requestKeyframe();
    expect(types(b.next().data)).to.deep.equal([7, 8, 5]);
    expect(types(b.next().data)).to.deep.equal([1]);
    b.observe({ data: new H264BlackFrames({ width: 320, height: 240, luma: 100 }).next().data, timestamp: 1, keyframe: true });
    const resized = b.next();
    expect([resized.keyframe, h264AccessUnitSize(resized.data)]).to.deep.equal([true, { width: 320, height: 240 }]);
  });
});

describe('disabled video: the sender sends black frames', function () {
  this.timeout(30_000);

  it('VP8 at the source rate: a black key frame at once, then all-skip inter frames every 100 ms; nothing of the source; PLI → a key frame at once; re-enable → the source again, forward in RTP time', async function () {
    const ffmpeg = requireFfmpeg(this);
    const { clock, source, track, sender, got, close } = await pair('video/VP8');
    const key = vp8BlackKeyframe(320, 240, { luma: 100 }); // the "camera": a grey 320x240 key frame, 10 frames/s
    for (let k = 0; k < 3; k++) source.writeFrame({ data: key, timestamp: 1_000_000 + k * 100_000, keyframe: true });
    await clock.runUntil(() => got.length === 3, { maxMs: 2000, stepMs: 5 });
    track.enabled = false;
    source.writeFrame({ data: key, timestamp: 1_300_000, keyframe: true }); // dropped: disabled
    await clock.runUntil(() => got.length === 4, { maxMs: 50, stepMs: 5 });
    await clock.advanceAsync(310, 10);
    await clock.runUntil(() => got.length === 7, { maxMs: 50, stepMs: 5 });
    let requests = 0;
    source.onKeyframeRequest(() => requests++);
    source.requestKeyframe(); // what a PLI from the receiver does (pc/receive.ts)
    await clock.runUntil(() => got.length === 8, { maxMs: 20, stepMs: 5 });
    expect(requests).to.equal(1);
    const depay = new Vp8Depayloader();
    const fs = frames(got).map((f) => depay.depayload(f)!.data);
    const bk = vp8BlackKeyframe(320, 240);
    const bi = vp8BlackInterframe(320, 240);
    expect(fs.map((f) => (f.equals(key) ? 'grey' : f.equals(bk) ? 'black key' : f.equals(bi) ? 'repeat' : 'other'))).to.deep.equal(
      ['grey', 'grey', 'grey', 'black key', 'repeat', 'repeat', 'repeat', 'black key']);
    for (let k = 1; k < got.length; k++) expect((got[k]!.sequenceNumber - got[k - 1]!.sequenceNumber + 65536) % 65536, `seq step ${k}`).to.equal(1);
    const step = (k: number) => (got[k]!.timestamp - got[k - 1]!.timestamp) >>> 0;
    expect([step(1), step(2)]).to.deep.equal([9000, 9000]);
    expect(step(3)).to.be.within(1, 90_000); // the first black frame follows the last real one
    expect([step(4), step(5), step(6)]).to.deep.equal([9000, 9000, 9000]); // the source's 10 frames/s
    expect(got.every((p) => p.marker)).to.equal(true);
    // Re-enabled: no more black frames; a delta frame waits for the source's key frame.
    track.enabled = true;
    await clock.advanceAsync(500, 10);
    expect(got.length).to.equal(8);
    // The source's clock barely moved (e.g. a paused file): mapped on its own timeline the frame
    // would be behind the last black frame, so it continues after that one instead.
    source.writeFrame({ data: Buffer.from([0x31, 1, 2, 3]), timestamp: 1_350_000, keyframe: false });
    source.writeFrame({ data: key, timestamp: 1_360_000, keyframe: true });
    await clock.runUntil(() => got.length === 9, { maxMs: 500, stepMs: 5 });
    expect(got[8]!.payload.subarray(4).equals(key)).to.equal(true);
    expect((got[8]!.timestamp - got[7]!.timestamp) | 0, 'RTP time moves forward after the black frames').to.be.within(1, 90_000);
    let stats: { framesSent?: number } = {};
    (await sender.getStats()).forEach((x: { type: string; framesSent?: number }) => { if (x.type === 'outbound-rtp') stats = x; });
    expect(stats.framesSent).to.equal(9);
    // What arrived decodes (ffmpeg): grey ×3, black ×5 (key, repeats, key), grey again.
    const dec = decodeValues(ffmpeg, 'ivf', ivf(320, 240, [...fs, key]), 320, 240);
    expect(dec).to.deep.equal({ frames: 9, Y: { 0: 5 * 320 * 240, 100: 4 * 320 * 240 }, U: { 128: 9 * 160 * 120 }, V: { 128: 9 * 160 * 120 } });
    close();
  });

  it('VP8 disabled before any frame: the track settings\' size and frame rate, the first frame at the stream\'s first timestamp', async () => {
    const { clock, track, got, close } = await pair('video/VP8', { width: 1280, height: 720, frameRate: 5 });
    track.enabled = false;
    await clock.runUntil(() => got.length > 0, { maxMs: 50, stepMs: 5 });
    await clock.advanceAsync(210, 10);
    const fs = frames(got);
    expect(fs.length).to.equal(2);
    const depay = new Vp8Depayloader();
    const data = depay.depayload(fs[0]!)!.data;
    expect(data.equals(vp8BlackKeyframe(1280, 720))).to.equal(true);
    expect(fs[0]!.length).to.equal(Math.ceil(data.length / 1196)); // 1200-byte payloads with a 4-byte descriptor
    expect(depay.depayload(fs[1]!)!.data.equals(vp8BlackInterframe(1280, 720))).to.equal(true);
    expect((fs[1]![0]!.timestamp - fs[0]![0]!.timestamp) >>> 0).to.equal(18_000); // 200 ms at 90 kHz
    close();
  });

  it('H.264: IDR then P_Skip pictures of the source\'s SPS size at its rate; PLI → IDR; ffmpeg decodes them all black', async function () {
    const ffmpeg = requireFfmpeg(this);
    const { clock, source, track, got, close } = await pair('video/H264');
    const idr = new H264BlackFrames({ width: 640, height: 360, luma: 100 }).next().data; // the "camera", 20 frames/s
    source.writeFrame({ data: idr, timestamp: 0, keyframe: true });
    source.writeFrame({ data: idr, timestamp: 50_000, keyframe: true });
    await clock.runUntil(() => frames(got).length === 2, { maxMs: 2000, stepMs: 5 });
    track.enabled = false;
    await clock.runUntil(() => frames(got).length === 3, { maxMs: 50, stepMs: 5 });
    await clock.advanceAsync(110, 10);
    source.requestKeyframe();
    await clock.advanceAsync(60, 10);
    const depay = new H264Depayloader();
    const aus = frames(got).map((f) => depay.depayload(f)!.data);
    const types = aus.map((d) => splitAnnexB(d).map(h264NalType));
    expect(types).to.deep.equal([[7, 8, 5], [7, 8, 5], [7, 8, 5], [1], [1], [7, 8, 5], [1]]);
    expect(aus.slice(2).filter((d) => h264AccessUnitSize(d)).map((d) => h264AccessUnitSize(d))).to.deep.equal([{ width: 640, height: 360 }, { width: 640, height: 360 }]);
    const ts = frames(got).map((f) => f[0]!.timestamp);
    expect([(ts[3]! - ts[2]!) >>> 0, (ts[4]! - ts[3]!) >>> 0]).to.deep.equal([4500, 4500]); // 50 ms at 90 kHz
    const dec = decodeValues(ffmpeg, 'h264', Buffer.concat(aus.slice(2)), 640, 360);
    expect(dec).to.deep.equal({ frames: 5, Y: { 0: 5 * 640 * 360 }, U: { 128: 5 * 320 * 180 }, V: { 128: 5 * 320 * 180 } });
    close();
  });

  it('black frames stop when the track ends, and start again (key frame first) after replaceTrack with a disabled track', async () => {
    const { clock, source, track, sender, got, close } = await pair('video/VP8', { width: 640, height: 480, frameRate: 10 });
    source.writeFrame({ data: vp8BlackKeyframe(320, 240, { luma: 100 }), timestamp: 0, keyframe: true });
    await clock.runUntil(() => got.length === 1, { maxMs: 500, stepMs: 5 });
    track.enabled = false;
    await clock.advanceAsync(150, 10);
    expect(frames(got).length).to.equal(3); // the source's frame, black at 0 and 100 ms
    expect(new Vp8Depayloader().depayload(frames(got)[1]!)!.data.equals(vp8BlackKeyframe(320, 240))).to.equal(true); // its key frame's size
    const other = new MediaStreamTrackSource({ kind: 'video', mimeType: 'video/VP8', settings: { width: 160, height: 120, frameRate: 10 } }).createTrack();
    other.enabled = false;
    await sender.replaceTrack(other);
    await clock.advanceAsync(150, 10);
    const depay = new Vp8Depayloader();
    const fs = frames(got).map((f) => depay.depayload(f)!.data);
    expect(fs.length).to.equal(5);
    expect(fs[3]!.equals(vp8BlackKeyframe(160, 120))).to.equal(true); // the new track's size, a key frame first
    expect(fs[4]!.equals(vp8BlackInterframe(160, 120))).to.equal(true);
    other.stop();
    await clock.advanceAsync(500, 10);
    expect(frames(got).length, 'frames after the track ended').to.equal(5);
    close();
  });

  it('VP9 sends nothing while disabled (no black frames for it)', async () => {
    const clock = new FakeClock();
    const { a, b, close } = createPair({ rivulet: { clock } });
    const source = new MediaStreamTrackSource({ kind: 'video', mimeType: 'video/VP9' });
    const track = source.createTrack();
    const sender = a.addTrack(track, new MediaStream());
    const got: Uint8Array[] = [];
    b.ontrack = (e) => readTrack(e.track, { rtp: (raw) => got.push(raw) });
    await negotiate(a, b);
    await clock.runUntil(() => a.connectionState === 'connected', { maxMs: 10_000, stepMs: 10 });
    expect(sender.getParameters().codecs[0]!.mimeType).to.equal('video/VP9');
    track.enabled = false;
    await clock.advanceAsync(1000, 50);
    expect(got.length).to.equal(0);
    close();
  });
});

import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MediaStreamTrackSource } from '@rivulet/webrtc';
import { Recorder, type NegotiatedCodec } from '@rivulet/media';
import { ffmpegOrSkip } from '../support/tools.js';
import { decodeErrors, encode, packetize, probe } from './support.js';

const CODECS: NegotiatedCodec[] = [
  { payloadType: 96, mimeType: 'video/VP8', clockRate: 90000 },
  { payloadType: 102, mimeType: 'video/H264', clockRate: 90000, sdpFmtpLine: 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f' },
  { payloadType: 111, mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
];
const PT = { VP8: 96, H264: 102, opus: 111 } as const;

/** A track fed with RTP the way a receiver feeds a remote track, and a receiver-like codec list. */
function remoteTrack(kind: 'video' | 'audio') {
  const source = new MediaStreamTrackSource({ kind });
  return { source, recorded: { track: source.createTrack(), receiver: { getParameters: () => ({ codecs: CODECS }) } } };
}

describe('Recorder (our RTP of real ffmpeg-encoded media → ffmpeg -c copy → ffprobe)', function () {
  this.timeout(30_000);
  let ffmpeg: string;
  let ffprobe: string;
  let dir: string;
  before(function () {
    ffmpeg = ffmpegOrSkip(this);
    ffprobe = path.join(path.dirname(ffmpeg), 'ffprobe');
    dir = mkdtempSync(path.join(tmpdir(), 'rivulet-rec-'));
  });
  after(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

  for (const [codec, ext] of [['VP8', 'webm'], ['H264', 'mp4'], ['H264', 'mkv']] as const) {
    it(`${codec} → .${ext}: 60 frames, 320x240, decodable, duration 2 s`, async () => {
      const frames = encode(ffmpeg, codec, 2);
      expect(frames).to.have.length(60);
      const { source, recorded } = remoteTrack('video');
      const file = path.join(dir, `${codec}.${ext}`);
      const rec = new Recorder({ path: file, video: recorded, ffmpegPath: ffmpeg });
      rec.start();
      for (const p of packetize(frames, codec, PT[codec])) source.writeRtp(p);
      const summary = await rec.stop();
      expect(summary.exitCode, summary.diagnostics).to.equal(0);
      expect(summary.video).to.deep.include({ codec: `video/${codec}`, frames: 60, keyframes: 2, durationUs: 1_966_667 });
      const info = probe(ffprobe, file);
      expect(info).to.deep.include({ codec: codec.toLowerCase(), width: 320, height: 240, frames: 60 });
      expect(info.duration).to.be.within(1.96, 2.04);
      expect(decodeErrors(ffmpeg, file)).to.equal('');
    });
  }

  it('starts at a key frame: a stream joined mid-GOP skips the delta frames before the next key frame', async () => {
    const frames = encode(ffmpeg, 'H264', 2).slice(5); // key frames were at 0 and 30 → now at 25
    const { source, recorded } = remoteTrack('video');
    const file = path.join(dir, 'joined.mkv');
    const rec = new Recorder({ path: file, video: recorded, ffmpegPath: ffmpeg });
    const started: string[] = [];
    rec.on('started', (k) => started.push(k));
    rec.start();
    for (const p of packetize(frames, 'H264', PT.H264)) source.writeRtp(p);
    const summary = await rec.stop();
    expect(summary.exitCode, summary.diagnostics).to.equal(0);
    expect(started).to.deep.equal(['video']);
    // The reader drops deltas before its first key frame itself (they cannot decode); none reach the file.
    expect(summary.video).to.deep.include({ frames: 30, keyframes: 1, durationUs: 966_667 });
    expect(probe(ffprobe, file).frames).to.equal(30);
    expect(decodeErrors(ffmpeg, file)).to.equal('');
  });

  it('Opus → .ogg: every packet written, granule positions give the duration', async () => {
    const packets = encode(ffmpeg, 'opus', 2);
    expect(packets.length).to.be.within(100, 102);
    const { source, recorded } = remoteTrack('audio');
    const file = path.join(dir, 'opus.ogg');
    const rec = new Recorder({ path: file, audio: recorded, ffmpegPath: ffmpeg });
    rec.start();
    for (const p of packetize(packets, 'opus', PT.opus)) source.writeRtp(p);
    const summary = await rec.stop();
    expect(summary.exitCode, summary.diagnostics).to.equal(0);
    expect(summary.audio).to.deep.include({ codec: 'audio/opus', frames: packets.length, keyframes: packets.length });
    const info = probe(ffprobe, file);
    expect(info).to.deep.include({ codec: 'opus', frames: packets.length });
    expect(info.duration).to.be.within(packets.length * 0.02 - 0.01, packets.length * 0.02 + 0.01);
    expect(decodeErrors(ffmpeg, file)).to.equal('');
  });

  for (const [codec, ext] of [['VP8', 'webm'], ['H264', 'mp4'], ['H264', 'mkv']] as const) {
    it(`${codec} + Opus → one .${ext} with two streams, each complete`, async () => {
      const video = remoteTrack('video');
      const audio = remoteTrack('audio');
      const file = path.join(dir, `both-${codec}.${ext}`);
      const rec = new Recorder({ path: file, video: video.recorded, audio: audio.recorded, ffmpegPath: ffmpeg });
      rec.start();
      const v = packetize(encode(ffmpeg, codec, 1), codec, PT[codec]);
      const a = packetize(encode(ffmpeg, 'opus', 1), 'opus', PT.opus);
      for (let i = 0; i < Math.max(v.length, a.length); i++) {
        if (v[i]) video.source.writeRtp(v[i]!);
        if (a[i]) audio.source.writeRtp(a[i]!);
      }
      const summary = await rec.stop();
      expect(summary.exitCode, summary.diagnostics).to.equal(0);
      expect(summary.video?.frames).to.equal(30);
      expect(summary.audio?.frames).to.equal(a.length);
      const streams = (JSON.parse(execFileSync(ffprobe, ['-v', 'error', '-count_frames', '-show_entries', 'stream=codec_name,nb_read_frames', '-of', 'json', file]).toString()) as
        { streams: { codec_name: string; nb_read_frames: string }[] }).streams.map((s) => [s.codec_name, Number(s.nb_read_frames)]);
      expect(streams).to.deep.equal([[codec.toLowerCase(), 30], ['opus', a.length]]);
      expect(decodeErrors(ffmpeg, file)).to.equal('');
    });
  }

  it('two tracks starting 400 ms apart are lined up by arrival: the later stream starts 0.4 s in', async () => {
    const video = remoteTrack('video');
    const audio = remoteTrack('audio');
    const file = path.join(dir, 'offset.mkv');
    const a = packetize(encode(ffmpeg, 'opus', 1), 'opus', PT.opus);
    const v = packetize(encode(ffmpeg, 'VP8', 1), 'VP8', PT.VP8);
    const rec = new Recorder({ path: file, video: video.recorded, audio: audio.recorded, ffmpegPath: ffmpeg });
    rec.start();
    for (const p of a) audio.source.writeRtp(p);
    await new Promise((r) => setTimeout(r, 400));
    for (const p of v) video.source.writeRtp(p);
    const summary = await rec.stop();
    expect(summary.exitCode, summary.diagnostics).to.equal(0);
    const starts = (JSON.parse(execFileSync(ffprobe, ['-v', 'error', '-show_entries', 'stream=codec_name,start_time', '-of', 'json', file]).toString()) as
      { streams: { codec_name: string; start_time: string }[] }).streams.map((s) => [s.codec_name, Number(s.start_time)] as const);
    expect(starts.map(([c]) => c)).to.deep.equal(['vp8', 'opus']);
    // Matroska stores milliseconds; the timer may fire late on a loaded machine, never early.
    expect(starts[0]![1] - starts[1]![1]).to.be.within(0.399, 0.6);
  });

  it('two tracks, only one sends: the file holds that one; nothing at all: no file, a message', async () => {
    const video = remoteTrack('video');
    const audio = remoteTrack('audio');
    const file = path.join(dir, 'video-only.webm');
    const rec = new Recorder({ path: file, video: video.recorded, audio: audio.recorded, ffmpegPath: ffmpeg });
    rec.start();
    for (const p of packetize(encode(ffmpeg, 'VP8', 1), 'VP8', PT.VP8)) video.source.writeRtp(p);
    const summary = await rec.stop();
    expect(summary.exitCode, summary.diagnostics).to.equal(0);
    expect(summary.audio).to.deep.include({ codec: undefined, frames: 0 });
    expect(probe(ffprobe, file)).to.deep.include({ codec: 'vp8', frames: 30 });

    const idle = new Recorder({ path: path.join(dir, 'idle.webm'), video: remoteTrack('video').recorded, ffmpegPath: ffmpeg });
    idle.start();
    const nothing = await idle.stop();
    expect(nothing.exitCode).to.equal(null);
    expect(nothing.diagnostics).to.equal('no frame was received: nothing to record (no file written)');
  });

  it('a track whose first frame comes after trackWaitMs is left out (counted); the other is recorded', async () => {
    const video = remoteTrack('video');
    const audio = remoteTrack('audio');
    const file = path.join(dir, 'late-audio.webm');
    const rec = new Recorder({ path: file, video: video.recorded, audio: audio.recorded, ffmpegPath: ffmpeg, trackWaitMs: 50 });
    rec.start();
    for (const p of packetize(encode(ffmpeg, 'VP8', 1), 'VP8', PT.VP8)) video.source.writeRtp(p);
    await new Promise((r) => setTimeout(r, 150));
    const opus = packetize(encode(ffmpeg, 'opus', 0.2), 'opus', PT.opus);
    for (const p of opus) audio.source.writeRtp(p);
    const summary = await rec.stop();
    expect(summary.exitCode, summary.diagnostics).to.equal(0);
    expect(rec.counters.get('framesDroppedLateTrack')).to.equal(opus.length);
    expect(summary.video?.frames).to.equal(30);
    expect(probe(ffprobe, file)).to.deep.include({ codec: 'vp8', frames: 30 });
  });

  it('a codec the container cannot hold without transcoding stops with an error naming it', async () => {
    const { source, recorded } = remoteTrack('video');
    const rec = new Recorder({ path: path.join(dir, 'vp8.mp4'), video: recorded, ffmpegPath: ffmpeg });
    const errors: Error[] = [];
    rec.on('error', (e) => errors.push(e));
    rec.start();
    for (const p of packetize(encode(ffmpeg, 'VP8', 0.1), 'VP8', PT.VP8)) source.writeRtp(p);
    await rec.stop();
    expect(errors.map((e) => e.message)).to.deep.equal([
      'Recorder: video/VP8 cannot be written to .mp4 without transcoding; video there must be one of h264, vp9, av1 (negotiate it with setCodecPreferences, or use .mkv)',
    ]);
    expect(rec.counters.get('framesDroppedUnsupportedCodec')).to.equal(1);
    expect(rec.state).to.equal('stopped');
  });

  it('rejects bad options with messages naming the value; a missing ffmpeg binary is reported by stop()', async () => {
    const v = remoteTrack('video').recorded;
    const a = remoteTrack('audio').recorded;
    expect(() => new Recorder({ path: 'x.avi', video: v })).to.throw(TypeError, "cannot tell the container from 'x.avi'");
    expect(() => new Recorder({ path: 'x.ogg', video: v })).to.throw(TypeError, 'a .ogg file cannot hold video');
    expect(() => new Recorder({ path: 'x.mkv' })).to.throw(TypeError, 'give a video and/or an audio track');
    expect(() => new Recorder({ path: 'x.mkv', video: a })).to.throw(TypeError, "options.video.track must be a video track, got kind 'audio'");
    const fed = remoteTrack('video');
    const rec = new Recorder({ path: path.join(dir, 'never.mkv'), video: fed.recorded, ffmpegPath: '/nonexistent/ffmpeg' });
    rec.start();
    expect(() => rec.start()).to.throw(Error, 'Recorder.start: already recording');
    for (const p of packetize(encode(ffmpeg, 'VP8', 0.1), 'VP8', PT.VP8)) fed.source.writeRtp(p);
    const summary = await rec.stop();
    expect(summary.exitCode).to.equal(null);
    expect(summary.diagnostics).to.equal('spawn failed (/nonexistent/ffmpeg): spawn /nonexistent/ffmpeg ENOENT');
    expect(summary.video).to.deep.include({ codec: 'video/VP8', frames: 3 });
  });
});

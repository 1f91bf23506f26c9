/**
 * Receive side against Chromium: Chromium sends an animated canvas (captureStream) to Rivulet with
 * one codec chosen by setCodecPreferences; Rivulet's EncodedFrameReader rebuilds the frames (a key
 * frame first), ffmpeg decodes every one of them, and the Recorder writes 3 s to a file that
 * ffprobe checks (codec, picture size, frame count, duration) and ffmpeg decodes without error.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EncodedFrameReader, Recorder, ivfFileHeader, ivfFrameHeader, IVF_FOURCC, type ReceivedFrame } from '@rivulet/media';
import type { MediaStreamTrack, RTCRtpReceiver } from '@rivulet/webrtc';
import { CHROMIUM_PATH, launchChromium, type ChromiumSession } from './support/chromium.js';
import { droppingNetwork } from './support/droppingNetwork.js';
import { CHROMIUM_GATHERED, pageOffer } from './support/pageScripts.js';
import { acceptPageOffer, loopbackPeer } from './support/signaling.js';
import { requireFfmpeg, requireTool } from './support/tools.js';
import { until } from './support/wait.js';

/** The page's sender: a 320x240 canvas redrawn every 33 ms, captured at 30 fps, sent with one codec. */
const SENDER = (mimeType: string, fmtp: string) => pageOffer('pc', `
  const canvas = document.createElement('canvas');
  canvas.width = 320; canvas.height = 240;
  document.body.appendChild(canvas);
  const g = canvas.getContext('2d');
  let n = 0;
  window.draw = setInterval(() => {
    n++;
    g.fillStyle = 'hsl(' + (n * 7 % 360) + ', 80%, 50%)';
    g.fillRect(0, 0, 320, 240);
    g.fillStyle = '#fff';
    g.fillRect((n * 5) % 300, (n * 3) % 220, 20, 20);
    g.font = '32px sans-serif';
    g.fillText(String(n), 120, 130);
  }, 33);
  const track = canvas.captureStream(30).getVideoTracks()[0];
  const t = pc.addTransceiver(track, { direction: 'sendonly' });
  const all = RTCRtpSender.getCapabilities('video').codecs;
  const codecs = all.filter((c) => c.mimeType === ${JSON.stringify(mimeType)} && (c.sdpFmtpLine || '') === ${JSON.stringify(fmtp)});
  if (codecs.length !== 1) throw new Error('codec not offered by this Chromium: ' + ${JSON.stringify(mimeType)});
  t.setCodecPreferences([...codecs, ...all.filter((c) => c.mimeType === 'video/rtx')]); // RTX kept: NACK repair as in a real call
`);

const CASES = [
  { codec: 'VP8', fmtp: '', ext: 'webm' },
  { codec: 'H264', fmtp: 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f', ext: 'mp4' },
  { codec: 'VP9', fmtp: 'profile-id=0', ext: 'webm' },
  { codec: 'AV1', fmtp: 'level-idx=5;profile=0;tier=0', ext: 'mkv' },
] as const;

describe('media receive from Chromium: canvas captureStream / fake microphone → EncodedFrameReader → ffmpeg decode; Recorder → ffprobe', function () {
  this.timeout(60_000);
  let chrome: ChromiumSession | undefined;
  let ffmpeg: string;
  let ffprobe: string;
  let dir: string;

  before(async function () {
    requireTool(this, CHROMIUM_PATH, 'chromium');
    ffmpeg = requireFfmpeg(this);
    ffprobe = path.join(path.dirname(ffmpeg), 'ffprobe');
    dir = mkdtempSync(path.join(tmpdir(), 'rivulet-e2e-rec-'));
    chrome = await launchChromium();
  });
  after(async () => {
    await chrome?.close();
    if (dir && !process.env['KEEP']) rmSync(dir, { recursive: true, force: true });
  });

  /**
   * Decodes 320x240 frames with ffmpeg: the same bytes as an IVF file (video, 1/90000 time base)
   * at `name` in the test's directory. Returns ffmpeg's error output and how many frames it
   * decoded (framemd5 lines).
   */
  function decodeAsIvf(name: string, fourcc: string, frames: readonly ReceivedFrame[]): { errors: string; decoded: number } {
    const ivf = path.join(dir, name);
    writeFileSync(ivf, Buffer.concat([ivfFileHeader(fourcc, 320, 240),
      ...frames.flatMap((f) => [ivfFrameHeader(f.data.length, Math.round(f.timestamp * 0.09)), f.data])]));
    const dec = spawnSync(ffmpeg, ['-hide_banner', '-v', 'error', '-i', ivf, '-fps_mode', 'passthrough', '-enc_time_base', '-1', '-f', 'framemd5', '-'], { encoding: 'utf8' });
    return { errors: dec.stderr, decoded: dec.stdout.split('\n').filter((l) => /^\d+,/.test(l)).length };
  }

  /** A fresh page (no peer, no canvas left from the last test) with window.gathered. */
  async function freshPage(): Promise<ChromiumSession['page']> {
    const page = chrome!.page;
    await page.reload();
    await page.evaluate(CHROMIUM_GATHERED);
    return page;
  }

  for (const c of CASES) {
    it(`${c.codec}: frames start with a key frame, all decode; a 3 s recording (.${c.ext}) probes as 320x240 with a plausible frame count`, async () => {
      const page = await freshPage();
      const offer = await page.evaluate<{ type: 'offer'; sdp: string }>(SENDER(`video/${c.codec}`, c.fmtp));
      const pc = loopbackPeer();
      let remote: { track: MediaStreamTrack; receiver: RTCRtpReceiver } | undefined;
      let reader: EncodedFrameReader | undefined;
      const frames: ReceivedFrame[] = [];
      pc.ontrack = (e) => {
        remote = { track: e.track, receiver: e.receiver };
        reader = new EncodedFrameReader(e.track, e.receiver);
        reader.on('frame', (f) => frames.push(f));
      };
      try {
        await acceptPageOffer(page, 'window.pc', pc, offer);
        await until(() => pc.connectionState === 'connected', 20_000, 'connected to Chromium');
        const negotiated = remote!.receiver.getParameters().codecs.filter((x) => x.mimeType === `video/${c.codec}`);
        expect(negotiated, 'the answer keeps only the preferred codec').to.have.length(1);

        // 1. Frames out of the remote track.
        await until(() => frames.length >= 45, 20_000, `45 ${c.codec} frames from Chromium`);
        const got = frames.slice();
        expect(got[0]!.keyframe, 'first frame is a key frame').to.equal(true);
        expect(got.every((f) => f.codec === `video/${c.codec}` && f.payloadType === negotiated[0]!.payloadType)).to.equal(true);
        expect(got[0]!.timestamp).to.equal(0);
        for (let i = 1; i < got.length; i++) expect(got[i]!.timestamp, `frame ${i} timestamp`).to.be.greaterThan(got[i - 1]!.timestamp);
        expect(reader!.counters.get('packetsMalformed')).to.equal(0);
        // Decode them: the same bytes as IVF through ffmpeg.
        const dec = decodeAsIvf(`frames-${c.codec}.ivf`, IVF_FOURCC[c.codec.toLowerCase()]!, got);
        expect(dec.errors, 'ffmpeg decode errors').to.equal('');
        expect(dec.decoded, 'frames ffmpeg decoded').to.equal(got.length);

        // 2. Record 3 s.
        const file = path.join(dir, `chromium-${c.codec}.${c.ext}`);
        const rec = new Recorder({ path: file, video: remote!, ffmpegPath: ffmpeg });
        rec.start();
        await new Promise((r) => setTimeout(r, 3000));
        const summary = await rec.stop();
        expect(summary.exitCode, summary.diagnostics).to.equal(0);
        expect(summary.video!.codec).to.equal(`video/${c.codec}`);
        expect(summary.video!.keyframes).to.be.at.least(1);
        const probe = JSON.parse(spawnSync(ffprobe, ['-v', 'error', '-count_frames', '-show_entries',
          'stream=codec_name,width,height,nb_read_frames:format=duration', '-of', 'json', file], { encoding: 'utf8' }).stdout) as
          { streams: { codec_name: string; width: number; height: number; nb_read_frames: string }[]; format: { duration: string } };
        expect(probe.streams).to.have.length(1);
        expect(probe.streams[0]).to.deep.include({ codec_name: c.codec.toLowerCase(), width: 320, height: 240 });
        expect(Number(probe.streams[0]!.nb_read_frames)).to.equal(summary.video!.frames);
        // A canvas at 30 fps under load on a shared machine: at least 10 fps over ~3 s.
        expect(summary.video!.frames).to.be.within(30, 100);
        // The span is the sender's capture timestamps, not our 3 s of wall time: under CPU load the
        // encoder queues frames, so allow 1.5-4.5 s; the file must say what the frames said
        // (first to last frame, plus at most one frame interval or so).
        expect(summary.video!.durationUs / 1e6).to.be.within(1.5, 4.5);
        expect(Number(probe.format.duration)).to.be.within(summary.video!.durationUs / 1e6, summary.video!.durationUs / 1e6 + 0.25);
        // passthrough + the input time base: a canvas track has variable frame intervals; ffmpeg's
        // default 1/30 s output time base would complain about two frames landing in one slot.
        const full = spawnSync(ffmpeg, ['-hide_banner', '-v', 'error', '-i', file, '-fps_mode', 'passthrough', '-enc_time_base', '-1', '-f', 'null', '-'], { encoding: 'utf8' });
        expect(full.stderr, 'recording decodes without errors').to.equal('');
        reader!.close();
      } finally {
        pc.close();
        await page.evaluate('window.pc && window.pc.close(); clearInterval(window.draw)').catch(() => {});
      }
    });
  }

  it('Opus from the fake microphone: 20 ms packets at 20 000 µs steps; a 3 s .ogg recording probes as Opus with every packet and decodes cleanly', async () => {
    const page = await freshPage();
    const offer = await page.evaluate<{ type: 'offer'; sdp: string }>(pageOffer('pc', `
      const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
      pc.addTransceiver(stream.getAudioTracks()[0], { direction: 'sendonly' });
    `));
    const pc = loopbackPeer();
    let remote: { track: MediaStreamTrack; receiver: RTCRtpReceiver } | undefined;
    const frames: ReceivedFrame[] = [];
    pc.ontrack = (e) => {
      remote = { track: e.track, receiver: e.receiver };
      new EncodedFrameReader(e.track, e.receiver).on('frame', (f) => frames.push(f));
    };
    try {
      await acceptPageOffer(page, 'window.pc', pc, offer);
      await until(() => frames.length >= 50, 20_000, '50 Opus packets from Chromium');
      expect(frames.every((f) => f.codec === 'audio/opus' && f.clockRate === 48000 && f.keyframe)).to.equal(true);
      // Chromium's Opus: 20 ms per packet (960 samples); DTX is off for a tone, so no gaps.
      const steps = frames.slice(1, 50).map((f, i) => f.timestamp - frames[i]!.timestamp);
      expect(new Set(steps)).to.deep.equal(new Set([20_000]));

      const file = path.join(dir, 'chromium-opus.ogg');
      const rec = new Recorder({ path: file, audio: remote!, ffmpegPath: ffmpeg });
      rec.start();
      await new Promise((r) => setTimeout(r, 3000));
      const summary = await rec.stop();
      expect(summary.exitCode, summary.diagnostics).to.equal(0);
      expect(summary.audio!.codec).to.equal('audio/opus');
      expect(summary.audio!.frames).to.be.within(120, 160);
      const probe = JSON.parse(spawnSync(ffprobe, ['-v', 'error', '-count_frames', '-show_entries',
        'stream=codec_name,channels,nb_read_frames:format=duration', '-of', 'json', file], { encoding: 'utf8' }).stdout) as
        { streams: { codec_name: string; nb_read_frames: string }[]; format: { duration: string } };
      expect(probe.streams[0]!.codec_name).to.equal('opus');
      expect(Number(probe.streams[0]!.nb_read_frames)).to.equal(summary.audio!.frames);
      expect(Number(probe.format.duration)).to.be.within(summary.audio!.frames * 0.02 - 0.03, summary.audio!.frames * 0.02 + 0.03);
      const full = spawnSync(ffmpeg, ['-hide_banner', '-v', 'error', '-i', file, '-f', 'null', '-'], { encoding: 'utf8' });
      expect(full.stderr, 'recording decodes without errors').to.equal('');
    } finally {
      pc.close();
      await page.evaluate('window.pc && window.pc.close()').catch(() => {});
    }
  });

  it('VP8 with one packet lost and RTX blocked: the loss is reported by sequence number, Chromium counts our PLI and answers with a key frame, frames resume at it and decode', async () => {
    const page = await freshPage();
    const offer = await page.evaluate<{ type: 'offer'; sdp: string }>(SENDER('video/VP8', ''));
    const vp8Pt = Number(/a=rtpmap:(\d+) VP8\/90000/.exec(offer.sdp)![1]);
    const rtxPt = Number(new RegExp(`a=fmtp:(\\d+) apt=${vp8Pt}\r\n`).exec(offer.sdp)?.[1] ?? -1);
    expect(rtxPt, 'Chromium offers RTX for VP8').to.be.greaterThan(-1);
    let dropNext = false;
    let droppedSeq = -1;
    const network = droppingNetwork((d) => {
      // RFC 7983: 128..191 is RTP/RTCP; RFC 5761 §4: a second byte of 192..223 is RTCP.
      if (d.length < 12 || d[0]! < 128 || d[0]! > 191 || (d[1]! >= 192 && d[1]! <= 223)) return false;
      const pt = d[1]! & 0x7f;
      if (pt === rtxPt) return true; // no repair: the loss must stand
      if (pt === vp8Pt && dropNext) {
        dropNext = false;
        droppedSeq = d.readUInt16BE(2);
        return true;
      }
      return false;
    });
    const pc = loopbackPeer({ network });
    let reader: EncodedFrameReader | undefined;
    const frames: ReceivedFrame[] = [];
    const losses: { firstSequenceNumber: number; count: number }[] = [];
    let framesAtLoss = -1;
    pc.ontrack = (e) => {
      reader = new EncodedFrameReader(e.track, e.receiver);
      reader.on('frame', (f) => frames.push(f));
      reader.on('loss', (l) => {
        losses.push(l);
        if (framesAtLoss < 0) framesAtLoss = frames.length;
      });
    };
    const chromePli = () => page.evaluate<number>(`(async () => { let n = 0; (await window.pc.getStats()).forEach((s) => { if (s.type === 'outbound-rtp' && s.kind === 'video') n += s.pliCount || 0; }); return n; })()`);
    try {
      await acceptPageOffer(page, 'window.pc', pc, offer);
      await until(() => frames.length >= 30, 20_000, '30 VP8 frames before the loss');
      const plisBefore = await chromePli();
      const requestsBefore = reader!.counters.get('keyframeRequests');
      const before = frames.length;
      dropNext = true;
      await until(() => losses.length > 0, 5000, 'the loss reported');
      expect(losses[0]).to.deep.equal({ firstSequenceNumber: droppedSeq, count: 1 });
      expect(reader!.counters.get('keyframeRequests')).to.be.greaterThan(requestsBefore);
      // Frames are emitted in order, so everything after the 'loss' event comes after the lost
      // frame: the first of them must be the key frame Chromium sent on our PLI.
      await until(() => frames.length > framesAtLoss + 15, 10_000, '15 frames after the loss');
      const resumed = frames.slice(framesAtLoss);
      expect(resumed[0]!.keyframe, 'first frame after the loss is a key frame').to.equal(true);
      expect(framesAtLoss).to.be.at.least(before);
      expect(await chromePli()).to.be.greaterThan(plisBefore);
      const dec = decodeAsIvf('after-loss.ivf', 'VP80', resumed);
      expect(dec.errors, 'ffmpeg decode errors after the loss').to.equal('');
      expect(dec.decoded).to.equal(resumed.length);
    } finally {
      pc.close();
      await page.evaluate('window.pc && window.pc.close(); clearInterval(window.draw)').catch(() => {});
    }
  });
});

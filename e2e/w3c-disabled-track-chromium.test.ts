/**
 * mediacapture-streams / webrtc-pc: a disabled audio track is sent as silence. Rivulet sends
 * ffmpeg's 440 Hz test tone as Opus; the page measures the received stream's RMS level with
 * WebAudio (inbound-rtp.audioLevel stays 0 in headless Chromium without an audio device).
 * Disabling the track keeps RTP flowing (Chromium's packetsReceived keeps growing at ~50/s) while
 * the level drops to silence; re-enabling brings the tone back.
 */
import { expect } from 'chai';
import { FfmpegSource } from '@rivulet/media';
import { MediaStream, MediaStreamTrackSource, type RTCPeerConnection } from '@rivulet/webrtc';
import { CHROMIUM_PATH, launchChromium, type ChromiumSession } from './support/chromium.js';
import { CHROMIUM_GATHERED, pageAnswer } from './support/pageScripts.js';
import { loopbackPeer, offerToPage } from './support/signaling.js';
import { requireFfmpeg, requireTool } from './support/tools.js';
import { waitFor } from './support/wait.js';

/** audioLevel: RMS of the last 2048 received samples, measured by WebAudio in the page. */
type Audio = { packetsReceived: number; audioLevel: number; totalSamplesReceived: number };

describe('a disabled audio track is sent as silence (Chromium receives Opus packets, level drops to 0)', function () {
  this.timeout(60_000);
  let chrome: ChromiumSession | undefined;
  let ff: FfmpegSource | undefined;
  let pc: RTCPeerConnection | undefined;
  let ffmpeg: string;

  before(async function () {
    requireTool(this, CHROMIUM_PATH, 'chromium');
    ffmpeg = requireFfmpeg(this);
    chrome = await launchChromium();
    await chrome.page.evaluate(CHROMIUM_GATHERED);
  });
  after(async () => {
    pc?.close();
    await ff?.stop();
    await chrome?.close();
  });

  it('tone → disabled: packets continue, audioLevel ≈ 0 → enabled: tone again', async () => {
    const page = chrome!.page;
    const source = new MediaStreamTrackSource({ kind: 'audio', mimeType: 'audio/opus' });
    ff = new FfmpegSource({ input: { type: 'test-pattern', toneHz: 440 }, audio: { codec: 'opus' }, ffmpegPath: ffmpeg });
    ff.on('frame', (f) => { if (f.kind === 'audio') source.writeFrame({ data: f.data, timestamp: f.timestampUs }); });
    ff.start();
    const track = source.createTrack();
    pc = loopbackPeer();
    pc.addTrack(track, new MediaStream());
    await offerToPage(page, pc, pageAnswer('pc', `
      pc.ontrack = (e) => {
        // The level measured by WebAudio on the received stream (RMS of the last 2048 samples).
        const ctx = new AudioContext();
        const analyser = ctx.createAnalyser();
        analyser.fftSize = 2048;
        ctx.createMediaStreamSource(e.streams[0]).connect(analyser);
        const el = document.createElement('audio'); // Chromium only pulls remote audio for a sink
        el.muted = true;
        el.srcObject = e.streams[0];
        el.play().catch(() => {});
        ctx.resume().catch(() => {});
        window.level = () => {
          const buf = new Float32Array(analyser.fftSize);
          analyser.getFloatTimeDomainData(buf);
          let sum = 0;
          for (const x of buf) sum += x * x;
          return Math.sqrt(sum / buf.length);
        };
        window.ctxState = () => ctx.state;
      };
      window.audio = async () => {
        let out = { packetsReceived: 0, audioLevel: 0, totalSamplesReceived: 0 };
        (await pc.getStats()).forEach((s) => { if (s.type === 'inbound-rtp' && s.kind === 'audio') out = { packetsReceived: s.packetsReceived || 0, audioLevel: window.level ? window.level() : 0, totalSamplesReceived: s.totalSamplesReceived || 0, ctx: window.ctxState && window.ctxState() }; });
        return out;
      };
    `));
    const audio = () => page.evaluate<Audio>('window.audio()');

    const tone = await waitFor('the tone at Chromium', 20_000, audio, (a) => a.packetsReceived > 50 && a.audioLevel > 0.05);
    track.enabled = false;
    await new Promise((r) => setTimeout(r, 400)); // let the level meter follow
    const quietStart = await audio();
    await new Promise((r) => setTimeout(r, 1500));
    const quiet = await audio();
    // ~75 packets in 1.5 s at one per 20 ms; allow a loaded machine's timer slack.
    expect(quiet.packetsReceived - quietStart.packetsReceived, 'silence packets received while disabled').to.be.within(50, 90);
    expect(quiet.audioLevel, 'audio level while disabled').to.be.below(0.01);
    expect(quiet.totalSamplesReceived).to.be.greaterThan(tone.totalSamplesReceived);
    track.enabled = true;
    await waitFor('the tone again', 10_000, audio, (a) => a.audioLevel > 0.05);
  });
});

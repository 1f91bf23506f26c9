// Captures real Chromium offers/answers as SDP round-trip fixtures for @rivulet/sdp.
// Run: node packages/sdp/scripts/capture-chromium.mjs   (needs Debian `chromium`, playwright-core)
// Writes packages/sdp/test/fixtures/chromium-*.sdp. The fixtures are facts captured from a
// browser we did not write; tests parse → serialize them and expect identical text.
import { chromium } from 'playwright-core';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer } from 'node:http';

const outDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'test', 'fixtures');
const userDataDir = mkdtempSync(join(tmpdir(), 'rivulet-sdp-capture-'));
const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream'],
});
try {
  const page = context.pages()[0] ?? (await context.newPage());
  // getUserMedia needs a secure context: http://127.0.0.1 counts as one, about:blank does not.
  const server = createServer((_req, res) => { res.setHeader('content-type', 'text/html'); res.end('<!doctype html><title>capture</title>'); });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  await page.goto(`http://127.0.0.1:${server.address().port}/`);
  server.close();
  const result = await page.evaluate(async () => {
    const out = {};
    // Waits (bounded) for gathering to finish so candidates are part of the description.
    const gathered = (pc) => new Promise((resolve) => {
      if (pc.iceGatheringState === 'complete') return resolve();
      const t = setTimeout(resolve, 3000);
      pc.addEventListener('icegatheringstatechange', () => {
        if (pc.iceGatheringState === 'complete') { clearTimeout(t); resolve(); }
      });
    });
    const media = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
    const [audio] = media.getAudioTracks();
    const [video] = media.getVideoTracks();

    // 1. audio + video + data channel, offer and answer, then a renegotiation.
    {
      const a = new RTCPeerConnection();
      const b = new RTCPeerConnection();
      a.addTrack(audio, media); a.addTrack(video, media); a.createDataChannel('chat');
      await a.setLocalDescription(); await gathered(a);
      out['av-data-offer'] = a.localDescription.sdp;
      await b.setRemoteDescription(a.localDescription);
      const m2 = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
      m2.getTracks().forEach((t) => b.addTrack(t, m2));
      await b.setLocalDescription(); await gathered(b);
      out['av-data-answer'] = b.localDescription.sdp;
      await a.setRemoteDescription(b.localDescription);
      // Renegotiation: a second video track and a stopped audio transceiver.
      const extra = video.clone();
      a.addTrack(extra, new MediaStream([extra]));
      a.getTransceivers()[0].stop();
      await a.setLocalDescription();
      out['renegotiation-offer'] = a.localDescription.sdp;
      await b.setRemoteDescription(a.localDescription);
      await b.setLocalDescription();
      out['renegotiation-answer'] = b.localDescription.sdp;
      a.close(); b.close();
    }
    // 2. simulcast with three rids.
    {
      const a = new RTCPeerConnection();
      a.addTransceiver(video, { direction: 'sendonly', streams: [media], sendEncodings: [
        { rid: 'q', scaleResolutionDownBy: 4 }, { rid: 'h', scaleResolutionDownBy: 2 }, { rid: 'f' }] });
      await a.setLocalDescription(); await gathered(a);
      out['simulcast-offer'] = a.localDescription.sdp;
      a.close();
    }
    // 3. recvonly audio and video.
    {
      const a = new RTCPeerConnection();
      const b = new RTCPeerConnection();
      a.addTransceiver('audio', { direction: 'recvonly' });
      a.addTransceiver('video', { direction: 'recvonly' });
      await a.setLocalDescription(); await gathered(a);
      out['recvonly-offer'] = a.localDescription.sdp;
      await b.setRemoteDescription(a.localDescription);
      await b.setLocalDescription(); await gathered(b);
      out['recvonly-answer'] = b.localDescription.sdp;
      a.close(); b.close();
    }
    // 4. data channel only.
    {
      const a = new RTCPeerConnection();
      a.createDataChannel('only');
      await a.setLocalDescription(); await gathered(a);
      out['data-offer'] = a.localDescription.sdp;
      a.close();
    }
    media.getTracks().forEach((t) => t.stop());
    return { sdps: out, ua: navigator.userAgent };
  });
  for (const [name, sdp] of Object.entries(result.sdps)) {
    writeFileSync(join(outDir, `chromium-${name}.sdp`), sdp);
    console.log(`wrote chromium-${name}.sdp (${sdp.length} chars)`);
  }
  writeFileSync(join(outDir, 'README.md'),
    `Captured by packages/sdp/scripts/capture-chromium.mjs from ${result.ua}\n`);
} finally {
  await context.close();
  rmSync(userDataDir, { recursive: true, force: true });
}

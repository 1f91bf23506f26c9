import { chromium } from 'playwright-core';

export interface SelfTestResult {
  framesDecoded: number;
  width: number;
  height: number;
  audioSamples: number;
  connectMs: number;
}

/**
 * Opens the viewer page in headless Chromium (Debian's /usr/bin/chromium)
 * and waits until it has decoded `minFrames` video frames from the gateway.
 */
export async function selfTest(url: string, minFrames = 60, timeoutMs = 30_000): Promise<SelfTestResult> {
  const executablePath = process.env['RIVULET_CHROMIUM'] ?? '/usr/bin/chromium';
  const browser = await chromium.launch({
    executablePath,
    headless: true,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-quic', '--autoplay-policy=no-user-gesture-required',
      '--allow-loopback-in-peer-connection', '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
    ],
  }).catch((err: unknown) => {
    throw new Error(`cannot start Chromium at ${executablePath} (apt-get install chromium): ${err instanceof Error ? err.message : String(err)}`);
  });
  try {
    const context = await browser.newContext({ permissions: ['camera', 'microphone'] });
    const page = await context.newPage();
    const t0 = Date.now();
    await page.goto(url);
    let connectMs = 0;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const s = await page.evaluate(async () => {
        const w = window as unknown as { rivuletPc?: RTCPeerConnection };
        const pc = w.rivuletPc;
        if (!pc) return undefined;
        let frames = 0, width = 0, height = 0, samples = 0;
        for (const r of (await pc.getStats()).values()) {
          if (r.type === 'inbound-rtp' && r.kind === 'video') {
            frames = r.framesDecoded ?? 0;
            width = r.frameWidth ?? 0;
            height = r.frameHeight ?? 0;
          }
          if (r.type === 'inbound-rtp' && r.kind === 'audio') samples = r.totalSamplesReceived ?? 0;
        }
        const w2 = window as unknown as { rivuletDebug?: unknown[] };
        w2.rivuletDebug = [...(await pc.getStats()).values()].filter((r) => r.type === "inbound-rtp" || r.type === "transport");
        return { state: pc.connectionState, frames, width, height, samples };
      });
      if (s?.state === 'connected' && connectMs === 0) connectMs = Date.now() - t0;
      if (s && s.frames >= minFrames) {
        return { framesDecoded: s.frames, width: s.width, height: s.height, audioSamples: s.samples, connectMs };
      }
      if (process.env['RIVULET_SELFTEST_DEBUG'] && Date.now() > deadline - 1000) console.log(JSON.stringify(await page.evaluate(() => (window as unknown as { rivuletDebug?: unknown[] }).rivuletDebug), null, 1));
      if (s?.state === 'failed') throw new Error('the browser\'s connection to the gateway failed');
      if (Date.now() > deadline) {
        throw new Error(`no ${minFrames} decoded frames within ${timeoutMs} ms (state ${s?.state ?? 'no peer connection'}, frames ${s?.frames ?? 0})`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  } finally {
    await browser.close();
  }
}

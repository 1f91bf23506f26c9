import { expect } from 'chai';
import { CHROMIUM_PATH } from './support/chromium.js';
import { runCameraGateway } from './support/examples.js';
import { requireTool } from './support/tools.js';

// The README's main job with --self-test: ffmpeg test pattern → Rivulet → WHEP → headless Chromium.
describe('camera gateway (the README main job) against Chromium', function () {
  this.timeout(90_000);

  before(function () {
    requireTool(this, CHROMIUM_PATH, 'chromium');
    requireTool(this, '/usr/bin/ffmpeg', 'ffmpeg');
  });

  for (const codec of ['H264', 'VP8']) {
    it(`test pattern as ${codec} + Opus: Chromium decodes 60 frames at 640x360 and receives audio`, async () => {
      const r = await runCameraGateway(['--self-test', '--codec', codec], 80_000);
      expect(r.out).to.match(/source: the built-in test pattern/);
      expect(r.out, r.out).to.match(/self-test passed: Chromium connected in \d+ ms and decoded \d+ frames at 640x360, [1-9]\d* audio samples/);
      expect(r.code).to.equal(0);
    });
  }

  it('refuses a bad option with usage and exit code 2', async () => {
    const r = await runCameraGateway(['--codec', 'MPEG2'], 20_000);
    expect(r.code).to.equal(2);
    expect(r.out).to.match(/--codec must be H264, VP8, VP9 or AV1, got 'MPEG2'/);
  });
});

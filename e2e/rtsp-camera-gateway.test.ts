import { expect } from 'chai';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHROMIUM_PATH } from './support/chromium.js';
import { requireGstRtspServer, startGstRtspServer, type GstRtspServer } from './support/rtspServer.js';
import { requireTool } from './support/tools.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Runs the camera gateway's --self-test (headless Chromium over WHEP, getStats framesDecoded). */
function runGateway(args: string[], maxMs: number): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--conditions=rivulet-source', '--import', 'tsx', 'examples/camera-gateway/src/main.ts', ...args], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), maxMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

/**
 * The camera gateway (examples/camera-gateway) relaying an IP camera — here
 * GStreamer's RTSP server, TCP interleaving only — to headless Chromium.
 */
describe('camera gateway ← RTSP over TCP (gst-rtsp-server) → Chromium', function () {
  this.timeout(90_000);

  before(function () {
    requireTool(this, CHROMIUM_PATH, 'chromium');
    requireTool(this, '/usr/bin/ffmpeg', 'ffmpeg');
    requireGstRtspServer(this);
  });

  it('a video-only camera behind Digest auth: served as video only, Chromium decodes 60 frames at 640x360, no password in the output', async () => {
    const auth = { method: 'digest' as const, user: 'viewer', password: 'pa55-w0rd' };
    let server: GstRtspServer | undefined;
    try {
      server = await startGstRtspServer({ mounts: [{ path: '/cam', protocols: 'tcp', width: 640, height: 360, fps: 30, gop: 30 }], auth });
      const r = await runGateway(['--self-test', '--source', server.url('/cam', auth)], 80_000);
      expect(r.out, r.out).to.match(/self-test passed: Chromium connected in \d+ ms and decoded \d+ frames at 640x360\n/);
      expect(r.out).to.include(`source: RTSP camera rtsp://viewer:***@127.0.0.1:${server.port}/cam`);
      expect(r.out).to.include('the source has no audio: serving video only');
      expect(r.out).to.not.include(auth.password);
      expect(r.code).to.equal(0);
      // Every SETUP the camera saw was TCP interleaved, and the stream was read with Digest credentials.
      const transports = server.eventsOf('TRANSPORT').map((e) => e.words[2]);
      expect(transports.length).to.be.at.least(1);
      expect(new Set(transports)).to.deep.equal(new Set(['TCP']));
      expect(new Set(server.eventsOf('AUTH').map((e) => e.words[2]))).to.deep.equal(new Set(['Digest']));
    } finally {
      await server?.stop();
    }
  });

  it('a camera with H.264 and Opus audio: Chromium decodes video and receives audio samples', async () => {
    let server: GstRtspServer | undefined;
    try {
      server = await startGstRtspServer({ mounts: [{ path: '/cam', protocols: 'tcp', width: 640, height: 360, fps: 30, gop: 30, audio: true }] });
      const r = await runGateway(['--self-test', '--source', server.url('/cam')], 80_000);
      expect(r.out, r.out).to.match(/self-test passed: Chromium connected in \d+ ms and decoded \d+ frames at 640x360, [1-9]\d* audio samples/);
      expect(r.out).to.not.include('serving video only');
      expect(r.code).to.equal(0);
      // Two streams (video, audio), both set up over the TCP connection.
      expect(server.eventsOf('TRANSPORT').map((e) => e.words[2])).to.deep.equal(['TCP', 'TCP']);
    } finally {
      await server?.stop();
    }
  });
});

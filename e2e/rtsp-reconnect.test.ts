import { expect } from 'chai';
import { createServer, type AddressInfo } from 'node:net';
import { FfmpegSource, type EncodedFrame } from '@rivulet/media';
import { requireGstRtspServer, startGstRtspServer, type GstRtspServer } from './support/rtspServer.js';
import { requireTool } from './support/tools.js';

/**
 * An RTSP camera that drops and comes back (GStreamer's RTSP server killed,
 * then started again on the same port): FfmpegSource with `reconnect`
 * retries with backoff and carries on, timestamps monotonic, keyframe first.
 */
const FPS = 25;

async function until(cond: () => boolean, maxMs: number, what: string): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > maxMs) throw new Error(`timed out after ${maxMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('RTSP camera that drops and comes back (reconnect) ← gst-rtsp-server', function () {
  this.timeout(40_000);

  before(function () {
    requireTool(this, '/usr/bin/ffmpeg', 'ffmpeg');
    requireGstRtspServer(this);
  });

  it('killed and restarted 1.5 s later: reconnects with 200/400/800 ms backoff, keyframe first, timestamps run on; stop() during backoff ends the retries', async () => {
    const mount = { path: '/cam', protocols: 'tcp' as const, fps: FPS, gop: FPS };
    let server: GstRtspServer | undefined = await startGstRtspServer({ mounts: [mount] });
    const port = server.port;
    const source = new FfmpegSource({
      input: { type: 'rtsp', url: `rtsp://127.0.0.1:${port}/cam`, reconnect: { initialDelayMs: 200, maxDelayMs: 800 } },
      video: { codec: 'H264', passthrough: true, frameRate: FPS },
    });
    const frames: { frame: EncodedFrame; at: number }[] = [];
    const retries: { message: string; attempt: number; delayMs: number; at: number; frames: number }[] = [];
    const ended: (Error | undefined)[] = [];
    source.on('frame', (frame) => frames.push({ frame, at: Date.now() }));
    source.on('reconnecting', (error, attempt, delayMs) => retries.push({ message: error.message, attempt, delayMs, at: Date.now(), frames: frames.length }));
    source.on('ended', (error) => ended.push(error));
    try {
      source.start();
      await until(() => frames.length >= 15, 15_000, '15 frames from the camera');
      await server.kill();
      const killedAt = Date.now();
      await until(() => retries.length >= 1, 5_000, 'the first reconnecting event');
      // The old process's last frames (flushed when it exits) come before the first reconnecting event.
      const before = retries[0]!.frames;
      expect(retries[0]!.message).to.match(new RegExp(`^RTSP source rtsp://127\\.0\\.0\\.1:${port}/cam ended: the server closed the connection or ended the session`));
      // Stay away at least 1.5 s and until a retry has failed against the closed port.
      await until(() => Date.now() - killedAt >= 1_500 && retries.length >= 2, 10_000, 'a failed retry while the camera is away');
      server = await startGstRtspServer({ mounts: [mount], port });
      const restartedAt = Date.now();
      await until(() => frames.length >= before + 15, 15_000, '15 frames after the camera came back');

      expect(ended, 'never ended').to.deep.equal([]);
      // While the camera was away each retry failed (connection refused) and the delay doubled up to the cap.
      const down = retries.filter((r) => r.at < restartedAt);
      expect(down.length, 'retries while the camera was down').to.be.at.least(2);
      expect(down.map((r) => r.attempt)).to.deep.equal(down.map((_, i) => i + 1));
      expect(down.map((r) => r.delayMs)).to.deep.equal(down.map((_, i) => Math.min(800, 200 * 2 ** i)));
      expect(down.slice(1).every((r) => /Connection refused/.test(r.message)), down.map((r) => r.message).join(' | ')).to.equal(true);
      // The first frame back decodes on its own, and time ran on across the gap.
      const back = frames.slice(before);
      expect(back[0]!.frame.keyframe, 'first frame after the reconnect is a keyframe').to.equal(true);
      const ts = frames.map((f) => f.frame.timestampUs);
      for (let i = 1; i < ts.length; i++) expect(ts[i]!, `timestamp ${i} after ${i - 1}`).to.be.greaterThan(ts[i - 1]!);
      expect(back[0]!.frame.timestampUs - frames[before - 1]!.frame.timestampUs, 'µs across the gap').to.be.at.least(1_400_000);
      expect(server.eventsOf('REQ').some((e) => e.words[2] === 'PLAY'), 'the restarted camera was played').to.equal(true);

      // A second drop starts counting from attempt 1 again; stop() while waiting to retry ends it all.
      const retriesBefore = retries.length;
      await server.kill();
      await until(() => retries.length > retriesBefore, 5_000, 'a reconnecting event after the second drop');
      expect(retries[retriesBefore]!.attempt).to.equal(1);
      await source.stop();
      const afterStop = retries.length;
      await new Promise((r) => setTimeout(r, 1_000));
      expect(retries.length, 'no retries after stop()').to.equal(afterStop);
      expect(source.running).to.equal(false);
      expect(ended).to.deep.equal([]);
    } finally {
      await source.stop();
      await server?.stop();
    }
  });

  it('a camera that never delivered a frame is not retried: the source ends at once with the reason', async () => {
    const port = await freePort();
    const source = new FfmpegSource({ input: { type: 'rtsp', url: `rtsp://127.0.0.1:${port}/cam`, reconnect: true }, video: { codec: 'H264', passthrough: true } });
    let retries = 0;
    source.on('reconnecting', () => retries++);
    const ended = new Promise<Error | undefined>((resolve) => source.once('ended', resolve));
    source.start();
    let timer: NodeJS.Timeout | undefined;
    try {
      const error = await Promise.race([ended, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('no end within 10 s')), 10_000)))]);
      expect(error).to.be.instanceOf(Error);
      expect(error!.message).to.match(/Connection refused/);
      expect(retries).to.equal(0);
    } finally {
      clearTimeout(timer);
      await source.stop();
    }
  });
});

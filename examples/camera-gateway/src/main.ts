/**
 * Camera gateway: a v4l2 camera, an RTSP camera, a file or the built-in test
 * pattern becomes a WebRTC stream that any browser can watch (WHEP).
 *
 *   npm start                         # first camera, else the test pattern, on http://127.0.0.1:8080/
 *   npm start -- --source rtsp://cam/stream --host 0.0.0.0
 *   npm start -- --self-test          # check it end to end with headless Chromium, then exit
 */
import { enumerateDevices, getUserMedia, redactRtspCredentials, stopUserMedia, type MediaInput } from '@rivulet/media';
import type { MediaStream } from '@rivulet/webrtc';
import { CameraGateway } from './gateway.js';
import { parseOptions, type GatewayOptions } from './options.js';
import { selfTest } from './selfTest.js';
import { startServer } from './server.js';

async function main(): Promise<number> {
  let options: GatewayOptions;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (err) {
    console.error(err instanceof Error ? err.message : String(err));
    return 2;
  }
  const camera = enumerateDevices().find((d) => d.kind === 'videoinput' && d.deviceId.startsWith('/dev/'));
  const input: MediaInput = options.input ?? (camera ? { type: 'v4l2', device: camera.deviceId } : { type: 'test-pattern' });
  const describe = describeInput(input);
  console.log(`source: ${describe}, video ${options.codec}${options.audio ? ' + Opus audio' : ''}`);

  let hasAudio = options.audio && input.type !== 'v4l2';
  const capture = (audio: boolean) =>
    getUserMedia({
      video: { width: options.width, height: options.height, frameRate: options.frameRate },
      audio,
      rivulet: {
        videoCodec: options.codec,
        input: input.type === 'test-pattern' ? { ...input, width: options.width, height: options.height, frameRate: options.frameRate } : input,
      },
    });
  let stream: MediaStream;
  try {
    stream = await capture(hasAudio);
  } catch (err) {
    // Most IP cameras and many files carry no audio track: serve their video alone.
    if (!hasAudio || !/Stream map '0:a:0' matches no streams/.test(err instanceof Error ? err.message : '')) throw err;
    console.log('the source has no audio: serving video only');
    hasAudio = false;
    stream = await capture(false);
  }
  // Gather candidates only on the address we serve on (all interfaces when serving on 0.0.0.0 / ::).
  const wildcard = options.host === '0.0.0.0' || options.host === '::';
  const codecs = { video: `video/${options.codec}`, audio: 'audio/opus' };
  const gateway = new CameraGateway(stream, codecs, wildcard ? {} : { rivulet: { interfaceAddresses: [options.host] } });
  const { server, url } = await startServer(gateway, options.host, options.selfTest ? 0 : options.port, 'Rivulet camera gateway');
  console.log(`watch it: ${url}  (WHEP endpoint: ${url}whep)`);

  const shutdown = async (code: number): Promise<number> => {
    gateway.close();
    server.close();
    await stopUserMedia(stream);
    return code;
  };

  if (options.selfTest) {
    try {
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      const r = await selfTest(url);
      const cpu = process.cpuUsage(cpu0);
      const wallMs = performance.now() - t0;
      console.log(
        `self-test passed: Chromium connected in ${r.connectMs} ms and decoded ${r.framesDecoded} frames at ${r.width}x${r.height}` +
          (hasAudio ? `, ${r.audioSamples} audio samples` : ''),
      );
      // The gateway's own cost (ffmpeg's encoding runs in its own process and is not counted here).
      console.log(
        `gateway process: ${(((cpu.user + cpu.system) / 1000 / wallMs) * 100).toFixed(1)}% of one core over ${(wallMs / 1000).toFixed(1)} s, ` +
          `rss ${(process.memoryUsage().rss / 1048576).toFixed(0)} MiB`,
      );
      return shutdown(0);
    } catch (err) {
      console.error(`self-test failed: ${err instanceof Error ? err.message : String(err)}`);
      return shutdown(1);
    }
  }

  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  console.log('stopping');
  return shutdown(0);
}

function describeInput(input: MediaInput): string {
  switch (input.type) {
    case 'test-pattern':
      return 'the built-in test pattern (no camera found)';
    case 'v4l2':
      return `camera ${input.device}`;
    case 'rtsp':
      return `RTSP camera ${redactRtspCredentials(input.url)}`;
    case 'file':
      return `file ${input.path}`;
    case 'alsa':
      return `microphone ${input.device}`;
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  },
);

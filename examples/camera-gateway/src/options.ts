import type { MediaInput, VideoCodecName } from '@rivulet/media';

export interface GatewayOptions {
  /** undefined: the first v4l2 camera, else the built-in test pattern. */
  input: MediaInput | undefined;
  codec: VideoCodecName;
  audio: boolean;
  host: string;
  port: number;
  selfTest: boolean;
  width: number;
  height: number;
  frameRate: number;
}

export const USAGE = `usage: npm start -- [options]
  --source SRC     test | /dev/videoN | rtsp://host/path | path/to/file   (default: first camera, else test)
  --codec C        H264 | VP8 | VP9 | AV1                                 (default: H264)
  --no-audio       video only
  --size WxH       capture size for the camera / test pattern            (default: 640x360)
  --fps N          frame rate                                             (default: 30)
  --host ADDR      address to serve on                                    (default: 127.0.0.1)
  --port N         HTTP port, 0 for any                                   (default: 8080)
  --self-test      open headless Chromium on the page, check that video frames decode, exit`;

export function parseOptions(argv: string[]): GatewayOptions {
  const o: GatewayOptions = {
    input: undefined,
    codec: 'H264',
    audio: true,
    host: '127.0.0.1',
    port: 8080,
    selfTest: false,
    width: 640,
    height: 360,
    frameRate: 30,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const next = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value\n${USAGE}`);
      return v;
    };
    switch (arg) {
      case '--source': {
        const src = next();
        if (src === 'test') o.input = { type: 'test-pattern' };
        // A camera that drops (reboot, Wi-Fi) comes back without restarting the gateway.
        else if (/^rtsps?:\/\//.test(src)) o.input = { type: 'rtsp', url: src, reconnect: true };
        else if (src.startsWith('/dev/video')) o.input = { type: 'v4l2', device: src };
        else o.input = { type: 'file', path: src, loop: true };
        break;
      }
      case '--codec': {
        const c = next().toUpperCase();
        if (c !== 'H264' && c !== 'VP8' && c !== 'VP9' && c !== 'AV1') throw new Error(`--codec must be H264, VP8, VP9 or AV1, got '${c}'`);
        o.codec = c;
        break;
      }
      case '--no-audio':
        o.audio = false;
        break;
      case '--size': {
        const m = /^(\d+)x(\d+)$/.exec(next());
        if (!m) throw new Error('--size must look like 640x360');
        o.width = Number(m[1]);
        o.height = Number(m[2]);
        break;
      }
      case '--fps':
        o.frameRate = Number(next());
        if (!(o.frameRate > 0 && o.frameRate <= 120)) throw new Error('--fps must be between 1 and 120');
        break;
      case '--host':
        o.host = next();
        break;
      case '--port':
        o.port = Number(next());
        if (!Number.isInteger(o.port) || o.port < 0 || o.port > 65535) throw new Error('--port must be 0..65535');
        break;
      case '--self-test':
        o.selfTest = true;
        break;
      case '-h':
      case '--help':
        throw new Error(USAGE);
      default:
        throw new Error(`unknown option '${arg}'\n${USAGE}`);
    }
  }
  return o;
}

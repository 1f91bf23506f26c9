import { MediaStream, MediaStreamTrackSource, type MediaStreamTrack, type MediaStreamTrackSourceInit } from '@rivulet/webrtc';
import { enumerateDevices, TEST_PATTERN_DEVICE_ID } from './devices/enumerate.js';
import type { AudioCodecName, VideoCodecName } from './sources/encodings.js';
import { FfmpegSource } from './sources/ffmpegSource.js';
import type { MediaInput } from './sources/inputs.js';

/** A numeric constraint as mediacapture-streams allows it (a bare value counts as `ideal`). */
type ConstrainNumber = number | { exact?: number; ideal?: number; min?: number; max?: number };
type ConstrainString = string | { exact?: string | string[]; ideal?: string | string[] };

export interface VideoConstraints {
  deviceId?: ConstrainString;
  width?: ConstrainNumber;
  height?: ConstrainNumber;
  frameRate?: ConstrainNumber;
}

export interface AudioConstraints {
  deviceId?: ConstrainString;
}

/**
 * getUserMedia's argument, plus one non-standard field: a browser hands out
 * raw frames and encodes per connection; Rivulet captures already encoded
 * (ffmpeg), so the codec is chosen here. H.264 and Opus by default, which
 * every browser decodes.
 */
export interface UserMediaConstraints {
  video?: boolean | VideoConstraints;
  audio?: boolean | AudioConstraints;
  rivulet?: {
    videoCodec?: VideoCodecName;
    audioCodec?: AudioCodecName;
    videoBitrate?: number;
    /** Use this input instead of resolving deviceId (e.g. an RTSP camera or a file). */
    input?: MediaInput;
  };
}

function value(c: ConstrainNumber | undefined, fallback: number): number {
  if (c === undefined) return fallback;
  if (typeof c === 'number') return c;
  return c.exact ?? c.ideal ?? c.max ?? c.min ?? fallback;
}

function stringValue(c: ConstrainString | undefined): { id: string | undefined; exact: boolean } {
  if (c === undefined) return { id: undefined, exact: false };
  if (typeof c === 'string') return { id: c, exact: false };
  const pick = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
  return { id: pick(c.exact) ?? pick(c.ideal), exact: c.exact !== undefined };
}

/** The sources behind a stream from getUserMedia; stop them with stopUserMedia(stream) or track.stop(). */
const running = new WeakMap<MediaStream, FfmpegSource>();

/**
 * A track source that knows when its last track is gone (stopped, or ended),
 * so the capture can stop: mediacapture-streams §4.3.1 stops a source once no
 * track uses it.
 */
class CaptureTrackSource extends MediaStreamTrackSource {
  private live = 0;
  constructor(init: MediaStreamTrackSourceInit, private readonly onIdle: () => void) {
    super(init);
  }
  override attach(track: MediaStreamTrack): void {
    this.live++;
    super.attach(track);
  }
  override detach(track: MediaStreamTrack): void {
    super.detach(track);
    if (--this.live === 0) this.onIdle();
  }
}

/**
 * mediacapture-streams getUserMedia over ffmpeg: a v4l2 camera when one is
 * present (or named by deviceId), the built-in test pattern otherwise.
 * Rejects like a browser: TypeError when neither audio nor video is asked
 * for, OverconstrainedError (a DOMException here) for an exact deviceId that
 * does not exist, NotReadableError when ffmpeg cannot open the device.
 */
export async function getUserMedia(constraints: UserMediaConstraints = {}): Promise<MediaStream> {
  if (!constraints.video && !constraints.audio) {
    throw new TypeError('getUserMedia: at least one of audio and video must be requested');
  }
  const videoC: VideoConstraints = typeof constraints.video === 'object' ? constraints.video : {};
  const devices = enumerateDevices();
  const wanted = stringValue(videoC.deviceId);
  let input: MediaInput;
  if (constraints.rivulet?.input) {
    input = constraints.rivulet.input;
  } else if (wanted.id && wanted.id !== TEST_PATTERN_DEVICE_ID) {
    const device = devices.find((d) => d.kind === 'videoinput' && d.deviceId === wanted.id);
    if (!device && wanted.exact) throw new DOMException(`getUserMedia: no video device '${wanted.id}'`, 'OverconstrainedError');
    input = device ? v4l2Input(device.deviceId, videoC) : testPattern(videoC);
  } else if (wanted.id === TEST_PATTERN_DEVICE_ID) {
    input = testPattern(videoC);
  } else {
    const camera = devices.find((d) => d.kind === 'videoinput' && d.deviceId.startsWith('/dev/'));
    input = camera ? v4l2Input(camera.deviceId, videoC) : testPattern(videoC);
  }
  const frameRate = value(videoC.frameRate, 30);
  const videoCodec = constraints.rivulet?.videoCodec ?? 'H264';
  const audioCodec = constraints.rivulet?.audioCodec ?? 'opus';
  const source = new FfmpegSource({
    input,
    video: constraints.video ? { codec: videoCodec, frameRate, bitrate: constraints.rivulet?.videoBitrate } : undefined,
    audio: constraints.audio ? { codec: audioCodec } : undefined,
  });
  const label = input.type === 'test-pattern' ? 'Rivulet test pattern' : input.type === 'v4l2' ? input.device : input.type;
  let idle = 0;
  const wantedSources = (constraints.video ? 1 : 0) + (constraints.audio ? 1 : 0);
  const onIdle = () => {
    if (++idle === wantedSources) void source.stop();
  };
  const videoSource = constraints.video
    ? new CaptureTrackSource({
        kind: 'video',
        label,
        mimeType: `video/${videoCodec}`,
        settings: {
          deviceId: input.type === 'v4l2' ? input.device : TEST_PATTERN_DEVICE_ID,
          width: value(videoC.width, 640),
          height: value(videoC.height, 360),
          frameRate,
        },
      }, onIdle)
    : undefined;
  const audioSource = constraints.audio
    ? new CaptureTrackSource({
        kind: 'audio',
        label: input.type === 'test-pattern' ? 'Rivulet test tone' : label,
        mimeType: audioCodec === 'opus' ? 'audio/opus' : `audio/${audioCodec}`,
        settings: { sampleRate: audioCodec === 'opus' ? 48000 : 8000, channelCount: audioCodec === 'opus' ? 2 : 1 },
      }, onIdle)
    : undefined;
  source.on('frame', (frame) => {
    const target = frame.kind === 'video' ? videoSource : audioSource;
    target?.writeFrame({ data: frame.data, timestamp: frame.timestampUs, keyframe: frame.keyframe });
  });
  source.on('reconnecting', (error, attempt, delayMs) => {
    console.error(`[rivulet] media source lost (${error.message}); reconnecting in ${delayMs} ms (attempt ${attempt})`);
  });
  // Before the first frame an error rejects getUserMedia (NotReadableError) and is reported there.
  let live = false;
  source.once('frame', () => (live = true));
  source.on('ended', (error) => {
    if (error && live) console.error(`[rivulet] media source ended: ${error.message}`);
    videoSource?.end();
    audioSource?.end();
  });
  const tracks = [videoSource?.createTrack(), audioSource?.createTrack()].filter((t) => t !== undefined);
  const stream = new MediaStream(tracks);
  source.start();
  await firstOutput(source);
  running.set(stream, source);
  return stream;
}

/** Stops the capture behind a stream returned by getUserMedia. */
export async function stopUserMedia(stream: MediaStream): Promise<void> {
  for (const t of stream.getTracks()) t.stop();
  await running.get(stream)?.stop();
}

function testPattern(c: VideoConstraints): MediaInput {
  return { type: 'test-pattern', width: value(c.width, 640), height: value(c.height, 360), frameRate: value(c.frameRate, 30) };
}

function v4l2Input(device: string, c: VideoConstraints): MediaInput {
  return { type: 'v4l2', device, width: value(c.width, 640), height: value(c.height, 480), frameRate: value(c.frameRate, 30) };
}

/** Resolves when ffmpeg produced its first frame; rejects (NotReadableError) if it died first. */
function firstOutput(source: FfmpegSource): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void source.stop();
      reject(new DOMException('getUserMedia: the source produced no media within 10 s', 'NotReadableError'));
    }, 10_000);
    source.once('frame', () => {
      clearTimeout(timer);
      resolve();
    });
    source.once('ended', (error) => {
      clearTimeout(timer);
      reject(new DOMException(`getUserMedia: could not start the source: ${error?.message ?? 'ffmpeg ended'}`, 'NotReadableError'));
    });
  });
}

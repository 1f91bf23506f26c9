/**
 * What a media source reads, as ffmpeg input arguments. Each kind of input
 * (built-in test pattern, file, RTSP camera, v4l2 camera, ALSA microphone)
 * is one variant; `inputArgs` turns it into ffmpeg's command line.
 */
import { rtspInputArgs, type RtspInput } from '../rtsp/rtspInput.js';
import type { RtspTimeoutOption } from '../rtsp/timeoutOption.js';

export type { RtspInput };

export type MediaInput =
  | TestPatternInput
  | FileInput
  | RtspInput
  | V4l2Input
  | AlsaInput;

export interface TestPatternInput {
  type: 'test-pattern';
  width?: number;
  height?: number;
  frameRate?: number;
  /** Frequency of the test tone, Hz. */
  toneHz?: number;
}

export interface FileInput {
  type: 'file';
  path: string;
  /** Loop the file forever (default false). */
  loop?: boolean;
  /** Read at the file's own pace (default true); false reads as fast as possible. */
  realtime?: boolean;
}

export interface V4l2Input {
  type: 'v4l2';
  /** e.g. /dev/video0 */
  device: string;
  width?: number;
  height?: number;
  frameRate?: number;
  /** Ask the camera for this pixel format; 'h264' enables passthrough without transcoding. */
  inputFormat?: 'h264' | 'mjpeg' | 'yuyv422';
}

export interface AlsaInput {
  type: 'alsa';
  /** e.g. 'default' or 'hw:1,0' */
  device: string;
}

export interface InputArgs {
  args: string[];
  /** The input carries video / audio the outputs can map. */
  hasVideo: boolean;
  hasAudio: boolean;
  /** The input's video is already H.264, so it can be passed through. */
  videoIsH264: boolean | 'unknown';
}

function positive(name: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback;
  if (!Number.isFinite(v) || v <= 0) throw new TypeError(`${name} must be a positive number, got ${String(value)}`);
  return v;
}

/**
 * @param ffmpeg what is known of the ffmpeg that will run the arguments: the socket timeout option
 *   of its RTSP demuxer (rtspTimeoutOption; null: none; default: a current ffmpeg's '-timeout').
 */
export function inputArgs(input: MediaInput, ffmpeg: { rtspTimeoutOption?: RtspTimeoutOption | null } = {}): InputArgs {
  switch (input.type) {
    case 'test-pattern': {
      const w = positive('width', input.width, 640);
      const h = positive('height', input.height, 360);
      const fps = positive('frameRate', input.frameRate, 30);
      const tone = positive('toneHz', input.toneHz, 440);
      return {
        // lavfi sources run as fast as the CPU allows; -re paces them in real time.
        args: [
          '-re', '-f', 'lavfi', '-i', `testsrc2=size=${w}x${h}:rate=${fps}`,
          '-re', '-f', 'lavfi', '-i', `sine=frequency=${tone}:sample_rate=48000`,
        ],
        hasVideo: true,
        hasAudio: true,
        videoIsH264: false,
      };
    }
    case 'file': {
      if (!input.path) throw new TypeError('file input needs a path');
      const args: string[] = [];
      if (input.realtime !== false) args.push('-re');
      if (input.loop) args.push('-stream_loop', '-1');
      args.push('-i', input.path);
      return { args, hasVideo: true, hasAudio: true, videoIsH264: 'unknown' };
    }
    case 'rtsp': {
      return { args: rtspInputArgs(input, ffmpeg.rtspTimeoutOption), hasVideo: true, hasAudio: true, videoIsH264: 'unknown' };
    }
    case 'v4l2': {
      if (!input.device) throw new TypeError('v4l2 input needs a device path such as /dev/video0');
      const args = ['-f', 'v4l2'];
      if (input.inputFormat) args.push('-input_format', input.inputFormat);
      if (input.width && input.height) args.push('-video_size', `${input.width}x${input.height}`);
      if (input.frameRate) args.push('-framerate', String(input.frameRate));
      args.push('-i', input.device);
      return { args, hasVideo: true, hasAudio: false, videoIsH264: input.inputFormat === 'h264' };
    }
    case 'alsa': {
      return { args: ['-f', 'alsa', '-i', input.device || 'default'], hasVideo: false, hasAudio: true, videoIsH264: false };
    }
  }
}

import { TypedEmitter, createLogger } from '@rivulet/common';
import { requireFfmpeg } from '../ffmpeg/locate.js';
import { FfmpegProcess } from '../ffmpeg/process.js';
import type { EncodedFrame } from './encodedFrame.js';
import { audioOutputArgs, videoOutputArgs, type AudioEncoding, type VideoEncoding } from './encodings.js';
import { createFrameReader, type FrameReader } from './frameReaders.js';
import { inputArgs, type MediaInput } from './inputs.js';
import { rtspEndedError } from '../rtsp/rtspInput.js';
import { rtspTimeoutOption } from '../rtsp/timeoutOption.js';

const log = createLogger('media:source');

export interface FfmpegSourceOptions {
  input: MediaInput;
  /** Encode (or pass through) video; omit for no video. */
  video?: VideoEncoding;
  /** Encode audio; omit for no audio. Ignored for inputs without audio. */
  audio?: AudioEncoding;
  /** ffmpeg binary (default: found by findFfmpeg). */
  ffmpegPath?: string;
}

export interface FfmpegSourceEvents {
  frame: [frame: EncodedFrame];
  /**
   * ffmpeg stopped on its own: end of a file, a camera unplugged, an RTSP server gone. An RTSP
   * input always ends with an Error (see rtspEndedError), a file at its end without one.
   */
  ended: [error?: Error];
}

/**
 * One ffmpeg process reading a camera, file, RTSP URL or the test pattern and
 * writing encoded video and audio to separate pipes, split into frames.
 */
export class FfmpegSource extends TypedEmitter<FfmpegSourceEvents> {
  private process: FfmpegProcess | undefined;
  private readers: FrameReader[] = [];
  private stopped = false;
  framesOut = 0;

  constructor(readonly options: FfmpegSourceOptions) {
    super();
    if (!options.video && !options.audio) throw new TypeError('FfmpegSource needs at least one of video or audio');
  }

  get running(): boolean {
    return this.process?.running ?? false;
  }

  start(): void {
    if (this.process) throw new Error('FfmpegSource.start: already started');
    // The RTSP socket timeout option changed name in ffmpeg 5.0: ask this ffmpeg (once per binary).
    const rtspTimeout = this.options.input.type === 'rtsp' ? (rtspTimeoutOption(this.options.ffmpegPath ?? requireFfmpeg()) ?? null) : undefined;
    const input = inputArgs(this.options.input, { rtspTimeoutOption: rtspTimeout });
    const args = [...input.args];
    const codecs: (VideoEncoding | AudioEncoding)[] = [];
    let fd = 3;
    if (this.options.video && input.hasVideo) {
      args.push(...videoOutputArgs(this.options.video, 0, fd++));
      codecs.push(this.options.video);
      this.readers.push(createFrameReader(this.options.video.codec, this.options.video.frameRate ?? 30));
    }
    if (this.options.audio && input.hasAudio) {
      // The test pattern's tone is a second lavfi input; other inputs carry audio in input 0.
      const audioInput = this.options.input.type === 'test-pattern' ? 1 : 0;
      args.push(...audioOutputArgs(this.options.audio, audioInput, fd++));
      codecs.push(this.options.audio);
      this.readers.push(createFrameReader(this.options.audio.codec));
    }
    if (this.readers.length === 0) throw new TypeError(`input '${this.options.input.type}' has none of the requested media`);
    const proc = new FfmpegProcess(args, this.readers.length, this.options.ffmpegPath);
    this.process = proc;
    proc.on('data', (index, chunk) => {
      const reader = this.readers[index];
      if (!reader) return;
      for (const frame of reader.push(chunk)) this.deliver(frame);
    });
    proc.on('exit', (code, error) => {
      for (const reader of this.readers) for (const frame of reader.flush()) this.deliver(frame);
      log.debug('ffmpeg exited (%s)', code);
      if (this.stopped) return;
      const input = this.options.input;
      // A live RTSP camera never ends on its own: say why, without the URL's password.
      this.emit('ended', input.type === 'rtsp' ? rtspEndedError(input, error, proc.diagnostics) : error);
    });
    proc.start();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.process?.stop();
  }

  private deliver(frame: EncodedFrame): void {
    this.framesOut++;
    this.emit('frame', frame);
  }
}

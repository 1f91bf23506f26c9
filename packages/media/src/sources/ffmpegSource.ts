import { TypedEmitter, createLogger } from '@rivulet/common';
import { requireFfmpeg } from '../ffmpeg/locate.js';
import { FfmpegProcess } from '../ffmpeg/process.js';
import type { EncodedFrame } from './encodedFrame.js';
import { audioOutputArgs, videoOutputArgs, type AudioEncoding, type VideoEncoding } from './encodings.js';
import { createFrameReader, type FrameReader } from './frameReaders.js';
import { inputArgs, type MediaInput } from './inputs.js';
import { rtspEndedError } from '../rtsp/rtspInput.js';
import { rtspTimeoutOption } from '../rtsp/timeoutOption.js';
import { reconnectDelayMs, reconnectPolicy, type RtspReconnectPolicy } from '../rtsp/reconnect.js';

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
  /**
   * An RTSP input with `reconnect` lost its camera (`error` says why, as 'ended' would) and
   * ffmpeg starts again in `delayMs`; `attempt` counts the retries since the last frame.
   */
  reconnecting: [error: Error, attempt: number, delayMs: number];
}

/**
 * One ffmpeg process reading a camera, file, RTSP URL or the test pattern and
 * writing encoded video and audio to separate pipes, split into frames.
 */
export class FfmpegSource extends TypedEmitter<FfmpegSourceEvents> {
  private process: FfmpegProcess | undefined;
  private readers: FrameReader[] = [];
  private started = false;
  private stopped = false;
  private readonly reconnect: Required<RtspReconnectPolicy> | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private attempt = 0;
  /** Added to the current process's timestamps so they continue the previous one's. */
  private offsetUs = 0;
  /** End (timestamp + duration) of the latest frame delivered, and when it was delivered. */
  private lastEndUs = 0;
  private lastFrameAt = 0;
  framesOut = 0;

  constructor(readonly options: FfmpegSourceOptions) {
    super();
    if (!options.video && !options.audio) throw new TypeError('FfmpegSource needs at least one of video or audio');
    this.reconnect = options.input.type === 'rtsp' ? reconnectPolicy(options.input.reconnect) : undefined;
  }

  get running(): boolean {
    return this.process?.running ?? false;
  }

  start(): void {
    if (this.started) throw new Error('FfmpegSource.start: already started');
    this.started = true;
    try {
      this.launch();
    } catch (err) {
      this.started = false;
      throw err;
    }
  }

  private launch(): void {
    // The RTSP socket timeout option changed name in ffmpeg 5.0: ask this ffmpeg (once per binary).
    const rtspTimeout = this.options.input.type === 'rtsp' ? (rtspTimeoutOption(this.options.ffmpegPath ?? requireFfmpeg()) ?? null) : undefined;
    const input = inputArgs(this.options.input, { rtspTimeoutOption: rtspTimeout });
    const args = [...input.args];
    const readers: FrameReader[] = [];
    let fd = 3;
    if (this.options.video && input.hasVideo) {
      args.push(...videoOutputArgs(this.options.video, 0, fd++));
      readers.push(createFrameReader(this.options.video.codec, this.options.video.frameRate ?? 30));
    }
    if (this.options.audio && input.hasAudio) {
      // The test pattern's tone is a second lavfi input; other inputs carry audio in input 0.
      const audioInput = this.options.input.type === 'test-pattern' ? 1 : 0;
      args.push(...audioOutputArgs(this.options.audio, audioInput, fd++));
      readers.push(createFrameReader(this.options.audio.codec));
    }
    if (readers.length === 0) throw new TypeError(`input '${this.options.input.type}' has none of the requested media`);
    this.readers = readers;
    // A restarted process counts from 0 again: continue after the last frame, plus the time the camera was away.
    if (this.framesOut > 0) this.offsetUs = this.lastEndUs + Math.max(0, Date.now() - this.lastFrameAt) * 1000;
    const proc = new FfmpegProcess(args, readers.length, this.options.ffmpegPath);
    this.process = proc;
    proc.on('data', (index, chunk) => {
      const reader = readers[index];
      if (!reader) return;
      for (const frame of reader.push(chunk)) this.deliver(frame);
    });
    let exited = false;
    proc.on('exit', (code, error) => {
      // A spawn failure can be reported as both 'error' and 'exit': act once per process.
      if (exited) return;
      exited = true;
      for (const reader of readers) for (const frame of reader.flush()) this.deliver(frame);
      log.debug('ffmpeg exited (%s)', code);
      if (this.stopped) return;
      const input = this.options.input;
      // A live RTSP camera never ends on its own: say why, without the URL's password.
      const reason = input.type === 'rtsp' ? rtspEndedError(input, error, proc.diagnostics) : error;
      // Reconnect only a camera that worked: a wrong URL, password or port ends at once with its reason.
      if (this.reconnect && reason && this.framesOut > 0) {
        const delayMs = reconnectDelayMs(this.reconnect, ++this.attempt);
        this.emit('reconnecting', reason, this.attempt, delayMs);
        this.retryTimer = setTimeout(() => {
          this.retryTimer = undefined;
          if (this.stopped) return;
          try {
            this.launch();
          } catch (err) {
            // e.g. ffmpeg uninstalled meanwhile: end instead of throwing out of a timer.
            this.emit('ended', err instanceof Error ? err : new Error(String(err)));
          }
        }, delayMs);
        return;
      }
      this.emit('ended', reason);
    });
    proc.start();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    await this.process?.stop();
  }

  private deliver(frame: EncodedFrame): void {
    const out = this.offsetUs === 0 ? frame : { ...frame, timestampUs: frame.timestampUs + this.offsetUs };
    this.framesOut++;
    this.attempt = 0;
    this.lastEndUs = Math.max(this.lastEndUs, out.timestampUs + out.durationUs);
    this.lastFrameAt = Date.now();
    this.emit('frame', out);
  }
}

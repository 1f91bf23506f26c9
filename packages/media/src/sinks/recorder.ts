import path from 'node:path';
import { Counters, TypedEmitter, realClock, type Clock, type Timer } from '@rivulet/common';
import type { MediaStreamTrack } from '@rivulet/webrtc';
import { EncodedFrameReader, type EncodedFrameReaderOptions } from './encodedFrameReader.js';
import { FfmpegMuxer } from './ffmpegMuxer.js';
import type { CodecParametersSource, ReceivedFrame } from './receivedFrame.js';
import { TrackWriter } from './trackWriter.js';

export interface RecordedTrack {
  track: MediaStreamTrack;
  /** The track's RTCRtpReceiver (its negotiated codecs name the payload types). */
  receiver: CodecParametersSource;
}

export interface RecorderOptions {
  /** Output file; the extension picks the container: .mp4/.mov, .mkv, .webm, .ogg/.opus. */
  path: string;
  video?: RecordedTrack;
  audio?: RecordedTrack;
  /** ffmpeg binary (default: found by findFfmpeg). */
  ffmpegPath?: string;
  /** Passed to each EncodedFrameReader (clock, latency, key-frame request interval). */
  reader?: EncodedFrameReaderOptions;
  /** Bytes ffmpeg may lag behind on one input before frames are dropped until the next key frame (default 16 MiB). */
  maxBufferedBytes?: number;
  /**
   * With two tracks, how long after the first track's first frame to wait for the other's before
   * starting the file without it (ms, default 5000; the clock is options.reader.clock if given).
   */
  trackWaitMs?: number;
}

export type RecorderCounter =
  | 'framesWritten'
  | 'framesSkippedBeforeKeyframe'
  | 'framesDroppedCodecChange'
  | 'framesDroppedUnsupportedCodec'
  | 'framesDroppedBackpressure'
  /** A track whose first frame came after the file was started without it. */
  | 'framesDroppedLateTrack';

export interface RecordedTrackSummary {
  /** mimeType of what was written, e.g. 'video/H264' (undefined when nothing was). */
  codec: string | undefined;
  frames: number;
  keyframes: number;
  /** Container bytes handed to ffmpeg. */
  bytes: number;
  /** From the first written frame's timestamp to the last one's (µs). */
  durationUs: number;
}

export interface RecordingSummary {
  path: string;
  /** ffmpeg's exit code: 0 means the file was finalised. */
  exitCode: number | null;
  video?: RecordedTrackSummary;
  audio?: RecordedTrackSummary;
  /** ffmpeg's last stderr lines when it failed. */
  diagnostics: string;
}

export interface RecorderEvents {
  /** The first frame of a track was written (it is a key frame). */
  started: [kind: 'video' | 'audio'];
  /** Something stopped the recording early (ffmpeg failed, codec not allowed in the container). */
  error: [Error];
}

/** Codecs each container takes without transcoding (what ffmpeg 5's muxers accept with -c copy). */
const CONTAINERS: Record<string, { format: string; video: string[]; audio: string[] }> = {
  '.mp4': { format: 'mp4', video: ['h264', 'vp9', 'av1'], audio: ['opus'] },
  '.mov': { format: 'mov', video: ['h264', 'vp9', 'av1'], audio: ['opus'] },
  '.mkv': { format: 'matroska', video: ['h264', 'vp8', 'vp9', 'av1'], audio: ['opus'] },
  '.webm': { format: 'webm', video: ['vp8', 'vp9', 'av1'], audio: ['opus'] },
  '.ogg': { format: 'ogg', video: [], audio: ['opus'] },
  '.opus': { format: 'opus', video: [], audio: ['opus'] },
};

interface Input {
  kind: 'video' | 'audio';
  /** ffmpeg input index once ffmpeg runs (undefined: not started yet, or left out of the file). */
  pipe: number | undefined;
  /** When (clock ms) its first frame was written: lines the tracks up in the file. */
  firstAt: number | undefined;
  /** Container bytes held until ffmpeg starts. */
  pending: Buffer[];
  pendingBytes: number;
  reader: EncodedFrameReader;
  writer: TrackWriter;
  /** After a back-pressure drop, wait for a key frame before writing again. */
  waitKeyframe: boolean;
}

/**
 * Records remote tracks to a file without transcoding: each track's frames (EncodedFrameReader)
 * become a timed elementary stream (IVF for video, Ogg for Opus) on an ffmpeg input pipe, and
 * ffmpeg remuxes them with `-c copy`. Each track starts at a key frame (one is requested at
 * start()); ffmpeg starts when every track has its first frame (see trackWaitMs); stop() ends the
 * inputs and waits for ffmpeg to write the trailer.
 *
 * Audio and video are lined up by when their first written frames arrived (not through RTCP
 * sender reports, which readTrack does not expose): sync is as good as the difference between the
 * two tracks' network, jitter-buffer and encoder latencies.
 */
export class Recorder extends TypedEmitter<RecorderEvents> {
  readonly counters = new Counters<RecorderCounter>();
  readonly path: string;
  private readonly container: { format: string; video: string[]; audio: string[] };
  private readonly maxBufferedBytes: number;
  private inputs: Input[] = [];
  private muxer: FfmpegMuxer | undefined;
  private stateValue: 'new' | 'recording' | 'stopped' = 'new';
  private failure: Error | undefined;
  private stopping: Promise<RecordingSummary> | undefined;
  private readonly clock: Clock;
  private readonly trackWaitMs: number;
  private waitTimer: Timer | undefined;

  constructor(private readonly options: RecorderOptions) {
    super();
    if (typeof options?.path !== 'string' || options.path === '') throw new TypeError('Recorder: options.path must be a file path');
    const ext = path.extname(options.path).toLowerCase();
    const container = CONTAINERS[ext];
    if (!container) throw new TypeError(`Recorder: cannot tell the container from '${options.path}'; use one of ${Object.keys(CONTAINERS).join(', ')}`);
    if (!options.video && !options.audio) throw new TypeError('Recorder: give a video and/or an audio track');
    if (options.video && container.video.length === 0) throw new TypeError(`Recorder: a ${ext} file cannot hold video`);
    if (options.video && options.video.track?.kind !== 'video') throw new TypeError(`Recorder: options.video.track must be a video track, got kind '${String(options.video.track?.kind)}'`);
    if (options.audio && options.audio.track?.kind !== 'audio') throw new TypeError(`Recorder: options.audio.track must be an audio track, got kind '${String(options.audio.track?.kind)}'`);
    this.maxBufferedBytes = options.maxBufferedBytes ?? 16 * 1024 * 1024;
    if (!(this.maxBufferedBytes > 0)) throw new RangeError(`Recorder: maxBufferedBytes must be positive, got ${String(options.maxBufferedBytes)}`);
    this.trackWaitMs = options.trackWaitMs ?? 5000;
    if (!(this.trackWaitMs >= 0)) throw new RangeError(`Recorder: trackWaitMs must be >= 0, got ${String(options.trackWaitMs)}`);
    this.clock = options.reader?.clock ?? realClock;
    this.path = options.path;
    this.container = container;
  }

  get state(): 'new' | 'recording' | 'stopped' {
    return this.stateValue;
  }

  /** Why the recording stopped early, if it did. */
  get error(): Error | undefined {
    return this.failure;
  }

  /** Starts reading the tracks and asks each video track's sender for a key frame. */
  start(): void {
    if (this.stateValue !== 'new') throw new Error(`Recorder.start: already ${this.stateValue}`);
    this.stateValue = 'recording';
    const tracks: ['video' | 'audio', RecordedTrack][] = [];
    if (this.options.video) tracks.push(['video', this.options.video]);
    if (this.options.audio) tracks.push(['audio', this.options.audio]);
    this.inputs = tracks.map(([kind, t]) => {
      const input: Input = {
        kind,
        pipe: undefined,
        firstAt: undefined,
        pending: [],
        pendingBytes: 0,
        reader: new EncodedFrameReader(t.track, t.receiver, this.options.reader),
        writer: new TrackWriter(kind),
        waitKeyframe: false,
      };
      input.reader.on('frame', (f) => this.onFrame(input, f));
      return input;
    });
    for (const input of this.inputs) if (input.kind === 'video') input.reader.requestKeyframe('noKeyframeYet');
  }

  /** Stops reading, lets ffmpeg finalise the file, and reports what was written. Idempotent. */
  stop(): Promise<RecordingSummary> {
    this.stopping ??= this.finish();
    return this.stopping;
  }

  private async finish(): Promise<RecordingSummary> {
    this.stateValue = 'stopped';
    this.waitTimer?.cancel();
    for (const i of this.inputs) i.reader.close();
    if (!this.muxer && this.inputs.some((i) => i.writer.frames > 0)) this.spawn();
    const exitCode = (await this.muxer?.finish()) ?? null;
    const diagnostics = exitCode === 0 ? '' : this.muxer ? this.muxer.diagnostics : 'no frame was received: nothing to record (no file written)';
    const summary: RecordingSummary = { path: this.path, exitCode, diagnostics };
    for (const i of this.inputs) {
      summary[i.kind] = { codec: i.writer.mimeType, frames: i.writer.frames, keyframes: i.writer.keyframes, bytes: i.writer.bytes, durationUs: i.writer.durationUs };
    }
    return summary;
  }

  /**
   * ffmpeg starts once every track has written its first frame, or `trackWaitMs` after the first
   * one did, or at stop(): an input that never gets data would make ffmpeg fail on it. A track
   * that starts after that is left out of the file (counted framesDroppedLateTrack).
   */
  private spawn(): void {
    this.waitTimer?.cancel();
    this.waitTimer = undefined;
    const included = this.inputs.filter((i) => i.writer.frames > 0);
    const args: string[] = [];
    // Each track's timestamps start at 0 at its first written frame. A/V alignment without RTCP
    // sender reports (readTrack gives RTP only): a track that started later is shifted by how much
    // later its first frame arrived, so sync is as good as the two paths' latency difference.
    const origin = Math.min(...included.map((i) => i.firstAt ?? 0));
    included.forEach((input, index) => {
      input.pipe = index;
      const offsetMs = (input.firstAt ?? origin) - origin;
      if (offsetMs > 0) args.push('-itsoffset', (offsetMs / 1000).toFixed(3));
      args.push('-f', input.kind === 'video' ? 'ivf' : 'ogg', '-i', `pipe:${3 + index}`);
    });
    included.forEach((_, index) => args.push('-map', `${index}:0`));
    // MP4/MOV: Opus is still flagged experimental in ffmpeg 5's mov muxer.
    args.push('-c', 'copy', '-strict', 'experimental', '-f', this.container.format, '-y', this.path);
    const muxer = new FfmpegMuxer(args, included.length, this.options.ffmpegPath);
    this.muxer = muxer;
    for (const input of this.inputs) {
      for (const b of input.pending) if (input.pipe !== undefined) muxer.write(input.pipe, b);
      input.pending = [];
      input.pendingBytes = 0;
    }
  }

  private onFrame(input: Input, frame: ReceivedFrame): void {
    if (this.stateValue !== 'recording') return;
    const muxer = this.muxer;
    if (muxer && !muxer.running) return this.fail(new Error(`Recorder: ffmpeg exited while recording ${this.path}: ${muxer.diagnostics || '(no output)'}`));
    if (muxer && input.pipe === undefined) return void this.counters.inc('framesDroppedLateTrack');
    const encoding = (frame.codec.split('/')[1] ?? '').toLowerCase();
    if (input.writer.codec === undefined && !this.container[input.kind].includes(encoding)) {
      this.counters.inc('framesDroppedUnsupportedCodec');
      return this.fail(new Error(`Recorder: ${frame.codec} cannot be written to ${path.extname(this.path)} without transcoding; ` +
        `${input.kind} there must be one of ${this.container[input.kind].join(', ')} (negotiate it with setCodecPreferences, or use .mkv)`));
    }
    if (input.waitKeyframe) {
      if (!frame.keyframe) return void this.counters.inc('framesDroppedBackpressure');
      input.waitKeyframe = false;
    }
    const lag = muxer && input.pipe !== undefined ? muxer.buffered(input.pipe) : input.pendingBytes;
    if (lag > this.maxBufferedBytes) {
      // ffmpeg (or the disk) cannot keep up: dropping one frame breaks the reference chain, so
      // drop until the next key frame and ask for one.
      this.counters.inc('framesDroppedBackpressure');
      input.waitKeyframe = input.kind === 'video';
      if (input.waitKeyframe) input.reader.requestKeyframe('loss');
      return;
    }
    const out = input.writer.push(frame);
    if (out === 'beforeKeyframe') return void this.counters.inc('framesSkippedBeforeKeyframe');
    if (out === 'codecChanged') return void this.counters.inc('framesDroppedCodecChange');
    if (out === 'unsupportedCodec') return void this.counters.inc('framesDroppedUnsupportedCodec');
    this.counters.inc('framesWritten');
    if (muxer && input.pipe !== undefined) {
      for (const b of out) muxer.write(input.pipe, b);
    } else {
      for (const b of out) {
        input.pending.push(b);
        input.pendingBytes += b.length;
      }
    }
    if (input.writer.frames === 1) {
      input.firstAt = this.clock.now();
      this.emit('started', input.kind);
      if (!this.muxer) {
        if (this.inputs.every((i) => i.writer.frames > 0)) this.spawn();
        else this.waitTimer ??= this.clock.setTimeout(() => { if (this.stateValue === 'recording' && !this.muxer) this.spawn(); }, this.trackWaitMs);
      }
    }
  }

  private fail(err: Error): void {
    if (this.failure) return;
    this.failure = err;
    this.emit('error', err);
    void this.stop();
  }
}

import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import { TypedEmitter, createLogger } from '@rivulet/common';
import { requireFfmpeg } from './locate.js';

const log = createLogger('media:ffmpeg');

export interface FfmpegProcessEvents {
  /** Bytes written by ffmpeg to output `index` (0 = fd 3, 1 = fd 4, ...). */
  data: [index: number, chunk: Buffer];
  /** ffmpeg exited; `error` is set when it exited abnormally and we did not ask it to stop. */
  exit: [code: number | null, error?: Error];
}

/**
 * One ffmpeg child process whose outputs are extra pipes (fd 3, 4, ...), so a
 * single process can deliver video and audio without muxing them together.
 * stderr is kept (last lines) to explain failures.
 */
export class FfmpegProcess extends TypedEmitter<FfmpegProcessEvents> {
  private child: ChildProcess | undefined;
  private stopping = false;
  private stderrTail: string[] = [];

  constructor(
    private readonly args: string[],
    private readonly outputs: number,
    private readonly binary: string = requireFfmpeg(),
  ) {
    super();
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null;
  }

  /** The last lines ffmpeg printed on stderr. */
  get diagnostics(): string {
    return this.stderrTail.join('\n');
  }

  start(): void {
    if (this.child) throw new Error('FfmpegProcess.start: already started');
    const stdio: ('ignore' | 'pipe')[] = ['ignore', 'ignore', 'pipe'];
    for (let i = 0; i < this.outputs; i++) stdio.push('pipe');
    log.debug('spawn %s %s', this.binary, this.args.join(' '));
    const child = spawn(this.binary, ['-hide_banner', '-nostdin', '-loglevel', 'error', ...this.args], { stdio });
    this.child = child;
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (text: string) => {
      for (const line of text.split('\n')) {
        if (!line.trim()) continue;
        this.stderrTail.push(line);
        if (this.stderrTail.length > 20) this.stderrTail.shift();
      }
    });
    for (let i = 0; i < this.outputs; i++) {
      const stream = child.stdio[3 + i] as Readable | null;
      stream?.on('data', (chunk: Buffer) => this.emit('data', i, chunk));
      stream?.on('error', () => {});
    }
    child.on('error', (err) => this.emit('exit', null, new Error(`ffmpeg failed to start (${this.binary}): ${err.message}`)));
    child.on('exit', (code, signal) => {
      const clean = this.stopping || code === 0;
      const error = clean
        ? undefined
        : new Error(`ffmpeg exited with ${code ?? signal}: ${this.diagnostics || '(no output)'}`);
      this.emit('exit', code, error);
    });
  }

  /** Asks ffmpeg to quit (SIGTERM), then kills it if it has not exited within `graceMs`. */
  stop(graceMs = 1000): Promise<void> {
    const child = this.child;
    this.stopping = true;
    if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      child.kill('SIGTERM');
    });
  }
}

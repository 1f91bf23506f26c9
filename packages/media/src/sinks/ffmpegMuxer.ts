import { spawn, type ChildProcess } from 'node:child_process';
import type { Writable } from 'node:stream';
import { createLogger } from '@rivulet/common';
import { requireFfmpeg } from '../ffmpeg/locate.js';

const log = createLogger('media:mux');

/**
 * An ffmpeg child whose inputs are extra pipes (input i = fd 3 + i, `-i pipe:3`), each fed a timed
 * elementary stream in a small container (IVF, Ogg), remuxed without transcoding (`-c copy`) into
 * the output file. Ending the inputs lets ffmpeg write the trailer (MP4 moov, WebM cues): that is
 * what makes the file complete, so finish() waits for ffmpeg to exit.
 */
export class FfmpegMuxer {
  private readonly child: ChildProcess;
  private readonly inputs: Writable[] = [];
  private readonly stderrTail: string[] = [];
  private exitCode: number | null | undefined;
  private readonly exited: Promise<void>;

  constructor(args: string[], inputCount: number, binary: string = requireFfmpeg()) {
    const stdio: ('ignore' | 'pipe')[] = ['ignore', 'ignore', 'pipe'];
    for (let i = 0; i < inputCount; i++) stdio.push('pipe');
    log.debug('spawn %s %s', binary, args.join(' '));
    this.child = spawn(binary, ['-hide_banner', '-nostdin', '-loglevel', 'error', ...args], { stdio });
    this.child.stderr?.setEncoding('utf8');
    this.child.stderr?.on('data', (text: string) => {
      for (const line of text.split('\n')) {
        if (!line.trim()) continue;
        this.stderrTail.push(line);
        if (this.stderrTail.length > 20) this.stderrTail.shift();
      }
    });
    for (let i = 0; i < inputCount; i++) {
      const w = this.child.stdio[3 + i] as Writable;
      w.on('error', () => {}); // EPIPE when ffmpeg exits early: the exit code tells why
      this.inputs.push(w);
    }
    this.exited = new Promise((resolve) => {
      this.child.on('error', (err) => {
        this.stderrTail.push(`spawn failed (${binary}): ${err.message}`);
        this.exitCode = null;
        resolve();
      });
      this.child.on('exit', (code, signal) => {
        this.exitCode = code ?? (signal ? -1 : null);
        resolve();
      });
    });
  }

  get running(): boolean {
    return this.exitCode === undefined;
  }

  /** The last lines ffmpeg printed on stderr. */
  get diagnostics(): string {
    return this.stderrTail.join('\n');
  }

  /** Bytes accepted but not yet taken by ffmpeg on input `index` (for back-pressure decisions). */
  buffered(index: number): number {
    return this.inputs[index]?.writableLength ?? 0;
  }

  write(index: number, data: Buffer): void {
    const w = this.inputs[index];
    if (!w || w.destroyed || w.writableEnded || !this.running) return;
    w.write(data);
  }

  /**
   * Ends every input and waits for ffmpeg to finish the file; kills it after `timeoutMs`.
   * Resolves with ffmpeg's exit code (0 = a complete file).
   */
  async finish(timeoutMs = 10_000): Promise<number | null> {
    for (const w of this.inputs) if (!w.writableEnded) w.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    await this.exited;
    clearTimeout(timer);
    return this.exitCode ?? null;
  }
}

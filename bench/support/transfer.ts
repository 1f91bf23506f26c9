/**
 * The sending loops the data-channel benchmarks share. Back-pressure as a browser application
 * does it: send while bufferedAmount is under a high-water mark, resume on bufferedamountlow.
 */
import os from 'node:os';
import type { BenchChannel } from './stacks.js';

export const MiB = 1024 * 1024;

export interface PumpOptions {
  /** Bytes per message. */
  size: number;
  /** Messages to send. */
  count: number;
  highWater: number;
  lowThreshold: number;
}

/** Sends `count` messages of `size` bytes (one reused random-ish buffer) with back-pressure. */
export function pump(tx: BenchChannel, o: PumpOptions): void {
  const payload = new Uint8Array(o.size);
  for (let i = 0; i < payload.length; i++) payload[i] = (i * 7 + 3) & 0xff;
  let sent = 0;
  const fill = (): void => {
    while (sent < o.count && tx.bufferedAmount() < o.highWater) {
      tx.send(payload);
      sent++;
    }
  };
  tx.onLow(o.lowThreshold, fill);
  fill();
}

/** Resolves with the milliseconds from now until `bytes` bytes (or `messages` messages) arrived. */
export function receive(rx: BenchChannel, want: { bytes?: number; messages?: number }, timeoutMs: number, what: string): Promise<number> {
  const start = performance.now();
  let bytes = 0;
  let messages = 0;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what}: timed out after ${timeoutMs} ms at ${bytes} bytes / ${messages} messages`)), timeoutMs);
    rx.onMessage((n) => {
      bytes += n;
      messages++;
      if ((want.bytes !== undefined && bytes >= want.bytes) || (want.messages !== undefined && messages >= want.messages)) {
        clearTimeout(timer);
        resolve(performance.now() - start);
      }
    });
  });
}

/** Percentile by nearest rank on a copy. */
export function percentile(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

/** The 1/5/15-minute load averages: the machine is shared, so figures compare only within one run. */
export function loadAverage(): string {
  return os.loadavg().map((x) => x.toFixed(2)).join(' ');
}

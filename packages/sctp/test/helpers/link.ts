import type { FakeClock } from '@rivulet/common';
import { Prng } from '@rivulet/testkit';
import { SctpAssociation } from '../../src/association.js';
import type { SctpAssociationOptions } from '../../src/options.js';

/** A seeded random source (testkit's mulberry32 Prng) so every lossy run is reproducible. */
export function prng(seed: number): () => number {
  const p = new Prng(seed);
  return () => p.next();
}

export interface PathOptions {
  loss?: number;
  /** Uniform one-way delay in [minDelayMs, maxDelayMs]: a spread reorders packets. */
  minDelayMs?: number;
  maxDelayMs?: number;
  duplicate?: number;
}

/** One direction of an in-memory datagram link over a FakeClock. */
export class Path {
  up = true;
  sent = 0;
  delivered = 0;
  lost = 0;
  bytes = 0;
  /** Optional tap: sees every packet offered to the path (before loss). */
  tap: ((packet: Buffer) => void) | undefined;
  /** Optional filter: return true to drop this packet (targeted loss). */
  dropIf: ((packet: Buffer) => boolean) | undefined;
  target: ((packet: Buffer) => void) | undefined;

  constructor(
    private readonly clock: FakeClock,
    private readonly rand: () => number,
    public options: PathOptions,
  ) {}

  send(packet: Buffer): void {
    this.sent++;
    this.bytes += packet.length;
    this.tap?.(packet);
    if (!this.up || this.dropIf?.(packet) || this.rand() < (this.options.loss ?? 0)) {
      this.lost++;
      return;
    }
    const copies = this.rand() < (this.options.duplicate ?? 0) ? 2 : 1;
    for (let i = 0; i < copies; i++) {
      const min = this.options.minDelayMs ?? 1;
      const max = this.options.maxDelayMs ?? min;
      const delay = min + (max - min) * this.rand();
      const copy = Buffer.from(packet);
      this.clock.setTimeout(() => {
        if (!this.up) return;
        this.delivered++;
        this.target?.(copy);
      }, delay);
    }
  }
}

export interface Pair {
  a: SctpAssociation;
  b: SctpAssociation;
  ab: Path;
  ba: Path;
}

export function createPair(
  clock: FakeClock,
  path: PathOptions = {},
  options: Partial<SctpAssociationOptions> = {},
  seed = 1,
): Pair {
  const rand = prng(seed);
  const ab = new Path(clock, rand, { ...path });
  const ba = new Path(clock, rand, { ...path });
  const r32 = (): number => Math.floor(rand() * 4294967296) >>> 0;
  const a = new SctpAssociation({ clock, random: r32, ...options, send: (p) => ab.send(p) });
  const b = new SctpAssociation({ clock, random: r32, ...options, send: (p) => ba.send(p) });
  ab.target = (p) => b.handlePacket(p);
  ba.target = (p) => a.handlePacket(p);
  return { a, b, ab, ba };
}

/**
 * Runs the fake clock timer by timer until `done()` holds; returns the fake
 * ms it took. Throws after `maxMs` of fake time or when no timer is left.
 */
export function run(clock: FakeClock, done: () => boolean, maxMs = 60_000): number {
  const start = clock.now();
  let steps = 0;
  while (!done()) {
    const next = clock.nextTimerAt();
    if (next === undefined) throw new Error(`run(): no timers left after ${clock.now() - start} ms and the condition is false`);
    if (next - start > maxMs) throw new Error(`run(): condition not met within ${maxMs} ms of fake time`);
    if (++steps > 50_000_000) throw new Error('run(): step limit');
    clock.advance(Math.max(0, next - clock.now()));
  }
  return clock.now() - start;
}

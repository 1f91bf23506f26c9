import type { FakeClock } from '@rivulet/common';
import { Prng } from '@rivulet/testkit';

/** A seeded random source (testkit's mulberry32 Prng) so lossy runs are reproducible. */
export function seededRandom(seed: number): () => number {
  const p = new Prng(seed);
  return () => p.next();
}

export interface PipeOptions {
  loss?: number;
  /** Base one-way delay and random extra delay (reordering when jitter > spacing). */
  delayMs?: number;
  jitterMs?: number;
  duplicate?: number;
  seed?: number;
}

/**
 * An in-memory datagram link between two endpoints over a FakeClock, with seeded loss, delay
 * jitter (which reorders) and duplication. Stands in for @rivulet/testkit's network until it lands.
 */
export class LossyPipe {
  readonly random: () => number;
  delivered = 0;
  dropped = 0;
  /** Every datagram sent in each direction, for replay tests. */
  readonly log: { from: 'a' | 'b'; data: Buffer }[] = [];
  private handlers: { a?: (d: Buffer) => void; b?: (d: Buffer) => void } = {};

  constructor(
    private readonly clock: FakeClock,
    private readonly options: PipeOptions = {},
  ) {
    this.random = seededRandom(options.seed ?? 1);
  }

  attach(side: 'a' | 'b', handler: (d: Buffer) => void): void {
    this.handlers[side] = handler;
  }

  /** A send callback for `side`: datagrams go to the other side. */
  sender(side: 'a' | 'b'): (d: Buffer) => void {
    return (d) => {
      const copy = Buffer.from(d);
      this.log.push({ from: side, data: copy });
      const target = side === 'a' ? 'b' : 'a';
      const copies = this.random() < (this.options.duplicate ?? 0) ? 2 : 1;
      for (let i = 0; i < copies; i++) {
        if (this.random() < (this.options.loss ?? 0)) {
          this.dropped++;
          continue;
        }
        const delay = (this.options.delayMs ?? 5) + this.random() * (this.options.jitterMs ?? 0);
        this.clock.setTimeout(() => {
          this.delivered++;
          this.handlers[target]?.(copy);
        }, delay);
      }
    };
  }
}

import type { Clock } from '@rivulet/common';
import { Prng } from './prng.js';

/**
 * Impairments of one direction of a link. Every probability is drawn from the
 * link direction's own seeded PRNG, so a run with the same seed and the same
 * traffic makes the same decisions.
 */
export interface LinkConditions {
  /** True cuts the link: every packet entering or leaving it is dropped ('link-cut'). */
  cut?: boolean;
  /** Probability in [0, 1] that a packet is lost. */
  loss?: number;
  /** Fixed one-way propagation delay in ms. */
  delayMs?: number;
  /** Extra delay drawn uniformly from [0, jitterMs] per packet (may reorder packets, like netem). */
  jitterMs?: number;
  /** Probability that a packet is held back by `reorderDelayMs` extra, so later packets overtake it. */
  reorder?: number;
  /** Extra delay of a reordered packet (default 10 ms). */
  reorderDelayMs?: number;
  /** Probability that a packet is delivered twice. */
  duplicate?: number;
  /** Serialization rate in bits per second; packets queue FIFO behind each other. Unset = unlimited. */
  bandwidthBps?: number;
  /** Bytes the bandwidth queue holds before tail-dropping ('queue-full'); default 1 MiB. */
  queueBytes?: number;
  /**
   * Largest IP packet the link carries, in bytes (the payload plus 28 bytes of IPv4+UDP or 48 of
   * IPv6+UDP headers). Bigger datagrams are dropped as 'too-big', as if sent with DF set.
   */
  mtu?: number;
}

export type DropReason =
  | 'link-cut'
  | 'loss'
  | 'queue-full'
  | 'no-route'
  | 'no-socket'
  | 'nat-no-mapping'
  | 'nat-filtered'
  | 'nat-hairpin'
  | 'nat-family'
  | 'tap'
  | 'bad-address'
  | 'too-big';

/** What a link direction reports back to the network. */
export interface LinkSink {
  drop(reason: DropReason): void;
  duplicated(): void;
  /** Bookkeeping for `VirtualNetwork.inFlight`. */
  scheduled(): void;
  settled(): void;
}

function validate(c: LinkConditions, where: string): void {
  const prob = (name: keyof LinkConditions) => {
    const v = c[name];
    if (v !== undefined && (typeof v !== 'number' || !(v >= 0 && v <= 1))) {
      throw new Error(`${where}: ${name} must be a probability in [0, 1], got ${String(v)}`);
    }
  };
  const nonNeg = (name: keyof LinkConditions) => {
    const v = c[name];
    if (v !== undefined && (typeof v !== 'number' || !(v >= 0) || !Number.isFinite(v))) {
      throw new Error(`${where}: ${name} must be a finite number >= 0, got ${String(v)}`);
    }
  };
  prob('loss');
  prob('reorder');
  prob('duplicate');
  nonNeg('delayMs');
  nonNeg('jitterMs');
  nonNeg('reorderDelayMs');
  nonNeg('queueBytes');
  if (c.mtu !== undefined && !(Number.isInteger(c.mtu) && c.mtu >= 68)) {
    throw new Error(`${where}: mtu must be an integer >= 68 (bytes), got ${String(c.mtu)}`);
  }
  if (c.bandwidthBps !== undefined && !(c.bandwidthBps > 0 && Number.isFinite(c.bandwidthBps))) {
    throw new Error(`${where}: bandwidthBps must be a finite number > 0, got ${String(c.bandwidthBps)}`);
  }
}

/** One direction of a link: impairs, queues and delays packets through clock timers. */
export class LinkDirection {
  private conditionsValue: Readonly<LinkConditions> = {};
  private readonly prng: Prng;
  /** When the serializer finishes the last queued packet (bandwidth model). */
  private busyUntil = 0;
  /** Packets that entered this direction. */
  packets = 0;
  /** Bytes that entered this direction. */
  bytes = 0;

  constructor(
    readonly name: string,
    private readonly clock: Clock,
    private readonly sink: LinkSink,
    seed: string,
  ) {
    this.prng = new Prng(`${seed}/${name}`);
  }

  get conditions(): Readonly<LinkConditions> {
    return this.conditionsValue;
  }

  set(conditions: LinkConditions): void {
    validate(conditions, `link ${this.name}`);
    this.conditionsValue = { ...conditions };
  }

  /** Bytes currently waiting for the serializer. */
  backlogBytes(): number {
    const bps = this.conditionsValue.bandwidthBps;
    if (bps === undefined) return 0;
    return (Math.max(0, this.busyUntil - this.clock.now()) * bps) / 8000;
  }

  /**
   * Puts a packet on the link; `exit` runs from a clock timer when it comes out
   * the far end (never synchronously in the sender's call stack).
   */
  transmit(data: Buffer, exit: (data: Buffer) => void, headerBytes = 28): void {
    const size = data.length;
    const c = this.conditionsValue;
    this.packets++;
    this.bytes += size;
    if (c.cut) return this.sink.drop('link-cut');
    if (c.mtu !== undefined && size + headerBytes > c.mtu) return this.sink.drop('too-big');
    if (this.prng.chance(c.loss ?? 0)) return this.sink.drop('loss');
    const now = this.clock.now();
    let leaves = now;
    if (c.bandwidthBps !== undefined) {
      const limit = c.queueBytes ?? 1 << 20;
      if (this.backlogBytes() + size > limit) return this.sink.drop('queue-full');
      const start = Math.max(now, this.busyUntil);
      this.busyUntil = start + (size * 8000) / c.bandwidthBps;
      leaves = this.busyUntil;
    }
    this.schedule(leaves, exit, data);
    if (this.prng.chance(c.duplicate ?? 0)) {
      this.sink.duplicated();
      // The twin gets its own bytes: receivers must not see each other's mutations.
      this.schedule(leaves, exit, Buffer.from(data));
    }
  }

  private schedule(leaves: number, exit: (data: Buffer) => void, data: Buffer): void {
    const c = this.conditionsValue;
    let at = leaves + (c.delayMs ?? 0);
    if (c.jitterMs) at += this.prng.next() * c.jitterMs;
    if (this.prng.chance(c.reorder ?? 0)) at += c.reorderDelayMs ?? 10;
    this.sink.scheduled();
    this.clock.setTimeout(() => {
      this.sink.settled();
      // A packet still on the wire when the link is cut is lost with it.
      if (this.conditionsValue.cut) return this.sink.drop('link-cut');
      exit(data);
    }, at - this.clock.now());
  }
}

export type LinkSide = 'up' | 'down' | 'both';

/**
 * The access link between a host (or NAT) and whatever it hangs off: `up`
 * carries packets away from the node, `down` towards it.
 */
export class Link {
  readonly up: LinkDirection;
  readonly down: LinkDirection;

  constructor(name: string, clock: Clock, sink: LinkSink, seed: string, initial?: LinkConditions) {
    this.up = new LinkDirection(`${name}/up`, clock, sink, seed);
    this.down = new LinkDirection(`${name}/down`, clock, sink, seed);
    if (initial) this.set(initial);
  }

  /** Replaces the conditions of one or both directions. */
  set(conditions: LinkConditions, side: LinkSide = 'both'): void {
    for (const d of this.sides(side)) d.set(conditions);
  }

  /** Changes only the given fields, keeping the rest. */
  update(changes: LinkConditions, side: LinkSide = 'both'): void {
    for (const d of this.sides(side)) d.set({ ...d.conditions, ...changes });
  }

  /** Cuts the link (a dead peer, an unplugged cable); packets in flight are lost too. */
  cut(side: LinkSide = 'both'): void {
    this.update({ cut: true }, side);
  }

  restore(side: LinkSide = 'both'): void {
    this.update({ cut: false }, side);
  }

  private sides(side: LinkSide): LinkDirection[] {
    if (side === 'up') return [this.up];
    if (side === 'down') return [this.down];
    if (side === 'both') return [this.up, this.down];
    throw new Error(`link side must be 'up', 'down' or 'both', got ${String(side)}`);
  }
}

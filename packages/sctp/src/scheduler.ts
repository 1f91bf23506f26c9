import { add16 } from '@rivulet/common';

/** A user message waiting for its turn; it gets TSNs only when the scheduler picks it. */
export interface PendingMessage {
  streamId: number;
  ppid: number;
  data: Buffer;
  unordered: boolean;
  maxRetransmits: number | undefined;
  expiresAt: number | undefined;
  /** Counts towards the stream's bufferedAmount (user data, not DCEP). */
  counted: boolean;
}

interface OutStream<M extends PendingMessage> {
  id: number;
  queue: M[];
  head: number;
  /** Stride-scheduling pass value: virtual time this stream has consumed. */
  pass: number;
  weight: number;
  nextSsn: number;
  buffered: number;
  active: boolean;
}

/**
 * The outgoing stream scheduler. RFC 8831 §6.2 asks data channels not to
 * block one another; without I-DATA (RFC 8260) the unit of interleaving is
 * the whole message, so messages wait here per stream and are picked by
 * weighted fair queueing (stride scheduling: the active stream with the least
 * virtual time consumed goes next, each message costing bytes ÷ weight).
 * Weights follow the channel priority (RFC 8831 §6.4: very-low 1, low 2,
 * medium 4, high 8). It also owns per-stream SSNs and bufferedAmount.
 */
export class StreamScheduler<M extends PendingMessage = PendingMessage> {
  private readonly streams = new Map<number, OutStream<M>>();
  private active: OutStream<M>[] = [];
  private vtime = 0;
  private readonly drained = new Set<number>();
  pending = 0;

  constructor(private readonly onExpired: (m: M) => void) {}

  private stream(id: number): OutStream<M> {
    let s = this.streams.get(id);
    if (!s) {
      s = { id, queue: [], head: 0, pass: 0, weight: 2, nextSsn: 0, buffered: 0, active: false };
      this.streams.set(id, s);
    }
    return s;
  }

  get isEmpty(): boolean {
    return this.pending === 0;
  }

  /** Queues a message; `priority` is the RFC 8832 wire value (128, 256, 512, 1024). */
  push(m: M, priority = 256): void {
    const s = this.stream(m.streamId);
    s.weight = Math.max(1, Math.round(priority / 128));
    s.queue.push(m);
    this.pending++;
    if (m.counted) s.buffered += m.data.length;
    if (!s.active) {
      s.active = true;
      s.pass = Math.max(s.pass, this.vtime);
      this.active.push(s);
    }
  }

  /** The next message to transmit, or undefined. Messages whose lifetime passed in the queue are dropped. */
  pop(now: number): M | undefined {
    while (this.active.length > 0) {
      let best = this.active[0]!;
      for (let i = 1; i < this.active.length; i++) if (this.active[i]!.pass < best.pass) best = this.active[i]!;
      const m = best.queue[best.head]!;
      best.queue[best.head++] = undefined as unknown as M;
      this.pending--;
      if (best.head === best.queue.length) {
        best.queue = [];
        best.head = 0;
        best.active = false;
        this.active = this.active.filter((s) => s !== best);
      } else if (best.head > 1024 && best.head * 2 > best.queue.length) {
        best.queue = best.queue.slice(best.head);
        best.head = 0;
      }
      if (m.expiresAt !== undefined && now >= m.expiresAt) {
        // RFC 3758 §3.5 A1: abandoned before it was ever sent; no TSN is spent on it,
        // and it costs the stream no share of the link.
        this.unbuffer(m.streamId, m.counted ? m.data.length : 0);
        this.onExpired(m);
        continue;
      }
      this.vtime = best.pass;
      best.pass += Math.max(1, m.data.length) / best.weight;
      return m;
    }
    return undefined;
  }

  /** Assigns the stream sequence number of an ordered message (RFC 9260 §6.5). */
  takeSsn(streamId: number): number {
    const s = this.stream(streamId);
    const ssn = s.nextSsn;
    s.nextSsn = add16(ssn, 1);
    return ssn;
  }

  /** RFC 6525 §5.1.2: after an outgoing reset the stream's SSNs restart at 0. */
  resetSsn(streamId: number): void {
    const s = this.streams.get(streamId);
    if (s) s.nextSsn = 0;
  }

  hasPending(streamId: number): boolean {
    const s = this.streams.get(streamId);
    return s !== undefined && s.head < s.queue.length;
  }

  bufferedAmount(streamId: number): number {
    return this.streams.get(streamId)?.buffered ?? 0;
  }

  unbuffer(streamId: number, bytes: number): void {
    if (bytes === 0) return;
    const s = this.streams.get(streamId);
    if (!s) return;
    s.buffered -= bytes;
    this.drained.add(streamId);
  }

  /** Streams whose bufferedAmount went down since the last call. */
  takeDrained(): number[] {
    if (this.drained.size === 0) return [];
    const out = [...this.drained];
    this.drained.clear();
    return out;
  }
}

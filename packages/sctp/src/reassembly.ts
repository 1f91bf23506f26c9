import { add16, seqDiff16, seqLessOrEqual16, seqLessOrEqual32, seqLessThan16 } from '@rivulet/common';
import type { DataChunk, ForwardTsnStream } from './chunks/types.js';

/** Bookkeeping cost charged per held fragment or waiting message (roughly its object's size). */
export const PIECE_OVERHEAD = 64;

export type Deliver = (streamId: number, ppid: number, data: Buffer) => void;

/**
 * A held fragment is the parsed DATA chunk itself (no copy of its fields per chunk): its
 * `userData` is a view into the received packet, which handlePacket() takes ownership of, and
 * fragments are copied once, into the reassembled message.
 */
type Fragment = DataChunk;

interface Ready {
  ppid: number;
  data: Buffer;
}

interface InStream {
  nextSsn: number;
  /** Complete ordered messages waiting for an earlier SSN. */
  ready: Map<number, Ready>;
}

/**
 * Reassembly of fragmented user messages (RFC 9260 §6.9) and per-stream
 * ordered delivery by stream sequence number (§6.5, §6.6). Fragments of
 * one message carry consecutive TSNs, so a message is complete when the
 * run from its B fragment to its E fragment has no hole. Each message is
 * copied exactly once, into a buffer of its final size, which then belongs
 * to the receiver alone.
 */
export class Reassembly {
  /**
   * Bytes held here (fragments and out-of-order messages) plus a fixed
   * overhead per held piece, so a peer cannot pin memory with a flood of
   * one-byte fragments: counts against our a_rwnd.
   */
  bytesBuffered = 0;
  private readonly fragments = new Map<number, Fragment>();
  private readonly streams = new Map<number, InStream>();

  constructor(private readonly deliver: Deliver) {}

  private stream(id: number): InStream {
    let s = this.streams.get(id);
    if (!s) {
      s = { nextSsn: 0, ready: new Map() };
      this.streams.set(id, s);
    }
    return s;
  }

  /** Accepts a new (non-duplicate) DATA chunk. */
  add(c: DataChunk): void {
    if (c.beginning && c.ending) {
      // A view into the received packet, which handlePacket() owns: no copy.
      this.complete(c.streamId, c.ssn, c.unordered, c.ppid, c.userData);
      return;
    }
    this.fragments.set(c.tsn, c);
    this.bytesBuffered += c.userData.length + PIECE_OVERHEAD;
    this.tryAssemble(c);
  }

  private sameMessage(a: Fragment, b: Fragment | undefined): b is Fragment {
    return b !== undefined && b.streamId === a.streamId && b.unordered === a.unordered && (a.unordered || b.ssn === a.ssn);
  }

  private tryAssemble(f: Fragment): void {
    // Walk forward to the E fragment first: with in-order arrival this stops at once.
    let last = f;
    while (!last.ending) {
      const n = this.fragments.get((last.tsn + 1) >>> 0);
      if (!this.sameMessage(f, n) || n.beginning) return;
      last = n;
    }
    let first = f;
    while (!first.beginning) {
      const p = this.fragments.get((first.tsn - 1) >>> 0);
      if (!this.sameMessage(f, p) || p.ending) return;
      first = p;
    }
    const count = ((last.tsn - first.tsn) >>> 0) + 1;
    let total = 0;
    for (let i = 0, t = first.tsn; i < count; i++, t = (t + 1) >>> 0) total += this.fragments.get(t)!.userData.length;
    // Delivery contract (docs/sctp.md): a reassembled message is a Buffer spanning an ArrayBuffer
    // of its own (allocUnsafeSlow: never a slice of Node's shared pool, even when small) that we
    // keep no reference to, so the receiver may take the ArrayBuffer over without copying
    // (RTCDataChannel does). Single-chunk messages are views into the packet and must be copied.
    const msg = Buffer.allocUnsafeSlow(total);
    let off = 0;
    for (let i = 0, t = first.tsn; i < count; i++, t = (t + 1) >>> 0) {
      const part = this.fragments.get(t)!;
      part.userData.copy(msg, off);
      off += part.userData.length;
      this.fragments.delete(t);
    }
    this.bytesBuffered -= total + count * PIECE_OVERHEAD;
    this.complete(f.streamId, f.ssn, f.unordered, first.ppid, msg);
  }

  private complete(streamId: number, ssn: number, unordered: boolean, ppid: number, data: Buffer): void {
    if (unordered) {
      this.deliver(streamId, ppid, data);
      return;
    }
    const s = this.stream(streamId);
    if (ssn === s.nextSsn) {
      s.nextSsn = add16(ssn, 1);
      this.deliver(streamId, ppid, data);
      this.drainReady(streamId, s);
    } else if (seqLessThan16(s.nextSsn, ssn)) {
      s.ready.set(ssn, { ppid, data });
      this.bytesBuffered += data.length + PIECE_OVERHEAD;
    }
    // else: an SSN we already delivered or skipped; the TSN map let it through
    // only after a stream reset race. Dropping it is the safe choice.
  }

  private drainReady(streamId: number, s: InStream): void {
    for (;;) {
      const r = s.ready.get(s.nextSsn);
      if (!r) return;
      s.ready.delete(s.nextSsn);
      this.bytesBuffered -= r.data.length + PIECE_OVERHEAD;
      s.nextSsn = add16(s.nextSsn, 1);
      this.deliver(streamId, r.ppid, r.data);
    }
  }

  /**
   * RFC 3758 §3.6: drop fragments at or below the new cumulative TSN, then
   * for each named ordered stream deliver what is ready up to the skipped
   * SSN and continue after it.
   */
  forward(newCum: number, streams: readonly ForwardTsnStream[]): void {
    for (const [tsn, f] of this.fragments) {
      if (seqLessOrEqual32(tsn, newCum)) {
        this.fragments.delete(tsn);
        this.bytesBuffered -= f.userData.length + PIECE_OVERHEAD;
      }
    }
    for (const { streamId, ssn } of streams) {
      const s = this.stream(streamId);
      if (!seqLessOrEqual16(s.nextSsn, ssn)) continue;
      const waiting = [...s.ready.keys()].filter((k) => seqLessOrEqual16(k, ssn));
      waiting.sort((a, b) => seqDiff16(b, a));
      for (const k of waiting) {
        const r = s.ready.get(k)!;
        s.ready.delete(k);
        this.bytesBuffered -= r.data.length + PIECE_OVERHEAD;
        this.deliver(streamId, r.ppid, r.data);
      }
      s.nextSsn = add16(ssn, 1);
      this.drainReady(streamId, s);
    }
  }

  /** RFC 6525 §5.2.2: an incoming stream reset restarts its SSNs at 0. */
  resetStreams(ids: readonly number[]): void {
    for (const id of ids) {
      const s = this.streams.get(id);
      if (!s) continue;
      for (const r of s.ready.values()) this.bytesBuffered -= r.data.length + PIECE_OVERHEAD;
      this.streams.delete(id);
    }
  }
}

import { Counters, TypedEmitter, unwrap16, type Clock, type Timer } from '@rivulet/common';
import type { Depayloader, PacketInfo, RtpPacketLike } from '../codecs/types.js';
import { ReferenceChain } from './referenceChain.js';
import type { JitterBufferEvents, JitterBufferOptions, JitterCounter } from './types.js';

export type { JitterBufferEvents, JitterBufferOptions, JitterCounter, JitterFrame, KeyframeRequestReason } from './types.js';

/** A sequence jump further than this (or maxPackets) means the sender restarted: start over. */
const RESET_DISTANCE = 0x2000;

interface Slot<P> {
  packet: P;
  info: PacketInfo;
  arrival: number;
}

/**
 * Reorders RTP packets by sequence number (16-bit wrap, RFC 3550 §A.1),
 * assembles frames and emits each complete one in order with its timestamp
 * and keyframe flag. A frame ends at the marker bit (RFC 3551 §4.1 for video)
 * or where the next packet carries another timestamp; it starts after the
 * previous frame's end or, when that is unknown after a loss, at a packet the
 * codec marks as a possible start. An incomplete frame is given up
 * maxLatencyMs after a later packet shows a packet missing (or after packets
 * stop arriving); the loss is reported and, for video, a keyframe is requested
 * and later frames dropped until one arrives (their references are gone).
 */
export class JitterBuffer<P extends RtpPacketLike = RtpPacketLike> extends TypedEmitter<JitterBufferEvents<P>> {
  readonly counters = new Counters<JitterCounter>();
  private readonly clock: Clock;
  private readonly depayloader: Depayloader;
  private readonly maxLatencyMs: number;
  private readonly maxPackets: number;
  private readonly dropUntilKeyframe: boolean;
  private readonly initialDelayMs: number;
  private firstArrival: number | undefined;
  private readonly slots = new Map<number, Slot<P>>();
  /** Extended sequence number of the next packet to deliver. */
  private head: number | undefined;
  private highest = 0;
  /** The packet just before head, when known (undefined at start and after a loss). */
  private prev: { timestamp: number; marker: boolean } | undefined;
  private started = false;
  private readonly chain: ReferenceChain;
  private lastArrival = 0;
  /**
   * Set when the head packet cannot start a frame and nothing before it is known:
   * 'now' after the first frame (nothing earlier can come), 'atStart' before it
   * (an earlier packet may still arrive, for maxLatencyMs after the first one).
   */
  private headIsPartial: 'now' | 'atStart' | undefined;
  private timer: Timer | undefined;
  private timerAt = Infinity;
  private processing = false;
  private emittedCount = 0;
  private totalDelayMs = 0;
  private closed = false;

  constructor(options: JitterBufferOptions) {
    super();
    this.clock = options.clock;
    this.depayloader = options.depayloader;
    this.maxLatencyMs = positive('maxLatencyMs', options.maxLatencyMs ?? 200);
    this.maxPackets = positive('maxPackets', options.maxPackets ?? 1000);
    this.dropUntilKeyframe = options.dropUntilKeyframe ?? true;
    this.initialDelayMs = options.initialDelayMs ?? 0;
    if (!(this.initialDelayMs >= 0 && this.initialDelayMs < this.maxLatencyMs)) {
      throw new RangeError(
        `JitterBuffer: initialDelayMs must be in [0, maxLatencyMs=${this.maxLatencyMs}), got ${String(options.initialDelayMs)}`,
      );
    }
    this.chain = new ReferenceChain(
      this.clock,
      positive('keyframeRequestIntervalMs', options.keyframeRequestIntervalMs ?? 500),
      this.depayloader.independentFrames,
      (reason) => {
        this.counters.inc('keyframeRequests');
        this.emit('keyframeNeeded', reason);
      },
    );
  }

  /** True while decoding is blocked on a keyframe. */
  get needsKeyframe(): boolean {
    return this.chain.needsKeyframe;
  }

  /** Packets currently held. */
  get size(): number {
    return this.slots.size;
  }

  /**
   * For getStats (W3C webrtc-stats RTCInboundRtpStreamStats): frames emitted and
   * the summed time each waited here, from its first packet's arrival to its
   * emission (jitterBufferEmittedCount, jitterBufferDelay in ms).
   */
  get delayStats(): { emittedCount: number; totalDelayMs: number } {
    return { emittedCount: this.emittedCount, totalDelayMs: this.totalDelayMs };
  }

  /** Adds one received packet; malformed, late and duplicate packets are dropped and counted. */
  insert(packet: P): void {
    if (this.closed) return;
    this.counters.inc('packetsReceived');
    const info = this.depayloader.inspect(packet.payload);
    if (!info) {
      this.counters.inc('packetsMalformed');
      return;
    }
    const ext = this.head === undefined ? packet.sequenceNumber + 0x10000 : unwrap16(this.highest, packet.sequenceNumber);
    if (this.head !== undefined) {
      if (Math.abs(ext - this.head) > Math.max(this.maxPackets, RESET_DISTANCE)) {
        this.reset(); // the sender restarted or we were away too long: nothing held can complete
        this.chain.loss();
      } else if (ext < this.head) {
        if (this.started) {
          this.counters.inc('packetsLate');
          return;
        }
        this.head = ext; // before the first frame, an earlier packet moves the start back
      }
    }
    if (this.slots.has(ext)) {
      this.counters.inc('packetsDuplicate');
      return;
    }
    const now = this.clock.now();
    this.firstArrival ??= now;
    this.slots.set(ext, { packet, info, arrival: now });
    if (this.head === undefined || ext > this.highest) this.highest = ext;
    this.head ??= ext;
    this.lastArrival = now;
    this.process();
  }

  /** Stops the timer and drops everything held. */
  close(): void {
    this.closed = true;
    this.timer?.cancel();
    this.timer = undefined;
    this.slots.clear();
  }

  private reset(): void {
    this.counters.inc('resets');
    this.counters.inc('packetsLost', this.slots.size);
    this.slots.clear();
    this.head = undefined;
    this.prev = undefined;
  }

  private process(): void {
    if (this.processing) return;
    this.processing = true;
    try {
      for (let guard = 0; guard <= this.maxPackets * 2 + 2; guard++) {
        this.headIsPartial = undefined;
        if (this.tryAssemble()) continue;
        if (this.slots.size > this.maxPackets || this.headIsPartial === 'now' || this.clock.now() >= this.deadline()) {
          this.giveUpHead();
          continue;
        }
        break;
      }
      this.schedule();
    } finally {
      this.processing = false;
    }
  }

  /**
   * When the blocked head frame is given up. With a hole in the sequence, the
   * missing packet gets maxLatencyMs from the moment a later packet showed it
   * missing (reordering); with no hole the frame is still arriving in order
   * (e.g. a paced keyframe) or lost its tail with nothing after it, so it gets
   * maxLatencyMs after packets stop coming.
   */
  private deadline(): number {
    if (this.head === undefined || this.slots.size === 0) return Infinity;
    if (this.headIsPartial === 'atStart') return this.firstArrival! + this.maxLatencyMs;
    let missing = this.head;
    while (missing <= this.highest && this.slots.has(missing)) missing++;
    if (missing > this.highest) return this.lastArrival + this.maxLatencyMs;
    let known = Infinity;
    for (const [seq, slot] of this.slots) if (seq > missing && slot.arrival < known) known = slot.arrival;
    return known + this.maxLatencyMs;
  }

  /** Delivers or discards the frame at head; false when it must wait for more packets. */
  private tryAssemble(): boolean {
    if (this.head === undefined) return false;
    const first = this.slots.get(this.head);
    if (!first) return false;
    if (!this.started && this.clock.now() < this.firstArrival! + this.initialDelayMs) return false;
    const ts = first.packet.timestamp;
    if (this.prev && !this.prev.marker && this.prev.timestamp === ts && !this.depayloader.packetIsFrame) {
      // The rest of a frame we already gave up on.
      this.slots.delete(this.head);
      this.counters.inc('packetsLate');
      this.head++;
      this.afterHeadMoved({ timestamp: ts, marker: first.packet.marker });
      return true;
    }
    if (!this.prev && !first.info.frameStart) {
      // The middle of a frame whose start we never saw: after the first frame nothing
      // earlier can arrive, so give it up now; before it, wait for reordered packets.
      this.headIsPartial = this.started ? 'now' : 'atStart';
      return false;
    }
    const packets: P[] = [first.packet];
    let firstArrival = first.arrival;
    let end = this.head;
    if (!this.depayloader.packetIsFrame) {
      for (let cur = first; !cur.packet.marker; ) {
        const next = this.slots.get(end + 1);
        if (!next) return false;
        if (next.packet.timestamp !== ts) break;
        packets.push(next.packet);
        firstArrival = Math.min(firstArrival, next.arrival);
        cur = next;
        end++;
      }
    }
    for (let s = this.head; s <= end; s++) this.slots.delete(s);
    this.head = end + 1;
    this.started = true;
    this.afterHeadMoved({ timestamp: ts, marker: packets[packets.length - 1]!.marker });
    this.deliver(packets, firstArrival);
    return true;
  }

  private deliver(packets: P[], firstArrival: number): void {
    const frame = this.depayloader.depayload(packets);
    if (!frame) {
      this.counters.inc('framesMalformed');
      this.chain.loss();
      return;
    }
    if (!this.chain.accept(frame.keyframe) && this.dropUntilKeyframe) {
      this.counters.inc('framesDroppedWaitingForKeyframe');
      return;
    }
    this.counters.inc('framesEmitted');
    this.emittedCount++;
    this.totalDelayMs += this.clock.now() - firstArrival;
    this.emit('frame', { data: frame.data, timestamp: frame.timestamp, keyframe: frame.keyframe, packets });
  }

  /**
   * Gives up the frame at head: the missing packets are lost. Skips to the
   * first held packet of a later frame; whether it starts a frame is then unknown.
   */
  private giveUpHead(): void {
    if (this.head === undefined || this.slots.size === 0) return;
    const first = this.slots.get(this.head);
    let next = this.head;
    let lastKept: Slot<P> | undefined;
    let lost = 0;
    let lostFrom: number | undefined;
    for (; next <= this.highest; next++) {
      const slot = this.slots.get(next);
      if (!slot) {
        lost++;
        lostFrom ??= next;
        lastKept = undefined;
        continue;
      }
      if (first && slot.packet.timestamp === first.packet.timestamp) {
        this.slots.delete(next);
        lastKept = slot;
        continue;
      }
      if (!first && next > this.head) break; // head itself was missing: stop at the first held packet
      break;
    }
    if (first) this.counters.inc('framesIncomplete');
    if (lost > 0) {
      this.counters.inc('packetsLost', lost);
      this.emit('loss', { firstSequenceNumber: lostFrom! & 0xffff, count: lost });
    }
    this.head = next;
    this.started = true;
    this.afterHeadMoved(lastKept ? { timestamp: lastKept.packet.timestamp, marker: false } : undefined);
    this.chain.loss();
  }

  private afterHeadMoved(prev: { timestamp: number; marker: boolean } | undefined): void {
    this.prev = prev;
    if (this.slots.size === 0 && this.head !== undefined) this.highest = this.head - 1;
  }

  private schedule(): void {
    let at = this.deadline();
    const startAt = this.firstArrival! + this.initialDelayMs;
    if (!this.started && this.slots.size > 0 && startAt > this.clock.now()) at = Math.min(at, startAt);
    if (at === Infinity) {
      this.timer?.cancel();
      this.timer = undefined;
      this.timerAt = Infinity;
      return;
    }
    // Never re-arm in the past: a stuck state must not spin the clock.
    at = Math.max(at, this.clock.now() + 1);
    // A timer due earlier simply re-evaluates when it fires: no churn per packet.
    if (this.timer && this.timerAt <= at) return;
    this.timer?.cancel();
    this.timerAt = at;
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.timerAt = Infinity;
      this.process();
    }, at - this.clock.now());
  }
}

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) {
    throw new RangeError(`JitterBuffer: ${name} must be a positive number, got ${String(value)}`);
  }
  return value;
}

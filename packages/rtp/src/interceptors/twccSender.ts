import { Counters } from '@rivulet/common';
import { twccPacketResults, type RtcpPacket } from '../rtcp/index.js';
import type { RtpPacket } from '../rtp/index.js';
import type { Interceptor, StreamInfo } from './interceptor.js';

/** One sent packet's fate, from a TWCC feedback matched against what we sent. */
export interface TwccPacketFeedback {
  transportSequence: number;
  sendTimeMs: number;
  /** Bytes on the wire without SRTP/UDP overhead (header + payload + padding). */
  size: number;
  /** Arrival on the receiver's clock, ms; undefined when reported lost. */
  arrivalTimeMs: number | undefined;
}

export interface TwccSenderOptions {
  /** Sent packets remembered for matching feedback; power of two. Default 8192. */
  historySize?: number;
  /** Called once per feedback packet with its results in transport sequence order. */
  onFeedback?: (results: TwccPacketFeedback[], nowMs: number) => void;
}

interface Sent {
  seq: number;
  sendTimeMs: number;
  size: number;
}

/**
 * Sender side of transport-wide congestion control (draft-holmer-rmcat-transport-wide-cc-
 * extensions-01): stamps one transport-wide 16-bit sequence number, shared by all bound streams,
 * into each outgoing packet's header extension (§2), remembers send time and size, and turns
 * incoming TWCC feedback (§3.1) into per-packet send/arrival pairs for the bandwidth estimator.
 * Place it after the NACK responder so retransmissions get their own numbers.
 */
export class TwccSender implements Interceptor {
  readonly counters = new Counters<'stamped' | 'feedbacks' | 'unknownInFeedback'>();
  onFeedback: ((results: TwccPacketFeedback[], nowMs: number) => void) | undefined;
  private readonly ids = new Map<number, number>();
  private next = 0;
  private readonly history: (Sent | undefined)[];
  private readonly mask: number;

  constructor(options: TwccSenderOptions = {}) {
    const size = options.historySize ?? 8192;
    if (!Number.isInteger(size) || size < 16 || size > 65536 || (size & (size - 1)) !== 0) {
      throw new Error(`TwccSender historySize must be a power of two in [16, 65536], got ${size}`);
    }
    this.history = new Array<Sent | undefined>(size);
    this.mask = size - 1;
    this.onFeedback = options.onFeedback;
  }

  bindLocalStream(stream: StreamInfo): void {
    const id = stream.transportCcExtensionId;
    if (id === undefined) return;
    this.ids.set(stream.ssrc, id);
    // RTX packets are clones of the original, extension included: they must get a fresh number.
    if (stream.rtxSsrc !== undefined) this.ids.set(stream.rtxSsrc, id);
  }

  unbindLocalStream(ssrc: number): void {
    this.ids.delete(ssrc);
  }

  /** The transport sequence number the next stamped packet gets. */
  get nextSequence(): number {
    return this.next;
  }

  outgoingRtp(packet: RtpPacket, now: number): RtpPacket | undefined {
    const id = this.ids.get(packet.ssrc);
    if (id === undefined) return packet;
    const seq = this.next;
    this.next = (seq + 1) & 0xffff;
    packet.setExtension(id, Buffer.from([seq >>> 8, seq & 0xff]));
    this.history[seq & this.mask] = { seq, sendTimeMs: now, size: packet.serializedLength };
    this.counters.inc('stamped');
    return packet;
  }

  incomingRtcp(packets: RtcpPacket[], now: number): RtcpPacket[] {
    for (const p of packets) {
      if (p.kind !== 'twcc') continue;
      this.counters.inc('feedbacks');
      let results;
      try {
        results = twccPacketResults(p);
      } catch {
        continue; // inconsistent chunks/deltas: nothing usable
      }
      const out: TwccPacketFeedback[] = [];
      for (const r of results) {
        const sent = this.history[r.sequenceNumber & this.mask];
        if (sent === undefined || sent.seq !== r.sequenceNumber) {
          this.counters.inc('unknownInFeedback');
          continue;
        }
        out.push({
          transportSequence: r.sequenceNumber,
          sendTimeMs: sent.sendTimeMs,
          size: sent.size,
          arrivalTimeMs: r.received && r.receivedAtUs !== undefined && Number.isFinite(r.receivedAtUs) ? r.receivedAtUs / 1000 : undefined,
        });
      }
      if (out.length > 0) this.onFeedback?.(out, now);
    }
    return packets;
  }
}

import { Counters } from '@rivulet/common';
import {
  checkMaxPayloadSize,
  type DepayloadDropReason,
  type DepayloadedFrame,
  type Depayloader,
  type PacketInfo,
  type Payloader,
  type RtpPacketLike,
  type RtpPayload,
} from './types.js';

/** G.711 runs at 8000 samples/s with one byte per sample (RFC 3551 §4.5.14). */
export const G711_CLOCK_RATE = 8000;

export interface G711PayloaderOptions {
  /** Maximum RTP payload size in bytes; default 1200. */
  maxPayloadSize?: number;
}

/**
 * PCMU/PCMA (RFC 3551 §4.5.14) payloader: the samples are the payload. A block
 * longer than maxPayloadSize is split on sample boundaries (every byte is a
 * sample), each piece its own packet advancing the timestamp by its length.
 */
export class G711Payloader implements Payloader {
  readonly maxPayloadSize: number;

  constructor(options: G711PayloaderOptions = {}) {
    this.maxPayloadSize = checkMaxPayloadSize('G.711', options.maxPayloadSize ?? 1200, 1);
  }

  payload(frame: Buffer): RtpPayload[] {
    const out: RtpPayload[] = [];
    for (let off = 0; off < frame.length; off += this.maxPayloadSize) {
      out.push({ payload: frame.subarray(off, Math.min(frame.length, off + this.maxPayloadSize)), marker: false });
    }
    return out;
  }
}

/** PCMU/PCMA depayloader: passthrough, every packet a frame. */
export class G711Depayloader implements Depayloader {
  readonly packetIsFrame = true;
  readonly independentFrames = true;
  readonly counters = new Counters<DepayloadDropReason>();

  constructor(readonly codec: 'pcmu' | 'pcma' = 'pcmu') {}

  inspect(payload: Buffer): PacketInfo | undefined {
    if (payload.length === 0) {
      this.counters.inc('malformedPacket');
      return undefined;
    }
    return { frameStart: true, keyframe: true };
  }

  depayload(packets: readonly RtpPacketLike[]): DepayloadedFrame | undefined {
    if (packets.length !== 1 || packets[0]!.payload.length === 0) {
      this.counters.inc(packets.length === 0 ? 'emptyFrame' : 'malformedFrame');
      return undefined;
    }
    return { data: packets[0]!.payload, timestamp: packets[0]!.timestamp, keyframe: true };
  }
}

/** One framed block of G.711 samples and the RTP timestamp offset of its first sample. */
export interface G711Frame {
  samples: Buffer;
  /** Samples since the framer started (add the stream's random initial RTP timestamp). */
  timestampOffset: number;
}

/**
 * Cuts a raw 8 kHz G.711 sample stream (e.g. `ffmpeg -f mulaw -`) into
 * fixed-duration frames, 20 ms (160 samples) by default as RFC 3551 §4.5
 * recommends, whatever chunk sizes the stream arrives in.
 */
export class G711Framer {
  readonly samplesPerFrame: number;
  private pending: Buffer = Buffer.alloc(0);
  private emitted = 0;

  constructor(options: { ptimeMs?: number } = {}) {
    const ptime = options.ptimeMs ?? 20;
    if (!Number.isInteger(ptime) || ptime < 1 || ptime > 1000) {
      throw new RangeError(`G711Framer: ptimeMs must be an integer in [1, 1000], got ${String(ptime)}`);
    }
    this.samplesPerFrame = (G711_CLOCK_RATE * ptime) / 1000;
  }

  /** Adds samples; returns every whole frame now available. */
  push(chunk: Buffer): G711Frame[] {
    const data = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const out: G711Frame[] = [];
    let off = 0;
    while (data.length - off >= this.samplesPerFrame) {
      out.push({ samples: data.subarray(off, off + this.samplesPerFrame), timestampOffset: this.emitted });
      this.emitted += this.samplesPerFrame;
      off += this.samplesPerFrame;
    }
    this.pending = Buffer.from(data.subarray(off));
    return out;
  }

  /** Samples held back waiting for a whole frame. */
  get bufferedSamples(): number {
    return this.pending.length;
  }
}

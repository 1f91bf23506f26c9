/**
 * The outgoing streams of one sender's pipeline (sendPipeline.ts): each encoding's numbering
 * cursor (SSRC, sequence number, RTP timeline, passthrough offsets) and the writer that builds
 * packets on a cursor with our MID/RID header extensions and keeps the sender's counters.
 */
import { RtpPacket } from '@rivulet/rtp';
import { randomBytes } from 'node:crypto';
import type { NegotiatedSend } from '../transceiver/RTCRtpSender.js';

const MID_URI = 'urn:ietf:params:rtp-hdrext:sdes:mid';
const RID_URI = 'urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id';

/** Where one outgoing stream (one encoding) stands. */
export interface StreamCursor {
  ssrc: number;
  rid: string | undefined;
  seq: number;
  /** RTP timestamp base for frames. */
  tsBase: number;
  firstUs: number | undefined;
  /** Passthrough rebasing: input → output offsets, reset when the source changes. */
  seqOffset: number | undefined;
  tsOffset: number | undefined;
  lastOutSeq: number;
  lastOutTs: number;
  lastInSsrc: number | undefined;
  /** Passthrough: input sequence number where the current source was joined, and its newest. */
  firstInSeq: number;
  highestInSeq: number;
  lockedSsrc: number | undefined;
  lockedAt: number;
  /** performance.now() of the last packet sent. */
  lastOutAt: number;
}

function rand16(): number { return randomBytes(2).readUInt16BE(0); }
function rand32(): number { return randomBytes(4).readUInt32BE(0); }

/** RFC 3550 §5.1: random initial sequence number and timestamp. */
export function createCursor(ssrc: number, rid: string | undefined): StreamCursor {
  return {
    ssrc, rid, seq: rand16(), tsBase: rand32(), firstUs: undefined, seqOffset: undefined, tsOffset: undefined,
    lastOutSeq: 0, lastOutTs: 0, lastInSsrc: undefined, firstInSeq: 0, highestInSeq: 0, lockedSsrc: undefined, lockedAt: 0,
    lastOutAt: performance.now(),
  };
}

/** Re-anchors the frame timeline after the last packet sent, plus the time since (RFC 3550 §5.1). */
export function continueTimeline(cursors: readonly StreamCursor[], clockRate: number): void {
  const now = performance.now();
  for (const c of cursors) {
    if (c.firstUs === undefined) continue;
    c.tsBase = (c.lastOutTs + Math.max(1, Math.round(((now - c.lastOutAt) * clockRate) / 1000))) >>> 0;
    c.firstUs = undefined;
  }
}

export interface SendCounters {
  packetsSent: number;
  bytesSent: number;
  framesSent: number;
  framesDroppedCodecMismatch: number;
  framesDroppedAwaitingKeyframe: number;
  blackFramesSent: number;
}

/** Builds and sends packets on a cursor; counts them. */
export class StreamWriter {
  readonly stats: SendCounters = {
    packetsSent: 0, bytesSent: 0, framesSent: 0, framesDroppedCodecMismatch: 0, framesDroppedAwaitingKeyframe: 0, blackFramesSent: 0,
  };
  /** Simulcast negotiated: media packets carry the encoding's rid (RFC 8852). */
  readonly useRid: boolean;
  readonly payloadType: number;
  private readonly midId: number | undefined;
  private readonly ridId: number | undefined;
  private readonly midBuf: Buffer;

  constructor(n: NegotiatedSend, private readonly send: (packet: RtpPacket) => void) {
    this.midId = n.headerExtensions.find((h) => h.uri === MID_URI)?.id;
    this.ridId = n.headerExtensions.find((h) => h.uri === RID_URI)?.id;
    this.midBuf = Buffer.from(n.mid, 'ascii');
    this.useRid = n.rids.length > 0;
    this.payloadType = n.codecs[0]!.payloadType;
  }

  /** Our MID (RFC 8843 §15) and, for simulcast, RID header extensions for stream c. */
  extensions(c: StreamCursor, useRid: boolean): { id: number; data: Buffer }[] {
    const exts: { id: number; data: Buffer }[] = [];
    if (this.midId !== undefined) exts.push({ id: this.midId, data: this.midBuf });
    if (useRid && this.ridId !== undefined && c.rid !== undefined) exts.push({ id: this.ridId, data: Buffer.from(c.rid, 'ascii') });
    return exts;
  }

  /** Each packet is a fresh object: the NACK responder keeps a reference for retransmission. */
  emit(p: RtpPacket, payloadBytes: number): void {
    this.stats.packetsSent++;
    this.stats.bytesSent += payloadBytes;
    this.send(p);
  }

  /** One media packet of the negotiated codec on stream c at RTP time ts; the cursor moves past it. */
  writeMedia(c: StreamCursor, ts: number, marker: boolean, payload: Buffer): void {
    const p = new RtpPacket({
      payloadType: this.payloadType, sequenceNumber: c.seq, timestamp: ts, ssrc: c.ssrc, marker,
      extensions: this.extensions(c, this.useRid), payload,
    });
    c.seq = (c.seq + 1) & 0xffff;
    c.lastOutSeq = p.sequenceNumber;
    c.lastOutTs = ts;
    c.lastOutAt = performance.now();
    this.emit(p, payload.length);
  }

  /** One frame's payloads on stream c at RTP time ts: consecutive sequence numbers, marker from the payloader. */
  writeFrame(c: StreamCursor, ts: number, payloads: readonly { payload: Buffer; marker: boolean }[]): void {
    for (const pl of payloads) this.writeMedia(c, ts, pl.marker, pl.payload);
    this.stats.framesSent++;
  }
}

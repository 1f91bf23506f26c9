import { Counters, TypedEmitter, realClock, reportError, type Clock, type Timer } from '@rivulet/common';
import { H264Depayloader, JitterBuffer, RtpPacket, createDepayloader, type Depayloader, type KeyframeRequestReason } from '@rivulet/rtp';
import { readTrack, requestKeyframe, type MediaStreamTrack } from '@rivulet/webrtc';
import { FrameQueue } from './frameQueue.js';
import type { CodecParametersSource, FrameReaderCounter, NegotiatedCodec, ReceivedFrame } from './receivedFrame.js';

export interface EncodedFrameReaderOptions {
  /** Time source for the jitter buffer and the request throttle (default: the real clock). */
  clock?: Clock;
  /** Give up an incomplete frame this long after a hole shows (ms, default 200; JitterBuffer maxLatencyMs). */
  maxLatencyMs?: number;
  /** At most one key-frame request per this many ms (default 500). */
  keyframeRequestIntervalMs?: number;
  /** Frames an async iterator holds for a slow consumer before dropping the oldest (default 300). */
  maxQueuedFrames?: number;
  /**
   * Another SSRC takes over only after the current one has been silent this long (ms, default 1000):
   * a simulcast receiver's track carries every layer, and interleaved layers must not restart the
   * pipeline on every packet (read one layer with simulcastLayerTrack(receiver, rid) instead).
   */
  ssrcSwitchAfterMs?: number;
  /** How to ask the sender for a key frame (default: @rivulet/webrtc requestKeyframe(track), a PLI/FIR). */
  requestKeyframe?: (track: MediaStreamTrack) => boolean;
}

export interface EncodedFrameReaderEvents {
  frame: [ReceivedFrame];
  /** Packets that will never be delivered (16-bit sequence numbers). */
  loss: [{ firstSequenceNumber: number; count: number }];
  /** A key-frame request was sent, and why the jitter buffer wanted it. */
  keyframeRequested: [KeyframeRequestReason];
  /** close() was called or the track ended. */
  closed: [];
}

/** Codecs that repair another stream rather than carry frames (RFC 4588 rtx, RFC 2198 red, FEC). */
const REPAIR = new Set(['rtx', 'red', 'ulpfec', 'flexfec-03', 'flexfec']);

interface Pipeline {
  codec: NegotiatedCodec;
  encoding: string;
  ssrc: number;
  jitter: JitterBuffer<RtpPacket>;
}

/**
 * Complete encoded frames out of a remote track: readTrack's RTP → RtpPacket → JitterBuffer with the
 * negotiated codec's depayloader → frames in order, each with its µs timestamp from the RTP clock.
 * A payload-type change to another codec, or a new SSRC once the old one has been silent for
 * ssrcSwitchAfterMs, rebuilds the depayloader and jitter buffer.
 * Key-frame requests from the jitter buffer (loss, stream joined mid-GOP) go out through
 * requestKeyframe(track), at most one per keyframeRequestIntervalMs; a request held back by the
 * throttle is sent when it expires if decoding is still blocked. Malformed or unknown packets are
 * dropped and counted, never thrown.
 */
export class EncodedFrameReader extends TypedEmitter<EncodedFrameReaderEvents> implements AsyncIterable<ReceivedFrame> {
  readonly counters = new Counters<FrameReaderCounter>();
  private readonly clock: Clock;
  private readonly maxLatencyMs: number;
  private readonly requestIntervalMs: number;
  private readonly maxQueuedFrames: number;
  private readonly ssrcSwitchAfterMs: number;
  private lastPacketAt = -Infinity;
  private readonly sendRequest: (track: MediaStreamTrack) => boolean;
  private codecs = new Map<number, NegotiatedCodec>();
  private pipeline: Pipeline | undefined;
  private unsubscribe: (() => void) | undefined;
  private readonly onEnded = (): void => this.close();
  private lastRequestAt = -Infinity;
  private pendingRequest: Timer | undefined;
  /** RTP timestamp unwrapping (RFC 3550 §5.1: the timestamp wraps at 2^32). */
  private lastRtpTs: number | undefined;
  private extendedTs = 0;
  private firstExtendedTs: number | undefined;
  /** Set when a new SSRC took over: its RTP timestamps have another random origin (RFC 3550 §5.1). */
  private rebase = false;
  private lastFrameAt = 0;
  private queues = new Set<FrameQueue>();
  private closedFlag = false;

  constructor(
    readonly track: MediaStreamTrack,
    private readonly receiver: CodecParametersSource,
    options: EncodedFrameReaderOptions = {},
  ) {
    super();
    if (!track || typeof track !== 'object' || typeof track.addEventListener !== 'function') {
      throw new TypeError('EncodedFrameReader: track must be a MediaStreamTrack');
    }
    if (typeof receiver?.getParameters !== 'function') {
      throw new TypeError('EncodedFrameReader: receiver must be the track\'s RTCRtpReceiver (something with getParameters())');
    }
    this.clock = options.clock ?? realClock;
    this.maxLatencyMs = positive('maxLatencyMs', options.maxLatencyMs ?? 200);
    this.requestIntervalMs = positive('keyframeRequestIntervalMs', options.keyframeRequestIntervalMs ?? 500);
    this.maxQueuedFrames = positive('maxQueuedFrames', options.maxQueuedFrames ?? 300);
    this.ssrcSwitchAfterMs = positive('ssrcSwitchAfterMs', options.ssrcSwitchAfterMs ?? 1000);
    this.sendRequest = options.requestKeyframe ?? requestKeyframe;
    this.refreshCodecs();
    if (track.readyState === 'ended') {
      this.closedFlag = true;
      return;
    }
    track.addEventListener('ended', this.onEnded);
    this.unsubscribe = readTrack(track, { rtp: (bytes) => this.onRtp(bytes) });
  }

  get closed(): boolean {
    return this.closedFlag;
  }

  /** The codec currently being depayloaded (undefined before the first packet). */
  get codec(): NegotiatedCodec | undefined {
    return this.pipeline?.codec;
  }

  /** Frames in order until close() or the track ends. Each iterator has its own bounded queue. */
  [Symbol.asyncIterator](): AsyncIterator<ReceivedFrame> {
    const queue = new FrameQueue(this.maxQueuedFrames, () => this.counters.inc('framesDroppedQueueFull'), () => this.queues.delete(queue));
    if (this.closedFlag) queue.end();
    else this.queues.add(queue);
    return queue;
  }

  /** Asks for a key frame now (subject to the throttle); true when a request was sent. */
  requestKeyframe(reason: KeyframeRequestReason = 'noKeyframeYet'): boolean {
    if (this.closedFlag) return false;
    const now = this.clock.now();
    const wait = this.lastRequestAt + this.requestIntervalMs - now;
    if (wait > 0) {
      this.counters.inc('keyframeRequestsThrottled');
      // Held, not forgotten: when the throttle expires, ask again if decoding is still blocked.
      this.pendingRequest ??= this.clock.setTimeout(() => {
        this.pendingRequest = undefined;
        if (this.pipeline?.jitter.needsKeyframe) this.requestKeyframe(reason);
      }, wait);
      return false;
    }
    this.lastRequestAt = now;
    this.counters.inc('keyframeRequests');
    try {
      this.sendRequest(this.track);
    } catch (err) {
      reportError(err, 'EncodedFrameReader: requestKeyframe');
    }
    this.emit('keyframeRequested', reason);
    return true;
  }

  /** Stops reading, drops held packets, ends every iterator. Idempotent. */
  close(): void {
    if (this.closedFlag) return;
    this.closedFlag = true;
    this.unsubscribe?.();
    this.track.removeEventListener('ended', this.onEnded);
    this.pendingRequest?.cancel();
    this.pendingRequest = undefined;
    this.pipeline?.jitter.close();
    for (const q of this.queues) q.end();
    this.queues.clear();
    this.emit('closed');
  }

  private refreshCodecs(): void {
    this.codecs = new Map(this.receiver.getParameters().codecs.map((c) => [c.payloadType, c]));
  }

  private onRtp(bytes: Uint8Array): void {
    if (this.closedFlag) return;
    this.counters.inc('packets');
    // A copy: the jitter buffer holds packets, and parsing keeps views of the input.
    const packet = RtpPacket.tryParse(Buffer.from(bytes));
    if (!packet) {
      this.counters.inc('packetsMalformed');
      return;
    }
    let p = this.pipeline;
    const now = this.clock.now();
    if (p && p.ssrc !== packet.ssrc && now - this.lastPacketAt < this.ssrcSwitchAfterMs) {
      this.counters.inc('packetsOtherSsrc');
      return;
    }
    if (!p || p.codec.payloadType !== packet.payloadType || p.ssrc !== packet.ssrc) {
      p = this.switchPipeline(packet);
      if (!p) return;
    }
    this.lastPacketAt = now;
    p.jitter.insert(packet);
  }

  /** A new pipeline for this packet's codec/SSRC, or undefined (counted) when it carries no frames we can rebuild. */
  private switchPipeline(packet: RtpPacket): Pipeline | undefined {
    let codec = this.codecs.get(packet.payloadType);
    if (!codec) {
      this.refreshCodecs(); // renegotiation may have added it
      codec = this.codecs.get(packet.payloadType);
    }
    const encoding = codec?.mimeType.split('/')[1] ?? '';
    if (codec && REPAIR.has(encoding.toLowerCase())) {
      this.counters.inc('packetsRepair');
      return undefined;
    }
    let depayloader: Depayloader;
    try {
      if (!codec) throw new Error('not negotiated');
      depayloader = encoding.toLowerCase() === 'h264' ? h264Depayloader(codec) : createDepayloader(encoding);
    } catch {
      this.counters.inc('packetsUnknownPayloadType');
      return undefined;
    }
    const old = this.pipeline;
    if (old) {
      // Same codec and SSRC with only another payload type: keep the chain (a browser may
      // announce one codec under two payload types, e.g. two H.264 profiles).
      if (old.ssrc === packet.ssrc && old.encoding === encoding.toLowerCase() && old.codec.clockRate === codec!.clockRate) {
        old.codec = codec!;
        return old;
      }
      old.jitter.close();
      this.counters.inc('pipelineRebuilds');
      if (old.ssrc !== packet.ssrc) this.rebase = true;
    }
    const jitter = new JitterBuffer<RtpPacket>({
      clock: this.clock,
      depayloader,
      maxLatencyMs: this.maxLatencyMs,
      keyframeRequestIntervalMs: this.requestIntervalMs,
    });
    const p: Pipeline = { codec: codec!, encoding: encoding.toLowerCase(), ssrc: packet.ssrc, jitter };
    jitter.on('frame', (f) => this.deliver(p, f.data, f.timestamp, f.keyframe));
    jitter.on('loss', (l) => {
      this.counters.inc('packetsLost', l.count);
      this.emit('loss', l);
    });
    jitter.on('keyframeNeeded', (reason) => this.requestKeyframe(reason));
    this.pipeline = p;
    return p;
  }

  private deliver(p: Pipeline, data: Buffer, rtpTimestamp: number, keyframe: boolean): void {
    const now = this.clock.now();
    if (this.lastRtpTs === undefined) this.extendedTs = rtpTimestamp;
    else if (this.rebase) {
      // A new stream's timestamps mean nothing next to the old one's: continue the timeline by
      // the wall time since the last frame (at least one tick), so timestamps never go back.
      this.extendedTs += Math.max(1, Math.round(((now - this.lastFrameAt) * p.codec.clockRate) / 1000));
    } else this.extendedTs += (rtpTimestamp - this.lastRtpTs) | 0; // signed 32-bit difference
    this.rebase = false;
    this.lastRtpTs = rtpTimestamp;
    this.lastFrameAt = now;
    this.firstExtendedTs ??= this.extendedTs;
    const frame: ReceivedFrame = {
      data,
      timestamp: Math.round(((this.extendedTs - this.firstExtendedTs) * 1_000_000) / p.codec.clockRate),
      rtpTimestamp,
      keyframe,
      codec: p.codec.mimeType,
      clockRate: p.codec.clockRate,
      payloadType: p.codec.payloadType,
      ssrc: p.ssrc,
    };
    this.counters.inc('frames');
    if (keyframe) this.counters.inc('keyframes');
    for (const q of this.queues) q.push(frame);
    this.emit('frame', frame);
  }
}

/** H.264 with SPS/PPS re-inserted ahead of a bare IDR, seeded from sprop-parameter-sets (RFC 6184 §8.1). */
function h264Depayloader(codec: NegotiatedCodec): H264Depayloader {
  const d = new H264Depayloader({ insertParameterSets: true });
  const sprop = /(?:^|;)\s*sprop-parameter-sets=([^;]+)/.exec(codec.sdpFmtpLine ?? '')?.[1];
  const sets = sprop?.split(',').map((s) => Buffer.from(s.trim(), 'base64'));
  const sps = sets?.find((s) => s.length > 1 && (s[0]! & 0x1f) === 7);
  const pps = sets?.find((s) => s.length > 1 && (s[0]! & 0x1f) === 8);
  if (sps && pps) {
    try {
      d.setParameterSets(sps, pps);
    } catch {
      // malformed SDP parameter sets: in-band ones still work
    }
  }
  return d;
}

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`EncodedFrameReader: ${name} must be a positive number, got ${String(value)}`);
  return value;
}

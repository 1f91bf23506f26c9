import { opusPacketSamples } from '@rivulet/rtp';
import { IVF_FOURCC, ivfFileHeader, ivfFrameHeader, keyframeSize } from './ivfWriter.js';
import { OGG_BOS, oggPage, opusHead, opusTags } from './oggOpusWriter.js';
import type { ReceivedFrame } from './receivedFrame.js';

/** Why a frame was not written. */
export type SkipReason = 'beforeKeyframe' | 'codecChanged' | 'unsupportedCodec';

/**
 * One track's frames as a timed elementary stream for ffmpeg: video as IVF with a 1/90000 time base
 * (pts = RTP ticks since the first written frame), Opus as Ogg pages with granule positions in
 * 48 kHz samples (RFC 7845 §4). Writing starts at a key frame (a file must open decodable); the
 * codec is fixed by the first written frame, since neither container can change it mid-stream.
 */
export class TrackWriter {
  codec: string | undefined;
  mimeType: string | undefined;
  frames = 0;
  keyframes = 0;
  bytes = 0;
  private firstUs = 0;
  private lastUs = 0;
  private oggSequence = 0;
  private readonly oggSerial: number;

  constructor(readonly kind: 'video' | 'audio', serial = 0x52495655 /* 'RIVU' */) {
    this.oggSerial = serial;
  }

  /** Media time covered from the first written frame to the last one's start (µs). */
  get durationUs(): number {
    return this.frames === 0 ? 0 : this.lastUs - this.firstUs;
  }

  /** The container bytes for this frame (headers first on the first one), or why it was skipped. */
  push(frame: ReceivedFrame): Buffer[] | SkipReason {
    const encoding = (frame.codec.split('/')[1] ?? '').toLowerCase();
    if (this.codec === undefined) {
      if (this.kind === 'video' ? !(encoding in IVF_FOURCC) : encoding !== 'opus') return 'unsupportedCodec';
      if (!frame.keyframe) return 'beforeKeyframe';
      this.codec = encoding;
      this.mimeType = frame.codec;
      this.firstUs = frame.timestamp;
      const out = this.kind === 'video' ? this.videoStart(frame) : this.audioStart(frame);
      return this.count(frame, [...out, ...this.body(frame)]);
    }
    if (encoding !== this.codec) return 'codecChanged';
    return this.count(frame, this.body(frame));
  }

  private count(frame: ReceivedFrame, out: Buffer[]): Buffer[] {
    this.frames++;
    if (frame.keyframe) this.keyframes++;
    this.lastUs = frame.timestamp;
    for (const b of out) this.bytes += b.length;
    return out;
  }

  private videoStart(frame: ReceivedFrame): Buffer[] {
    const size = keyframeSize(this.codec!, frame.data);
    return [ivfFileHeader(IVF_FOURCC[this.codec!]!, size?.width ?? 0, size?.height ?? 0)];
  }

  private audioStart(frame: ReceivedFrame): Buffer[] {
    // RFC 7587 §7: the SDP always says opus/48000/2; the packets' TOC decides mono or stereo.
    const stereo = frame.data.length > 0 && (frame.data[0]! & 0x04) !== 0;
    // Pre-skip 0: the encoder's priming delay is not signalled over RTP.
    return [
      oggPage(opusHead(stereo ? 2 : 1, 0), this.oggSerial, this.oggSequence++, 0n, OGG_BOS),
      oggPage(opusTags(), this.oggSerial, this.oggSequence++, 0n, 0),
    ];
  }

  private body(frame: ReceivedFrame): Buffer[] {
    const sinceStartUs = frame.timestamp - this.firstUs;
    if (this.kind === 'video') {
      // µs back to 90 kHz ticks is exact: the reader derived µs from the ticks with rounding < 0.5 µs.
      return [ivfFrameHeader(frame.data.length, Math.round((sinceStartUs * 90000) / 1_000_000)), frame.data];
    }
    const samples = Math.round((sinceStartUs * 48000) / 1_000_000) + opusPacketSamples(frame.data);
    return [oggPage(frame.data, this.oggSerial, this.oggSequence++, BigInt(samples), 0)];
  }
}

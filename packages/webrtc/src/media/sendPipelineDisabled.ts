/**
 * What a sender sends while its track is disabled (sendPipeline.ts):
 * - audio: webrtc-pc §5.2 (RTCRtpSender) — silence, as browsers do, so the receiver's playout
 *   and its RTCP keep running: one 20 ms packet every 20 ms (Opus, PCMU, PCMA);
 * - video: mediacapture-streams §4.3.1 — a disabled track renders black frames and the sender
 *   sends them (VP8, H.264; disabledVideo.ts): a key frame at once, then repeats at the source's
 *   frame rate, continuing the sequence numbers and RTP timestamps. Other video codecs send nothing.
 */
import { createPayloader, type Payloader } from '@rivulet/rtp';
import type { RTCRtpCodecParameters } from '../jsep/capabilities.js';
import type { SenderState } from '../transceiver/RTCRtpSender.js';
import { BlackVideo, supportsBlackFrames } from './disabledVideo.js';
import type { EncodedFrame } from './frames.js';
import { trackInternals } from './MediaStreamTrack.js';
import type { StreamCursor, StreamWriter } from './sendPipelineStreams.js';

/** 20 ms of silence per codec: an Opus CELT-only 20 ms silence frame (RFC 6716 §3.1, TOC 0xF8), G.711 silence samples. */
function silencePayload(mimeType: string): Buffer | undefined {
  switch (mimeType.toLowerCase()) {
    case 'audio/opus': return Buffer.from([0xf8, 0xff, 0xfe]);
    case 'audio/pcmu': return Buffer.alloc(160, 0xff);
    case 'audio/pcma': return Buffer.alloc(160, 0xd5);
    default: return undefined;
  }
}

export class DisabledTrackSending {
  /** Black frames were sent since the last source frame: the next one must not go back in RTP time. */
  afterBlack = false;
  private readonly silence: Buffer | undefined;
  private silenceTimer: { cancel(): void } | undefined;
  private readonly black: BlackVideo | undefined;
  private readonly blackPayloader: Payloader | undefined;
  private blackTimer: { cancel(): void } | undefined;
  private blackInPeriod = 0;

  constructor(
    private readonly s: SenderState,
    private readonly codec: RTCRtpCodecParameters,
    private readonly cursors: readonly StreamCursor[],
    private readonly writer: StreamWriter,
    private readonly activeIndex: () => number,
    framePayloader: Payloader | undefined,
  ) {
    this.silence = silencePayload(codec.mimeType);
    this.black = s.kind === 'video' && framePayloader && supportsBlackFrames(codec.mimeType) ? new BlackVideo(codec.mimeType, codec.sdpFmtpLine) : undefined;
    // H.264 black frames have their own payloader: the frames' one keeps the source's SPS/PPS to insert.
    this.blackPayloader = this.black?.mimeType.toLowerCase() === 'video/h264' ? createPayloader('H264') : framePayloader;
  }

  /** Black frames can be sent for this sender (video, VP8 or H.264). */
  get hasBlackFrames(): boolean {
    return this.black !== undefined;
  }

  /** Silence packets are being sent now. */
  get sendingSilence(): boolean {
    return this.silenceTimer !== undefined;
  }

  /** The track became disabled (or is subscribed disabled): start silence or black frames. */
  start(): void {
    if (this.s.kind === 'video') {
      if (!this.black || this.blackTimer) return;
      this.blackInPeriod = 0;
      this.black.requestKeyframe();
      this.sendBlack();
      return;
    }
    if (!this.silence || this.silenceTimer) return;
    this.sendSilence();
  }

  stop(): void {
    this.silenceTimer?.cancel();
    this.silenceTimer = undefined;
    this.blackTimer?.cancel();
    this.blackTimer = undefined;
  }

  /** A receiver asked for a key frame (PLI/FIR reach the track's source): while black, send one now. */
  onKeyframeRequest(): void {
    if (!this.blackTimer || !this.black) return;
    this.blackTimer.cancel();
    this.blackTimer = undefined;
    this.black.requestKeyframe();
    this.sendBlack();
  }

  /** A frame the source sent: the size and rate black frames are made at. */
  observe(frame: EncodedFrame): void {
    this.black?.observe(frame);
  }

  /** Another track feeds the sender: black frames take the new source's size and rate. */
  forgetSource(): void {
    this.black?.forgetSource();
  }

  /** Only while the sender's track is live and disabled: an ended track sends nothing. */
  private disabledLive(): boolean {
    const t = this.s.track;
    return t !== null && t.readyState === 'live' && !t.enabled;
  }

  /** First packet ever on this stream: the random base; otherwise `stepMs` after the last one. */
  private nextTimestamp(c: StreamCursor, stepMs: number, min: number): number {
    return c.firstUs === undefined && c.lastInSsrc === undefined && this.writer.stats.packetsSent === 0
      ? c.tsBase
      : (c.lastOutTs + Math.max(min, Math.round((stepMs * this.codec.clockRate) / 1000))) >>> 0;
  }

  private sendSilence = (): void => {
    if (!this.disabledLive()) {
      this.silenceTimer = undefined;
      return;
    }
    this.silenceTimer = this.s.ctx.clock.setTimeout(this.sendSilence, 20);
    const i = this.activeIndex();
    if (i < 0 || !this.silence) return;
    const c = this.cursors[i]!;
    const ts = this.nextTimestamp(c, 20, 0);
    c.firstUs = c.firstUs ?? 0; // the timeline now has a history: the next frame continues it
    this.writer.writeMedia(c, ts, false, this.silence);
  };

  private sendBlack = (): void => {
    if (!this.disabledLive() || !this.black || !this.blackPayloader) {
      this.blackTimer = undefined;
      return;
    }
    const settings = trackInternals.source(this.s.track!).settings;
    const intervalMs = 1000 / this.black.frameRate(settings);
    this.blackTimer = this.s.ctx.clock.setTimeout(this.sendBlack, intervalMs);
    const i = this.activeIndex();
    if (i < 0) return;
    const c = this.cursors[i]!;
    const f = this.black.next(settings);
    // The first black frame follows the last packet by the time elapsed since; later ones by one interval.
    const stepMs = this.blackInPeriod++ === 0 ? performance.now() - c.lastOutAt : intervalMs;
    const ts = this.nextTimestamp(c, stepMs, 1);
    this.afterBlack = true;
    this.writer.writeFrame(c, ts, this.blackPayloader.payload(f.data));
    this.writer.stats.blackFramesSent++;
  };
}

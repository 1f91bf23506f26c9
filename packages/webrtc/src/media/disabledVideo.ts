/**
 * Black frames for a sender whose video track is disabled. mediacapture-streams §4.3.1
 * ("enabled"): a disabled video track renders black frames, and webrtc-pc §5.2 has a sender
 * send what its track renders, so the remote track keeps playing (black) instead of freezing
 * and muting. Rivulet has no encoder, so this makes black frames directly in the negotiated
 * codec (@rivulet/rtp): a key frame (VP8 key frame, H.264 IDR) then frames that repeat it
 * (VP8 all-skipped inter frames, H.264 P_Skip pictures). Other codecs (VP9, AV1) get no black
 * frames: the sender sends nothing while disabled.
 *
 * The size is the source's: the last key frame it sent (VP8 frame header, H.264 SPS), else
 * the track's settings (width/height), else 640x480. The rate is the source's too, as in
 * Chromium (which replaces every captured frame by black): measured from its frame timestamps,
 * else the track's settings.frameRate, else 30 frames/s; within 1..60.
 */
import { H264BlackFrames, H264_BLACK_MAX_DIMENSION, h264AccessUnitSize, vp8BlackInterframe, vp8BlackKeyframe, vp8KeyframeSize } from '@rivulet/rtp';
import type { EncodedFrame } from './frames.js';
import type { MediaTrackSettingsLike } from './MediaStreamTrackSource.js';

/** The black frame rate when neither the source's frames nor its settings give one. */
export const DEFAULT_BLACK_FRAME_RATE = 30;
/** Bounds of the black frame rate (frames per second). */
export const MIN_BLACK_FRAME_RATE = 1;
export const MAX_BLACK_FRAME_RATE = 60;
/** The size used when neither a source key frame nor the track's settings gave one. */
export const DEFAULT_BLACK_SIZE = { width: 640, height: 480 } as const;

export interface BlackFrame {
  /** A VP8 frame or an H.264 Annex B access unit. */
  data: Buffer;
  keyframe: boolean;
}

type Size = { width: number; height: number };

/** Which codecs get black frames: VP8 and H.264 (lower-case MIME type compared). */
export function supportsBlackFrames(mimeType: string): boolean {
  const m = mimeType.toLowerCase();
  return m === 'video/vp8' || m === 'video/h264';
}

/** The profile-level-id of an H.264 fmtp line (RFC 6184 §8.1), default 42e01f (Constrained Baseline 3.1). */
export function profileLevelIdOf(sdpFmtpLine: string | undefined): string {
  const m = /(?:^|;)\s*profile-level-id=([0-9a-fA-F]{6})\s*(?:;|$)/.exec(sdpFmtpLine ?? '');
  return m ? m[1]!.toLowerCase() : '42e01f';
}

export class BlackVideo {
  readonly mimeType: string;
  private readonly h264: boolean;
  private readonly profileLevelId: string;
  private sourceSize: Size | undefined;
  private h264Frames: H264BlackFrames | undefined;
  private wantKeyframe = true;
  /** VP8: the size of the last black key frame sent (inter frames repeat it). */
  private vp8KeySize: Size | undefined;
  /** The source's frame interval in µs (an average), and its last frame timestamp. */
  private intervalUs: number | undefined;
  private lastTimestampUs: number | undefined;

  /** Throws for a codec supportsBlackFrames() rejects. */
  constructor(mimeType: string, sdpFmtpLine?: string) {
    if (!supportsBlackFrames(mimeType)) throw new Error(`BlackVideo: no black frames for ${mimeType} (only video/VP8 and video/H264)`);
    this.mimeType = mimeType;
    this.h264 = mimeType.toLowerCase() === 'video/h264';
    this.profileLevelId = profileLevelIdOf(sdpFmtpLine);
  }

  /** The size of the last source key frame seen, if any. */
  get lastSourceSize(): Size | undefined {
    return this.sourceSize;
  }

  /** Sees a frame the source sent (while enabled): its frame rate, and a key frame's size. */
  observe(frame: EncodedFrame): void {
    const last = this.lastTimestampUs;
    this.lastTimestampUs = frame.timestamp;
    const dt = last === undefined ? 0 : frame.timestamp - last;
    // Frame gaps up to 1 s (1 frame/s) count; an average over ~8 frames smooths capture jitter.
    if (dt > 0 && dt <= 1_000_000) this.intervalUs = this.intervalUs === undefined ? dt : this.intervalUs + (dt - this.intervalUs) / 8;
    if (frame.keyframe === false) return;
    const data = Buffer.from(frame.data.buffer, frame.data.byteOffset, frame.data.byteLength);
    const size = this.h264 ? h264AccessUnitSize(data) : vp8KeyframeSize(data);
    // Larger than we write (H.264 above 8192): keep sizing by the settings or the default.
    if (size && size.width <= H264_BLACK_MAX_DIMENSION && size.height <= H264_BLACK_MAX_DIMENSION) this.sourceSize = size;
  }

  /** Another track feeds the sender (replaceTrack): forget the old source's size and rate. */
  forgetSource(): void {
    this.sourceSize = undefined;
    this.intervalUs = undefined;
    this.lastTimestampUs = undefined;
  }

  /** The next frame is a key frame (a new disabled period, or the receiver asked for one). */
  requestKeyframe(): void {
    this.wantKeyframe = true;
  }

  /** The size black frames are made at now. */
  size(settings?: MediaTrackSettingsLike): Size {
    if (this.sourceSize) return this.sourceSize;
    const w = settings?.width;
    const h = settings?.height;
    if (w !== undefined && h !== undefined && Number.isInteger(w) && Number.isInteger(h) && w >= 1 && h >= 1 && w <= 8192 && h <= 8192) {
      return { width: w, height: h };
    }
    return DEFAULT_BLACK_SIZE;
  }

  /** Black frames per second: the source's measured rate, else settings.frameRate, else 30; within 1..60. */
  frameRate(settings?: MediaTrackSettingsLike): number {
    const fps = this.intervalUs !== undefined ? 1e6 / this.intervalUs : settings?.frameRate;
    if (fps === undefined || !Number.isFinite(fps) || fps <= 0) return DEFAULT_BLACK_FRAME_RATE;
    return Math.min(MAX_BLACK_FRAME_RATE, Math.max(MIN_BLACK_FRAME_RATE, fps));
  }

  /** The next black frame: a key frame first (and after requestKeyframe() or a new size), then repeats. */
  next(settings?: MediaTrackSettingsLike): BlackFrame {
    const { width, height } = this.size(settings);
    const key = this.wantKeyframe;
    this.wantKeyframe = false;
    if (!this.h264) {
      if (key || this.vp8KeySize?.width !== width || this.vp8KeySize.height !== height) {
        this.vp8KeySize = { width, height };
        return { data: vp8BlackKeyframe(width, height), keyframe: true };
      }
      return { data: vp8BlackInterframe(width, height), keyframe: false };
    }
    if (!this.h264Frames || this.h264Frames.width !== width || this.h264Frames.height !== height) {
      this.h264Frames = new H264BlackFrames({ width, height, profileLevelId: this.profileLevelId });
    } else if (key) {
      this.h264Frames.reset();
    }
    return this.h264Frames.next();
  }
}

/**
 * Black frames for a sender whose video track is disabled. mediacapture-streams §4.3.1
 * ("enabled"): a disabled video track renders black frames, and webrtc-pc §5.2 has a sender
 * send what its track renders, so the remote track keeps playing (black) instead of freezing
 * and muting. Rivulet has no encoder, so this makes black frames directly in the negotiated
 * codec (@rivulet/rtp): VP8 key frames, or an H.264 IDR followed by P_Skip pictures. Other
 * codecs (VP9, AV1) get no black frames: the sender sends nothing while disabled.
 *
 * The size is the source's: the last key frame it sent (VP8 frame header, H.264 SPS), else
 * the track's settings (width/height), else 640x480.
 */
import { H264BlackFrames, H264_BLACK_MAX_DIMENSION, h264AccessUnitSize, vp8BlackKeyframe, vp8KeyframeSize } from '@rivulet/rtp';
import type { EncodedFrame } from './frames.js';
import type { MediaTrackSettingsLike } from './MediaStreamTrackSource.js';

/**
 * One black frame per second while disabled: enough to keep the receiver's decoder, its
 * framesDecoded and its RTCP running (the picture does not change), at ~1.5 KB/s for 720p.
 */
export const BLACK_FRAME_INTERVAL_MS = 1000;
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

  /** Sees a frame the source sent (while enabled) and remembers a key frame's size. */
  observe(frame: EncodedFrame): void {
    const data = Buffer.from(frame.data.buffer, frame.data.byteOffset, frame.data.byteLength);
    const size = this.h264 ? (frame.keyframe !== false ? h264AccessUnitSize(data) : undefined) : vp8KeyframeSize(data);
    // Larger than we write (H.264 above 8192): keep sizing by the settings or the default.
    if (size && size.width <= H264_BLACK_MAX_DIMENSION && size.height <= H264_BLACK_MAX_DIMENSION) this.sourceSize = size;
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

  /** The next black frame: a key frame first (and after requestKeyframe()), then deltas (H.264). */
  next(settings?: MediaTrackSettingsLike): BlackFrame {
    const { width, height } = this.size(settings);
    const key = this.wantKeyframe;
    this.wantKeyframe = false;
    // VP8: every black frame is the (cached) key frame; its decoding is a few hundred µs of work.
    if (!this.h264) return { data: vp8BlackKeyframe(width, height), keyframe: true };
    if (!this.h264Frames || this.h264Frames.width !== width || this.h264Frames.height !== height) {
      this.h264Frames = new H264BlackFrames({ width, height, profileLevelId: this.profileLevelId });
    } else if (key) {
      this.h264Frames.reset();
    }
    return this.h264Frames.next();
  }
}

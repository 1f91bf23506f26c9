/**
 * MediaStreamTrackSource (non-standard): produces the media behind one or
 * more MediaStreamTracks. Device code (e.g. @rivulet/media) and applications
 * create one, call createTrack(), and push frames or RTP into it.
 */
import { reportError } from '@rivulet/common';
import { MediaStreamTrack, trackInternals } from './MediaStreamTrack.js';
import type { EncodedFrame, RtpPacketBytes } from './frames.js';

export interface MediaStreamTrackSourceInit {
  kind: 'audio' | 'video';
  /** Shown as track.label. */
  label?: string;
  /** Values reported by getSettings() (width, height, frameRate, sampleRate, channelCount, deviceId...). */
  settings?: MediaTrackSettingsLike;
  /** Values reported by getCapabilities(). */
  capabilities?: Record<string, unknown>;
  /**
   * The codec frames are encoded with, e.g. "video/H264". Informational: senders payload with the
   * negotiated codec, so negotiate this one (setCodecPreferences); no transcoding happens.
   */
  mimeType?: string;
}

export interface MediaTrackSettingsLike {
  deviceId?: string;
  groupId?: string;
  width?: number;
  height?: number;
  frameRate?: number;
  aspectRatio?: number;
  facingMode?: string;
  sampleRate?: number;
  sampleSize?: number;
  channelCount?: number;
  echoCancellation?: boolean;
  autoGainControl?: boolean;
  noiseSuppression?: boolean;
  latency?: number;
}

export class MediaStreamTrackSource {
  readonly kind: 'audio' | 'video';
  readonly label: string;
  readonly mimeType: string | undefined;
  readonly settings: MediaTrackSettingsLike;
  readonly capabilities: Record<string, unknown>;
  #tracks = new Set<MediaStreamTrack>();
  #muted = false;
  #ended = false;
  #keyframeListeners = new Set<() => void>();

  constructor(init: MediaStreamTrackSourceInit) {
    if (init?.kind !== 'audio' && init?.kind !== 'video') {
      throw new TypeError(`MediaStreamTrackSource: kind must be "audio" or "video", got ${JSON.stringify(init?.kind)}`);
    }
    this.kind = init.kind;
    this.label = init.label ?? '';
    this.mimeType = init.mimeType;
    this.settings = { ...(init.settings ?? {}) };
    this.capabilities = { ...(init.capabilities ?? {}) };
  }

  get muted(): boolean { return this.#muted; }
  get ended(): boolean { return this.#ended; }

  /** A new live track backed by this source. */
  createTrack(): MediaStreamTrack {
    if (this.#ended) throw new DOMException('MediaStreamTrackSource.createTrack: the source has ended', 'InvalidStateError');
    return trackInternals.create(this);
  }

  /** Pushes one encoded frame to every live, enabled track. */
  writeFrame(frame: EncodedFrame): void {
    if (!(frame?.data instanceof Uint8Array)) throw new TypeError('writeFrame: frame.data must be a Uint8Array');
    if (!Number.isFinite(frame.timestamp)) throw new TypeError(`writeFrame: frame.timestamp must be a finite number of microseconds, got ${frame.timestamp}`);
    if (this.#ended) return;
    for (const t of this.#tracks) trackInternals.deliverFrame(t, frame);
  }

  /** Pushes one RTP packet (passthrough) to every live, enabled track. */
  writeRtp(packet: RtpPacketBytes): void {
    if (!(packet instanceof Uint8Array) || packet.length < 12) throw new TypeError('writeRtp: packet must be a Uint8Array of at least 12 bytes (an RTP header)');
    if (this.#ended) return;
    for (const t of this.#tracks) trackInternals.deliverRtp(t, packet);
  }

  /** Mutes/unmutes every track (fires mute/unmute, mediacapture-streams §4.3.1.1). */
  setMuted(muted: boolean): void {
    if (this.#muted === muted || this.#ended) return;
    this.#muted = muted;
    for (const t of this.#tracks) trackInternals.setMuted(t, muted);
  }

  /** The source is gone for good: every track ends and fires "ended" (mediacapture-streams §4.3.1.2). */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    for (const t of [...this.#tracks]) trackInternals.endBySource(t);
    this.#tracks.clear();
  }

  /**
   * Non-standard: called when a receiver of this source's media asked for a key frame (RTCP PLI or
   * FIR, RFC 4585 §6.3.1 / RFC 5104 §4.3.1, already rate-limited). An encoder should produce one;
   * a forwarded remote track passes the request upstream. Returns an unsubscribe function.
   */
  onKeyframeRequest(listener: () => void): () => void {
    this.#keyframeListeners.add(listener);
    return () => this.#keyframeListeners.delete(listener);
  }

  /** Asks the producer for a key frame (see onKeyframeRequest). Returns whether anyone listened. */
  requestKeyframe(): boolean {
    if (this.#ended) return false;
    for (const l of [...this.#keyframeListeners]) {
      try {
        l();
      } catch (err) {
        reportError(err, 'keyframe request listener');
      }
    }
    return this.#keyframeListeners.size > 0;
  }

  /** @internal */
  attach(track: MediaStreamTrack): void { this.#tracks.add(track); }
  /** @internal */
  detach(track: MediaStreamTrack): void { this.#tracks.delete(track); }
}

/**
 * MediaStreamTrack (mediacapture-streams §4.3). Not constructible by
 * applications, as in browsers: tracks come from a MediaStreamTrackSource
 * (local media) or from an RTCRtpReceiver (remote media).
 */
import { RivuletEventTarget } from '../base/eventTarget.js';
import { newId } from '../base/random.js';
import type { EncodedFrame, RtpPacketBytes, TrackSink } from './frames.js';
import type { MediaStreamTrackSource, MediaTrackSettingsLike } from './MediaStreamTrackSource.js';

export type MediaStreamTrackState = 'live' | 'ended';

const AUDIO_HINTS = ['', 'speech', 'speech-recognition', 'music'];
const VIDEO_HINTS = ['', 'motion', 'detail', 'text'];

let constructing = false;

// Assigned by the class's static block; declared first to avoid the temporal dead zone.
export let trackInternals: TrackInternals;

export class MediaStreamTrack extends RivuletEventTarget {
  readonly #id: string;
  readonly #source: MediaStreamTrackSource;
  #enabled = true;
  #muted: boolean;
  #readyState: MediaStreamTrackState = 'live';
  #contentHint = '';
  #constraints: Record<string, unknown> = {};
  #sinks = new Set<TrackSink>();

  /** Not for applications: use MediaStreamTrackSource.createTrack() or a receiver's track. */
  constructor(source: MediaStreamTrackSource, id?: string) {
    super();
    if (!constructing) throw new TypeError('Illegal constructor: create tracks with MediaStreamTrackSource.createTrack()');
    constructing = false;
    this.#source = source;
    this.#id = id ?? newId();
    this.#muted = source.muted;
    source.attach(this);
  }

  get id(): string { return this.#id; }
  get kind(): 'audio' | 'video' { return this.#source.kind; }
  get label(): string { return this.#source.label; }
  get enabled(): boolean { return this.#enabled; }
  set enabled(v: boolean) {
    const was = this.#enabled;
    this.#enabled = Boolean(v);
    // Senders send silence while an audio track is disabled and need to know a video stream has a gap.
    if (was === this.#enabled || this.#readyState !== 'live') return;
    for (const s of [...this.#sinks]) {
      if (this.#enabled) s.resumed?.();
      else s.paused?.();
    }
  }
  get muted(): boolean { return this.#muted; }
  get readyState(): MediaStreamTrackState { return this.#readyState; }

  /** mediacapture-streams-content-hint: invalid values for the kind are ignored. */
  get contentHint(): string { return this.#contentHint; }
  set contentHint(v: string) {
    const allowed = this.kind === 'audio' ? AUDIO_HINTS : VIDEO_HINTS;
    if (allowed.includes(String(v))) this.#contentHint = String(v);
  }

  get onended() { return this.getHandler('ended'); }
  set onended(h) { this.setHandler('ended', h); }
  get onmute() { return this.getHandler('mute'); }
  set onmute(h) { this.setHandler('mute', h); }
  get onunmute() { return this.getHandler('unmute'); }
  set onunmute(h) { this.setHandler('unmute', h); }

  /** A new track sharing this track's source, with its own id, enabled, constraints and state. */
  clone(): MediaStreamTrack {
    constructing = true;
    const c = new MediaStreamTrack(this.#source);
    c.#enabled = this.#enabled;
    c.#contentHint = this.#contentHint;
    c.#constraints = structuredClone(this.#constraints);
    if (this.#readyState === 'ended') {
      c.#readyState = 'ended';
      this.#source.detach(c);
    }
    return c;
  }

  /** Ends this track only; fires no "ended" event (mediacapture-streams §4.3.1.2). */
  stop(): void {
    if (this.#readyState === 'ended') return;
    this.#readyState = 'ended';
    this.#source.detach(this);
    this.#sinks.clear();
  }

  getCapabilities(): Record<string, unknown> {
    return structuredClone(this.#source.capabilities);
  }

  getConstraints(): Record<string, unknown> {
    return structuredClone(this.#constraints);
  }

  getSettings(): MediaTrackSettingsLike {
    return { ...this.#source.settings };
  }

  /**
   * Records the constraints. Sources in Rivulet are fed by the application,
   * so nothing is re-configured; see docs/api-deviations.md.
   */
  async applyConstraints(constraints: Record<string, unknown> = {}): Promise<void> {
    if (constraints === null || typeof constraints !== 'object') {
      throw new TypeError('applyConstraints: constraints must be an object');
    }
    this.#constraints = structuredClone(constraints);
  }

  static {
    trackInternals = {
      create(source, id) {
        constructing = true;
        return new MediaStreamTrack(source, id);
      },
      source: (t) => t.#source,
      deliverFrame(t, frame) {
        if (t.#readyState !== 'live' || !t.#enabled) return;
        for (const s of t.#sinks) s.frame?.(frame);
      },
      deliverRtp(t, packet) {
        if (t.#readyState !== 'live' || !t.#enabled) return;
        for (const s of t.#sinks) s.rtp?.(packet);
      },
      setMuted(t, muted) {
        if (t.#readyState !== 'live' || t.#muted === muted) return;
        t.#muted = muted;
        t.fire(new Event(muted ? 'mute' : 'unmute'));
      },
      endBySource(t, fireEvent = true) {
        if (t.#readyState === 'ended') return;
        t.#readyState = 'ended';
        t.#source.detach(t);
        t.#sinks.clear();
        if (fireEvent) t.fire(new Event('ended'));
      },
      addSink(t, sink) {
        t.#sinks.add(sink);
        return () => t.#sinks.delete(sink);
      },
    };
  }
}

/** Package-internal access to track state (not exported from the package index). */
export interface TrackInternals {
  create(source: MediaStreamTrackSource, id?: string): MediaStreamTrack;
  source(t: MediaStreamTrack): MediaStreamTrackSource;
  deliverFrame(t: MediaStreamTrack, frame: EncodedFrame): void;
  deliverRtp(t: MediaStreamTrack, packet: RtpPacketBytes): void;
  setMuted(t: MediaStreamTrack, muted: boolean): void;
  endBySource(t: MediaStreamTrack, fireEvent?: boolean): void;
  addSink(t: MediaStreamTrack, sink: TrackSink): () => void;
}


/**
 * Non-standard: ask for a key frame on a track's source — for a remote track this sends a PLI/FIR
 * to the peer (rate-limited); for a local one it calls the source's onKeyframeRequest listeners.
 */
export function requestKeyframe(track: MediaStreamTrack): boolean {
  if (!(track instanceof MediaStreamTrack)) throw new TypeError('requestKeyframe: track must be a MediaStreamTrack');
  if (track.readyState !== 'live') return false;
  return trackInternals.source(track).requestKeyframe();
}

/**
 * Non-standard: receive what a track carries (RTP from a remote track, frames
 * or RTP from a local one). Returns an unsubscribe function. Delivery stops
 * when the track is stopped, ends, or is disabled.
 */
export function readTrack(track: MediaStreamTrack, sink: TrackSink): () => void {
  if (!(track instanceof MediaStreamTrack)) throw new TypeError('readTrack: track must be a MediaStreamTrack');
  return trackInternals.addSink(track, sink);
}

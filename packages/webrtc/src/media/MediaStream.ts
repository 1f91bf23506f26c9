/**
 * MediaStream (mediacapture-streams §4.2). addTrack/removeTrack called by the
 * application fire no events; the peer connection adds/removes remote tracks
 * through streamInternals, which fires addtrack/removetrack (webrtc-pc
 * §4.4.1.6 "add a track to a stream" / "remove a track from a stream").
 */
import { RivuletEventTarget, type EventInit } from '../base/eventTarget.js';
import { newId } from '../base/random.js';
import { MediaStreamTrack } from './MediaStreamTrack.js';

export interface MediaStreamTrackEventInit extends EventInit {
  track: MediaStreamTrack;
}

// Assigned by the class's static block; declared first to avoid the temporal dead zone.
export let streamInternals: StreamInternals;

export class MediaStreamTrackEvent extends Event {
  readonly track: MediaStreamTrack;
  constructor(type: string, init: MediaStreamTrackEventInit) {
    super(type, init);
    if (!(init?.track instanceof MediaStreamTrack)) throw new TypeError('MediaStreamTrackEvent: init.track must be a MediaStreamTrack');
    this.track = init.track;
  }
}

export class MediaStream extends RivuletEventTarget {
  #id: string;
  #tracks: MediaStreamTrack[] = [];

  constructor(init?: MediaStream | readonly MediaStreamTrack[]) {
    super();
    this.#id = newId();
    const tracks = init instanceof MediaStream ? init.getTracks() : init;
    if (tracks !== undefined) {
      if (!Array.isArray(tracks) && !(init instanceof MediaStream)) throw new TypeError('MediaStream: argument must be a MediaStream or an array of MediaStreamTracks');
      for (const t of tracks) {
        if (!(t instanceof MediaStreamTrack)) throw new TypeError('MediaStream: every element must be a MediaStreamTrack');
        if (!this.#tracks.includes(t)) this.#tracks.push(t);
      }
    }
  }

  get id(): string { return this.#id; }
  /** True while any track is live (mediacapture-streams §4.2.1). */
  get active(): boolean { return this.#tracks.some((t) => t.readyState === 'live'); }

  get onaddtrack() { return this.getHandler<MediaStreamTrackEvent>('addtrack'); }
  set onaddtrack(h) { this.setHandler('addtrack', h); }
  get onremovetrack() { return this.getHandler<MediaStreamTrackEvent>('removetrack'); }
  set onremovetrack(h) { this.setHandler('removetrack', h); }

  getTracks(): MediaStreamTrack[] { return [...this.#tracks]; }
  getAudioTracks(): MediaStreamTrack[] { return this.#tracks.filter((t) => t.kind === 'audio'); }
  getVideoTracks(): MediaStreamTrack[] { return this.#tracks.filter((t) => t.kind === 'video'); }
  getTrackById(id: string): MediaStreamTrack | null { return this.#tracks.find((t) => t.id === id) ?? null; }

  addTrack(track: MediaStreamTrack): void {
    if (!(track instanceof MediaStreamTrack)) throw new TypeError('MediaStream.addTrack: argument must be a MediaStreamTrack');
    if (!this.#tracks.includes(track)) this.#tracks.push(track);
  }

  removeTrack(track: MediaStreamTrack): void {
    if (!(track instanceof MediaStreamTrack)) throw new TypeError('MediaStream.removeTrack: argument must be a MediaStreamTrack');
    const i = this.#tracks.indexOf(track);
    if (i >= 0) this.#tracks.splice(i, 1);
  }

  /** A new stream (new id) holding clones of every track. */
  clone(): MediaStream {
    return new MediaStream(this.#tracks.map((t) => t.clone()));
  }

  static {
    streamInternals = {
      // A remote stream's id is the msid the remote peer chose (webrtc-pc §4.4.1.6).
      create(id) {
        const s = new MediaStream();
        s.#id = id;
        return s;
      },
      addAndFire(s, t) {
        if (s.#tracks.includes(t)) return;
        s.#tracks.push(t);
        s.fire(new MediaStreamTrackEvent('addtrack', { track: t }));
      },
      removeAndFire(s, t) {
        const i = s.#tracks.indexOf(t);
        if (i < 0) return;
        s.#tracks.splice(i, 1);
        s.fire(new MediaStreamTrackEvent('removetrack', { track: t }));
      },
    };
  }
}

export interface StreamInternals {
  create(id: string): MediaStream;
  addAndFire(s: MediaStream, t: MediaStreamTrack): void;
  removeAndFire(s: MediaStream, t: MediaStreamTrack): void;
}


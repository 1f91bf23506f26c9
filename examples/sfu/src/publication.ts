/**
 * Publication: one track a peer sends to the SFU (a remote track on the
 * SFU's side), with what subscribers need to know about it: its kind, codec,
 * and the simulcast layers (rids) it carries.
 */
import { requestKeyframe, simulcastLayerTrack, type MediaStreamTrack, type RTCRtpTransceiver } from '@rivulet/webrtc';

export interface PublicationInfo {
  id: string;
  publisherId: string;
  kind: 'audio' | 'video';
  /** Simulcast layers in the publisher's order (empty: a single stream). */
  rids: string[];
}

let nextId = 1;

export class Publication {
  readonly id = `pub${nextId++}`;
  readonly publisherId: string;
  readonly transceiver: RTCRtpTransceiver;
  /** The remote track: every layer for simulcast, else the one stream. */
  readonly track: MediaStreamTrack;
  readonly rids: string[];
  readonly #layers = new Map<string, MediaStreamTrack>();

  constructor(publisherId: string, transceiver: RTCRtpTransceiver, remoteSdp: string) {
    this.publisherId = publisherId;
    this.transceiver = transceiver;
    this.track = transceiver.receiver.track;
    this.rids = transceiver.mid === null ? [] : sendRidsOf(remoteSdp, transceiver.mid);
  }

  get kind(): 'audio' | 'video' { return this.track.kind as 'audio' | 'video'; }

  /** The negotiated codec, e.g. "video/VP8" (known once the description is applied). */
  get mimeType(): string { return this.transceiver.receiver.getParameters().codecs[0]?.mimeType ?? ''; }
  get clockRate(): number { return this.transceiver.receiver.getParameters().codecs[0]?.clockRate ?? 90000; }

  /** One simulcast layer as its own track (shared by every subscriber that forwards it). */
  layerTrack(rid: string): MediaStreamTrack {
    let t = this.#layers.get(rid);
    if (!t) {
      if (!this.rids.includes(rid)) throw new Error(`publication ${this.id}: no simulcast layer "${rid}" (layers: [${this.rids.join(', ')}])`);
      t = simulcastLayerTrack(this.transceiver.receiver, rid);
      this.#layers.set(rid, t);
    }
    return t;
  }

  /** Asks the publisher for a key frame (PLI, else FIR) so a new subscriber can start decoding. */
  requestKeyframe(rid?: string): boolean {
    return requestKeyframe(rid === undefined ? this.track : this.layerTrack(rid));
  }

  info(): PublicationInfo {
    return { id: this.id, publisherId: this.publisherId, kind: this.kind, rids: [...this.rids] };
  }

  close(): void {
    for (const t of this.#layers.values()) t.stop();
    this.#layers.clear();
  }
}

/**
 * The rids a remote peer sends in the m-section `mid` (RFC 8851 §4: a=rid:<id> send;
 * RFC 8853 a=simulcast lists them; paused "~" rids are skipped).
 */
export function sendRidsOf(sdp: string, mid: string): string[] {
  const sections = sdp.split(/\r?\nm=/);
  for (const section of sections.slice(1)) {
    const lines = section.split(/\r?\n/);
    if (!lines.some((l) => l === `a=mid:${mid}`)) continue;
    const rids: string[] = [];
    for (const l of lines) {
      const m = /^a=rid:([A-Za-z0-9_-]+) send\b/.exec(l);
      if (m && !rids.includes(m[1]!)) rids.push(m[1]!);
    }
    return rids;
  }
  return [];
}

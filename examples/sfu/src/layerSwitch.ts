/**
 * LayerSwitcher: what one subscriber receives of a simulcast publication.
 *
 * The subscriber's RTCRtpSender is fed by a local track of our own
 * MediaStreamTrackSource. We read the selected layer (a track from
 * simulcastLayerTrack) and write its packets into that source, rewritten
 * into ONE continuous stream: a fixed SSRC, sequence numbers without jumps,
 * timestamps continuing from the wall clock. A switch asks the publisher
 * for a key frame on the new layer and happens exactly at the first packet
 * of that key frame (replaceTrack runs on the operations chain and could
 * land mid-frame; here the switch is synchronous with the packet).
 *
 * Key-frame requests (PLI/FIR) from the subscriber arrive on our source and
 * are forwarded, throttled, to the layer being sent.
 *
 * Retransmissions the SFU's receiver recovered from the publisher (NACK +
 * RTX, unwrapped into the layer with their original sequence numbers) arrive
 * late and out of order: they are forwarded with the same offsets as their
 * neighbours, so they fill the subscriber's gap with the right numbers, but
 * they never move the "last sent" state a switch continues from, and a late
 * packet of the new layer from before the switch point is dropped (its
 * rewritten number would collide with the old layer's).
 */
import { keyframeDetector } from './keyframe.js';
import { Vp8PictureIdRewriter } from './vp8Rewrite.js';
import { MediaStreamTrackSource, readTrack, requestKeyframe, type MediaStreamTrack } from '@rivulet/webrtc';

/** Packets of a pending layer kept while waiting for its key frame (one frame's worth, and then some). */
const PENDING_KEEP = 64;
/** If the new layer's key frame does not come within this time, ask again (the publisher may have lost the PLI). */
const KEYFRAME_RETRY_MS = 1000;
/** Subscriber PLI/FIR storms are folded into at most one upstream request per interval. */
export const UPSTREAM_KEYFRAME_INTERVAL_MS = 300;
/** The output stream's SSRC before the sender rewrites it (any constant works: the sender sees one input stream). */
const SWITCHED_SSRC = 0x51f0_0001;

export interface LayerSwitchStats {
  /** Rid currently forwarded ('' before the first packet). */
  rid: string;
  /** Rid we are switching to, waiting for its key frame. */
  pendingRid: string | null;
  switches: number;
  packetsForwarded: number;
  keyframeRequestsUpstream: number;
  keyframeRequestsFromSubscriber: number;
  keyframeRequestsThrottled: number;
  /** Switches down because the layer being sent went silent (the publisher stopped sending it). */
  fallbacks: number;
  /** The layer the subscriber asked for (we return to it when it flows again). */
  preferredRid: string | null;
  /** Forwarded packets older than one already forwarded (repaired losses, reordering). */
  packetsLate: number;
  /** Late packets of the current layer from before the switch point, dropped. */
  packetsBeforeSwitch: number;
}

/** One layer we listen to: the current one, or the one we switch to at its next key frame. */
interface Layer {
  rid: string;
  track: MediaStreamTrack;
  /** When we last asked the publisher for a key frame on it. */
  askedAt: number;
  /** When it was selected. */
  selectedAt: number;
  /**
   * Pending layer only: its latest packets before the key frame start showed. When that start
   * packet was lost upstream and arrives late (repaired by RTX), the rest of the key frame came
   * before it; those are forwarded right after it at the switch.
   */
  kept: Uint8Array[];
  stop: () => void;
}

interface CodecHelp {
  isKeyframeStart: (p: Uint8Array) => boolean;
  vp8: Vp8PictureIdRewriter | null;
}

export class LayerSwitcher {
  readonly track: MediaStreamTrack;
  readonly #source: MediaStreamTrackSource;
  /** The publication's negotiated codec ("video/VP8"), known once its description is applied. */
  readonly #mimeType: () => string;
  #codec: CodecHelp | null = null;
  readonly #layerTrack: (rid: string) => MediaStreamTrack;
  #current: Layer | null = null;
  #pending: Layer | null = null;
  // Rewriting state (RFC 3550 §5.1: a receiver expects one seq/timestamp space per SSRC).
  #seqOffset = 0;
  #tsOffset = 0;
  #lastOutSeq = 0;
  #lastOutTs = 0;
  #lastOutAt = 0;
  /** Input sequence numbers of the current layer: where it was switched to, and the newest forwarded. */
  #firstInSeq = 0;
  #highestInSeq = 0;
  #rebase = true;
  #lastUpstreamAt = -Infinity;
  readonly #clockRate: number;
  readonly stats: LayerSwitchStats = {
    rid: '', pendingRid: null, switches: 0, packetsForwarded: 0,
    keyframeRequestsUpstream: 0, keyframeRequestsFromSubscriber: 0, keyframeRequestsThrottled: 0,
    fallbacks: 0, preferredRid: null, packetsLate: 0, packetsBeforeSwitch: 0,
  };
  /** The publisher's rids, assumed lowest to highest (as the example page sends them). */
  readonly #rids: readonly string[];
  readonly #silenceMs: number;
  readonly #retryPreferredMs: number;
  #lastCurrentAt = 0;
  #lastTryUpAt = -Infinity;
  readonly #now: () => number;

  constructor(init: {
    layerTrack: (rid: string) => MediaStreamTrack;
    mimeType: () => string;
    clockRate: number;
    label: string;
    rids: readonly string[];
    /** A layer without packets for this long is considered dropped by the publisher. Default 1500 ms. */
    silenceMs?: number;
    /** After a fallback, how often to try the preferred layer again. Default 5000 ms. */
    retryPreferredMs?: number;
    /** Milliseconds, monotonic (default performance.now; tests pass a manual clock). */
    now?: () => number;
  }) {
    this.#now = init.now ?? (() => performance.now());
    this.#rids = [...init.rids];
    this.#silenceMs = init.silenceMs ?? 1500;
    this.#retryPreferredMs = init.retryPreferredMs ?? 5000;
    this.#layerTrack = init.layerTrack;
    this.#mimeType = init.mimeType;
    this.#clockRate = init.clockRate;
    this.#source = new MediaStreamTrackSource({ kind: 'video', label: init.label });
    this.track = this.#source.createTrack();
    this.#source.onKeyframeRequest(() => {
      this.stats.keyframeRequestsFromSubscriber++;
      // The layer the subscriber decodes now (a pending layer is already asked every second,
      // and may be one the publisher no longer sends).
      this.#askUpstream(this.#current?.track ?? this.#pending?.track);
    });
  }

  /** Selects the layer to forward (the subscriber's choice). The switch completes at the layer's next key frame. */
  select(rid: string): void {
    this.stats.preferredRid = rid;
    this.#select(rid);
  }

  /**
   * Called periodically (the Room does it every 500 ms). A publisher drops its upper layers when
   * its bandwidth estimate falls: if the layer being sent has been silent for `silenceMs`, go one
   * layer down (below a lower layer that was tried and stayed silent too). When the current layer
   * flows and is not the preferred one, try the preferred one again every `retryPreferredMs`;
   * the current layer keeps flowing until the preferred one's key frame arrives.
   */
  tick(now = this.#now()): void {
    const cur = this.#current;
    if (!cur) return;
    const idx = this.#rids.indexOf(cur.rid);
    const p = this.#pending;
    const pIdx = p ? this.#rids.indexOf(p.rid) : -1;
    if (now - this.#lastCurrentAt > this.#silenceMs) {
      if (p && pIdx < idx && now - p.selectedAt <= this.#silenceMs) return; // a lower layer is on its way
      const below = p && pIdx < idx ? pIdx : idx;
      if (below > 0) {
        this.stats.fallbacks++;
        this.#lastTryUpAt = now;
        this.#select(this.#rids[below - 1]!);
      }
      return;
    }
    const preferred = this.stats.preferredRid;
    if (preferred !== null && preferred !== cur.rid && !p && now - this.#lastTryUpAt >= this.#retryPreferredMs) {
      this.#lastTryUpAt = now;
      this.#select(preferred);
    }
  }

  #select(rid: string): void {
    if (this.#pending?.rid === rid) return;
    this.#pending?.stop();
    this.#pending = null;
    this.stats.pendingRid = null;
    if (this.#current?.rid === rid) return; // already there, or back before the other layer's key frame came
    const now = this.#now();
    const layer: Layer = { rid, track: this.#layerTrack(rid), askedAt: now, selectedAt: now, stop: () => {}, kept: [] };
    layer.stop = readTrack(layer.track, { rtp: (p) => this.#onPacket(layer, p) });
    this.#pending = layer;
    this.stats.pendingRid = rid;
    this.#askUpstream(layer.track, true);
  }

  close(): void {
    this.#current?.stop();
    this.#pending?.stop();
    this.#current = this.#pending = null;
    this.#source.end();
  }

  #onPacket(layer: Layer, p: Uint8Array): void {
    if (layer === this.#current) {
      this.#lastCurrentAt = this.#now();
      this.#forward(p);
      return;
    }
    if (layer !== this.#pending) return;
    if (!this.#codecOf().isKeyframeStart(p)) {
      if (p.length >= 12) {
        layer.kept.push(Buffer.from(p)); // a copy: the packet's memory belongs to the receive path
        if (layer.kept.length > PENDING_KEEP) layer.kept.shift();
      }
      const now = this.#now();
      if (now - layer.askedAt > KEYFRAME_RETRY_MS) {
        layer.askedAt = now;
        this.#askUpstream(layer.track, true);
      }
      return;
    }
    // The switch: the old layer stops here; the key frame's first packet is the new layer's first.
    this.#current?.stop();
    this.#current = layer;
    this.#pending = null;
    this.stats.pendingRid = null;
    this.stats.rid = layer.rid;
    this.stats.switches++;
    this.#lastCurrentAt = this.#now();
    this.#rebase = true;
    this.#codec?.vp8?.rebase();
    this.#forward(p);
    // Packets after the start that arrived before it (the start was repaired late), in order.
    const start = (p[2]! << 8) | p[3]!;
    const seqOf = (x: Uint8Array) => (x[2]! << 8) | x[3]!;
    const after = layer.kept.filter((x) => newer16(seqOf(x), start));
    after.sort((a, b) => ((seqOf(a) - start) & 0xffff) - ((seqOf(b) - start) & 0xffff));
    layer.kept = [];
    for (const x of after) this.#forward(x);
  }

  /**
   * Codec-specific help, decided at the first packet: where key frames start, and for VP8 the
   * picture numbering to keep continuous. Unknown codecs switch at once (no detector).
   */
  #codecOf(): CodecHelp {
    if (this.#codec) return this.#codec;
    const mime = this.#mimeType().toLowerCase();
    const detect = keyframeDetector(mime);
    const codec: CodecHelp = { isKeyframeStart: detect ?? (() => true), vp8: mime === 'video/vp8' ? new Vp8PictureIdRewriter() : null };
    if (mime) this.#codec = codec;
    return codec;
  }

  #forward(p: Uint8Array): void {
    if (p.length < 12) return;
    const inSeq = (p[2]! << 8) | p[3]!;
    const inTs = ((p[4]! << 24) | (p[5]! << 16) | (p[6]! << 8) | p[7]!) >>> 0;
    const now = this.#now();
    let latest = true;
    if (this.#rebase) {
      // Continue one stream: next sequence number, and a timestamp advanced by the wall time elapsed.
      this.#rebase = false;
      const elapsed = this.stats.packetsForwarded === 0 ? 0 : Math.max(1, Math.round((now - this.#lastOutAt) * this.#clockRate / 1000));
      this.#seqOffset = (this.#lastOutSeq + 1 - inSeq) & 0xffff;
      this.#tsOffset = (this.#lastOutTs + elapsed - inTs) >>> 0;
      this.#firstInSeq = this.#highestInSeq = inSeq;
    } else if (newer16(inSeq, this.#highestInSeq)) {
      this.#highestInSeq = inSeq;
    } else {
      // RFC 3550 §A.1 serial arithmetic: older than the newest forwarded, e.g. a repaired loss.
      if (newer16(this.#firstInSeq, inSeq)) {
        this.stats.packetsBeforeSwitch++;
        return;
      }
      latest = false;
      this.stats.packetsLate++;
    }
    // A copy: the layer's packet is shared with every other subscriber.
    const out = Buffer.from(p);
    const seq = (inSeq + this.#seqOffset) & 0xffff;
    const ts = (inTs + this.#tsOffset) >>> 0;
    out.writeUInt16BE(seq, 2);
    out.writeUInt32BE(ts, 4);
    out.writeUInt32BE(SWITCHED_SSRC, 8);
    this.#codec?.vp8?.rewrite(out, latest);
    if (latest) {
      this.#lastOutSeq = seq;
      this.#lastOutTs = ts;
      this.#lastOutAt = now;
    }
    this.stats.packetsForwarded++;
    this.#source.writeRtp(out);
  }

  #askUpstream(track: MediaStreamTrack | undefined, force = false): void {
    if (!track) return;
    const now = this.#now();
    if (!force && now - this.#lastUpstreamAt < UPSTREAM_KEYFRAME_INTERVAL_MS) {
      this.stats.keyframeRequestsThrottled++;
      return;
    }
    this.#lastUpstreamAt = now;
    if (requestKeyframe(track)) this.stats.keyframeRequestsUpstream++;
  }
}

/** True when 16-bit sequence number `a` comes after `b` (RFC 3550 §A.1: within half the space). */
function newer16(a: number, b: number): boolean {
  const d = (a - b) & 0xffff;
  return d !== 0 && d < 0x8000;
}

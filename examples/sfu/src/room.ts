/**
 * Room: who is in it, what each peer publishes, and who receives what.
 *
 * Forwarding model: a publisher's remote track feeds one RTCRtpSender in
 * every other peer's connection (addTransceiver(remoteTrack)): the stack rewrites
 * SSRC/sequence numbers/timestamps per sender and passes each subscriber's
 * PLI/FIR back to the publisher (rate-limited per stream). For a simulcast
 * publisher, each subscriber gets a LayerSwitcher instead, which picks one
 * layer and switches at key frames.
 */
import { MediaStream, type RTCRtpSender, type RTCTrackEvent } from '@rivulet/webrtc';
import { LayerSwitcher, type LayerSwitchStats } from './layerSwitch.js';
import { Peer, type ClientMessage, type ServerMessage } from './peer.js';
import { Publication, type PublicationInfo } from './publication.js';

interface Subscription {
  publication: Publication;
  subscriber: Peer;
  sender: RTCRtpSender;
  switcher: LayerSwitcher | null;
}

export interface RoomOptions {
  /** Addresses the SFU's ICE agents gather on (default 127.0.0.1). */
  interfaceAddresses?: string[];
  /** Which simulcast layer a new subscriber starts on: 'first' rid as the publisher listed it, or 'last'. */
  initialLayer?: 'first' | 'last';
}

export interface RoomStats {
  peers: { id: string; connectionState: string; signalingState: string; stats: Peer['stats'] }[];
  publications: PublicationInfo[];
  subscriptions: { publicationId: string; subscriberId: string; layer: LayerSwitchStats | null }[];
}

let nextPeer = 1;

export class Room {
  readonly name: string;
  readonly #peers = new Map<string, Peer>();
  readonly #publications = new Map<string, Publication>();
  /** Per subscriber: a stream per publisher (so a publisher's audio and video stay in one MediaStream). */
  readonly #streams = new Map<string, Map<string, MediaStream>>();
  readonly #subscriptions: Subscription[] = [];
  readonly #options: Required<RoomOptions>;
  /** Drives layer fallback/return (LayerSwitcher.tick); does not keep the process alive. */
  readonly #ticker: NodeJS.Timeout;

  constructor(name: string, options: RoomOptions = {}) {
    this.name = name;
    this.#options = { interfaceAddresses: options.interfaceAddresses ?? ['127.0.0.1'], initialLayer: options.initialLayer ?? 'first' };
    this.#ticker = setInterval(() => {
      for (const s of this.#subscriptions) s.switcher?.tick();
    }, 500);
    this.#ticker.unref();
  }

  get size(): number { return this.#peers.size; }

  /** A new participant; `send` delivers signaling messages to it. */
  join(send: (m: ServerMessage) => void): Peer {
    const id = `peer${nextPeer++}`;
    const peer = new Peer(id, send, this.#options.interfaceAddresses, (e) => this.#onTrack(peer, e));
    this.#peers.set(id, peer);
    this.#streams.set(id, new Map());
    peer.send({ type: 'welcome', id, room: this.name });
    // Everything already published reaches the newcomer (one offer from the SFU: negotiationneeded coalesces).
    for (const pub of this.#publications.values()) this.#subscribe(peer, pub);
    return peer;
  }

  /** Removes a participant: its publications leave every other peer (renegotiation), its connection closes. */
  leave(peer: Peer): void {
    if (!this.#peers.delete(peer.id)) return;
    for (const pub of [...this.#publications.values()]) if (pub.publisherId === peer.id) this.#unpublish(pub);
    for (const s of this.#subscriptions.filter((x) => x.subscriber === peer)) this.#unsubscribe(s, false);
    this.#streams.delete(peer.id);
    peer.close();
  }

  async handle(peer: Peer, m: ClientMessage): Promise<void> {
    if (m.type === 'layer') {
      this.selectLayer(peer, m.publicationId, m.rid);
      return;
    }
    await peer.handle(m);
  }

  /** Per-subscriber simulcast layer choice. Throws for an unknown publication or layer. */
  selectLayer(peer: Peer, publicationId: string, rid: string): void {
    const s = this.#subscriptions.find((x) => x.subscriber === peer && x.publication.id === publicationId);
    if (!s) throw new Error(`selectLayer: peer ${peer.id} does not receive publication ${JSON.stringify(publicationId)}`);
    if (!s.switcher) throw new Error(`selectLayer: publication ${publicationId} is not simulcast`);
    if (!s.publication.rids.includes(rid)) {
      throw new Error(`selectLayer: publication ${publicationId} has no layer ${JSON.stringify(rid)} (layers: [${s.publication.rids.join(', ')}])`);
    }
    s.switcher.select(rid);
    peer.send({ type: 'layer', publicationId, rid });
  }

  stats(): RoomStats {
    return {
      peers: [...this.#peers.values()].map((p) => ({ id: p.id, connectionState: p.pc.connectionState, signalingState: p.pc.signalingState, stats: { ...p.stats } })),
      publications: [...this.#publications.values()].map((p) => p.info()),
      subscriptions: this.#subscriptions.map((s) => ({
        publicationId: s.publication.id, subscriberId: s.subscriber.id, layer: s.switcher ? { ...s.switcher.stats } : null,
      })),
    };
  }

  close(): void {
    clearInterval(this.#ticker);
    for (const p of [...this.#peers.values()]) this.leave(p);
  }

  #onTrack(publisher: Peer, e: RTCTrackEvent): void {
    // A transceiver that goes back to sending fires "track" again (webrtc-pc §4.4.1.5): one publication each.
    for (const p of this.#publications.values()) if (p.transceiver === e.transceiver) return;
    const remoteSdp = publisher.pc.remoteDescription?.sdp ?? '';
    const pub = new Publication(publisher.id, e.transceiver, remoteSdp);
    this.#publications.set(pub.id, pub);
    for (const peer of this.#peers.values()) if (peer !== publisher) this.#subscribe(peer, pub);
  }

  #subscribe(subscriber: Peer, pub: Publication): void {
    const streams = this.#streams.get(subscriber.id)!;
    let stream = streams.get(pub.publisherId);
    if (!stream) {
      stream = new MediaStream();
      streams.set(pub.publisherId, stream);
    }
    let switcher: LayerSwitcher | null = null;
    let layer: string | null = null;
    if (pub.kind === 'video' && pub.rids.length > 0) {
      switcher = new LayerSwitcher({
        layerTrack: (rid) => pub.layerTrack(rid),
        mimeType: () => pub.mimeType,
        clockRate: 90000, // every video RTP clock (RFC 7741 §6.1, RFC 6184 §8.1)
        rids: pub.rids,
        label: `${pub.id} for ${subscriber.id}`,
      });
      layer = this.#options.initialLayer === 'first' ? pub.rids[0]! : pub.rids[pub.rids.length - 1]!;
      switcher.select(layer);
    }
    // addTransceiver, not addTrack: addTrack would reuse the subscriber's own publishing
    // transceiver (its sender never sent: webrtc-pc §5.1 addTrack step 7) and make it sendrecv,
    // which a browser that publishes with direction "sendonly" answers without receiving.
    const { sender } = subscriber.pc.addTransceiver(switcher ? switcher.track : pub.track, { direction: 'sendonly', streams: [stream] });
    this.#subscriptions.push({ publication: pub, subscriber, sender, switcher });
    // The newcomer needs a key frame to start decoding (the switcher asks for its own layer).
    if (!switcher && pub.kind === 'video') pub.requestKeyframe();
    subscriber.send({ type: 'subscribed', publication: pub.info(), mid: null, streamId: stream.id, layer });
  }

  #unsubscribe(s: Subscription, renegotiate: boolean): void {
    this.#subscriptions.splice(this.#subscriptions.indexOf(s), 1);
    s.switcher?.close();
    if (renegotiate && !s.subscriber.closed) {
      // Stopping the transceiver rejects its m-section (port 0, recyclable): negotiationneeded
      // fires and the SFU offers. removeTrack would leave a live "inactive" section per leaver.
      const t = s.subscriber.pc.getTransceivers().find((x) => x.sender === s.sender);
      t?.stop();
      s.subscriber.send({ type: 'unsubscribed', publicationId: s.publication.id });
    }
  }

  #unpublish(pub: Publication): void {
    this.#publications.delete(pub.id);
    for (const s of this.#subscriptions.filter((x) => x.publication === pub)) this.#unsubscribe(s, true);
    pub.close();
  }
}

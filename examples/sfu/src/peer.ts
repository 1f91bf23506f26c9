/**
 * Peer: one participant's RTCPeerConnection on the SFU, and the signaling
 * around it.
 *
 * Negotiation is "perfect negotiation" (webrtc-pc §10.7 example): either
 * side may offer whenever it needs to (the browser when it starts
 * publishing, the SFU when a track must be added or removed for this
 * subscriber); on glare the browser is the *polite* peer and rolls its
 * offer back, the SFU is *impolite* and ignores the colliding offer. Why
 * not server-driven offers only: a browser publishing its camera would then
 * need an extra "please offer me a recvonly section" round trip, and one
 * code path (the browser's standard pattern) covers joins, leaves and
 * publishing changes on both sides.
 *
 * One rule on top: the browser makes the FIRST offer (the page opens a data
 * channel at once for that), and the SFU holds its own offers until that
 * first exchange is done. A join then never starts with glare (the SFU has
 * tracks to add for a newcomer at the same moment the newcomer offers), and
 * the SFU is always the DTLS client (answerer of the first exchange; later
 * offers keep the roles, RFC 8842 §5.3). It was first needed because
 * @rivulet/dtls could not be a DTLS server for Chromium's fragmented
 * ClientHello; that is fixed (.tmp/repros/sfu-rivulet-offers-chromium.ts
 * passes), the rule stays for the two reasons above.
 */
import { RTCPeerConnection, type RTCIceCandidateInit, type RTCSessionDescriptionInit, type RTCTrackEvent } from '@rivulet/webrtc';

export type ServerMessage =
  | { type: 'welcome'; id: string; room: string }
  | { type: 'description'; description: RTCSessionDescriptionInit }
  | { type: 'candidate'; candidate: RTCIceCandidateInit | null }
  | { type: 'subscribed'; publication: { id: string; publisherId: string; kind: string; rids: string[] }; mid: string | null; streamId: string; layer: string | null }
  | { type: 'unsubscribed'; publicationId: string }
  | { type: 'layer'; publicationId: string; rid: string }
  | { type: 'error'; message: string };

export type ClientMessage =
  | { type: 'description'; description: RTCSessionDescriptionInit }
  | { type: 'candidate'; candidate: RTCIceCandidateInit | null }
  | { type: 'layer'; publicationId: string; rid: string };

export interface PeerStats {
  offersSent: number;
  answersSent: number;
  offersIgnored: number;
  signalingErrors: number;
  malformedMessages: number;
}

export class Peer {
  readonly id: string;
  readonly pc: RTCPeerConnection;
  readonly stats: PeerStats = { offersSent: 0, answersSent: 0, offersIgnored: 0, signalingErrors: 0, malformedMessages: 0 };
  #makingOffer = false;
  #ignoreOffer = false;
  #closed = false;
  /** The first offer/answer (browser → SFU) is done: the SFU may offer from now on. */
  #firstExchangeDone = false;
  #offerHeld = false;
  readonly #send: (m: ServerMessage) => void;

  constructor(id: string, send: (m: ServerMessage) => void, interfaceAddresses: string[], onTrack: (e: RTCTrackEvent) => void) {
    this.id = id;
    this.#send = send;
    this.pc = new RTCPeerConnection({ rivulet: { interfaceAddresses } });
    this.pc.onicecandidate = (e) => this.send({ type: 'candidate', candidate: e.candidate ? e.candidate.toJSON() : null });
    this.pc.ontrack = (e) => onTrack(e as RTCTrackEvent);
    this.pc.onnegotiationneeded = () => { void this.#offer(); };
  }

  get closed(): boolean { return this.#closed; }

  send(m: ServerMessage): void {
    if (!this.#closed) this.#send(m);
  }

  async #offer(): Promise<void> {
    if (!this.#firstExchangeDone) {
      this.#offerHeld = true;
      return;
    }
    // One offer at a time: negotiationneeded fires again on return to stable if still needed (§4.7.3).
    if (this.#makingOffer || this.pc.signalingState !== 'stable') return;
    try {
      this.#makingOffer = true;
      await this.pc.setLocalDescription();
      this.stats.offersSent++;
      this.send({ type: 'description', description: this.pc.localDescription!.toJSON() });
    } catch (err) {
      this.#fail('creating an offer', err);
    } finally {
      this.#makingOffer = false;
    }
  }

  /** A description or candidate from the browser (webrtc-pc §10.7, impolite side). */
  async handle(m: ClientMessage): Promise<void> {
    if (this.#closed) return;
    try {
      if (m.type === 'description') {
        const d = m.description;
        const collision = d.type === 'offer' && (this.#makingOffer || this.pc.signalingState !== 'stable');
        this.#ignoreOffer = collision;
        if (collision) {
          this.stats.offersIgnored++;
          return;
        }
        await this.pc.setRemoteDescription(d);
        if (d.type === 'offer') {
          this.#firstExchangeDone = true;
          await this.pc.setLocalDescription();
          this.stats.answersSent++;
          this.send({ type: 'description', description: this.pc.localDescription!.toJSON() });
          if (this.#offerHeld && this.pc.signalingState === 'stable') {
            // Tracks were added for this subscriber before its first offer came: offer them now.
            this.#offerHeld = false;
            void this.#offer();
          }
        }
      } else if (m.type === 'candidate') {
        try {
          await this.pc.addIceCandidate(m.candidate ?? undefined);
        } catch (err) {
          // Candidates of an offer we ignored fail to apply; that is expected (§10.7).
          if (!this.#ignoreOffer) throw err;
        }
      }
    } catch (err) {
      this.#fail(`handling a ${m.type}`, err);
    }
  }

  #fail(what: string, err: unknown): void {
    this.stats.signalingErrors++;
    const message = `peer ${this.id}: ${what} failed: ${err instanceof Error ? err.message : String(err)}`;
    console.warn(message);
    this.send({ type: 'error', message });
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.pc.close();
  }
}

/**
 * RTCRtpTransceiver (webrtc-pc §5.4): a sender/receiver pair sharing one
 * m-section. Its JSEP bookkeeping (mid, m-line index, fired direction,
 * stopping/stopped) lives in TransceiverState so the JSEP modules can read
 * and update it without widening the public surface.
 */
import { invalidModification, invalidState } from '../base/errors.js';
import { codecsMatch } from '@rivulet/sdp';
import { localCodecs, type RTCRtpCodec } from '../jsep/capabilities.js';
import { trackInternals } from '../media/MediaStreamTrack.js';
import type { PeerContext } from './context.js';
import { RTCRtpReceiver, receiverInternals } from './RTCRtpReceiver.js';
import { RTCRtpSender, senderInternals, setStoppingProbe } from './RTCRtpSender.js';
import { dtmfInternals } from './RTCDTMFSender.js';

export type RTCRtpTransceiverDirection = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive' | 'stopped';
export type NegotiatedDirection = Exclude<RTCRtpTransceiverDirection, 'stopped'>;
const DIRECTIONS: readonly string[] = ['sendrecv', 'sendonly', 'recvonly', 'inactive'];

export interface TransceiverState {
  ctx: PeerContext;
  kind: 'audio' | 'video';
  mid: string | null;
  /** The mid we wrote for it in our last created offer, before association (RFC 8829 §5.2.1). */
  proposedMid: string | null;
  mLineIndex: number | null;
  direction: RTCRtpTransceiverDirection;
  currentDirection: RTCRtpTransceiverDirection | null;
  /** [[FiredDirection]]: decides when track events fire (webrtc-pc §4.4.1.6). */
  firedDirection: NegotiatedDirection | null;
  stopping: boolean;
  stopped: boolean;
  /** Created by addTrack (JSEP §5.10 associates such transceivers with remote offers). */
  addedByAddTrack: boolean;
  /** Created by setRemoteDescription (removed again on rollback unless addTrack claimed it). */
  createdByRemote: boolean;
  /** Ever negotiated to send (addTrack may not reuse such a sender, webrtc-pc §4.4.1.9). */
  everSent: boolean;
  codecPreferences: RTCRtpCodec[];
}

let constructing = false;
// Assigned by the class's static block (declared first: temporal dead zone).
export let transceiverInternals: {
  create(ctx: PeerContext, init: { kind: 'audio' | 'video'; direction: NegotiatedDirection; sender: RTCRtpSender; receiver: RTCRtpReceiver }): RTCRtpTransceiver;
  state(t: RTCRtpTransceiver): TransceiverState;
  /** "stop sending and receiving" (§5.4); disappear=true for close() and rollback removal (no ended event). */
  stopSendingAndReceiving(t: RTCRtpTransceiver, disappear: boolean): void;
  /** "stop the RTCRtpTransceiver" (§5.4): stopped, currentDirection null→'stopped' getter. */
  stopTransceiver(t: RTCRtpTransceiver, disappear: boolean): void;
};

export class RTCRtpTransceiver {
  readonly #s: TransceiverState;
  readonly #sender: RTCRtpSender;
  readonly #receiver: RTCRtpReceiver;

  /** Not constructible by applications (use addTransceiver/addTrack). */
  constructor(s: TransceiverState, sender: RTCRtpSender, receiver: RTCRtpReceiver) {
    if (!constructing) throw new TypeError('Illegal constructor');
    constructing = false;
    this.#s = s;
    this.#sender = sender;
    this.#receiver = receiver;
  }

  get mid(): string | null { return this.#s.mid; }
  get sender(): RTCRtpSender { return this.#sender; }
  get receiver(): RTCRtpReceiver { return this.#receiver; }

  get direction(): RTCRtpTransceiverDirection { return this.#s.direction; }
  set direction(value: RTCRtpTransceiverDirection) {
    const s = this.#s;
    // WebIDL §3.7.6: assigning a string outside an enum to an enum-typed attribute is ignored
    // (no exception), as browsers do; only the valid "stopped" is a TypeError (below).
    if (!DIRECTIONS.includes(String(value)) && String(value) !== 'stopped') return;
    // §5.4 direction setter: closed or stopping → InvalidStateError; "stopped" → TypeError.
    if (s.ctx.isClosed) throw invalidState('RTCRtpTransceiver.direction: the RTCPeerConnection is closed');
    if (s.stopping) throw invalidState('RTCRtpTransceiver.direction: the transceiver is stopping or stopped');
    if (value === 'stopped') throw new TypeError('RTCRtpTransceiver.direction: "stopped" cannot be set; call stop()');
    if (s.direction === value) return;
    s.direction = value;
    s.ctx.updateNegotiationNeeded();
  }

  /** §5.4: "stopped" once stopped, else the negotiated direction (null before any answer). */
  get currentDirection(): RTCRtpTransceiverDirection | null {
    return this.#s.stopped ? 'stopped' : this.#s.currentDirection;
  }

  stop(): void {
    const s = this.#s;
    if (s.ctx.isClosed) throw invalidState('RTCRtpTransceiver.stop: the RTCPeerConnection is closed');
    if (s.stopping) return;
    transceiverInternals.stopSendingAndReceiving(this, false);
    s.ctx.updateNegotiationNeeded();
  }

  /**
   * §5.4 setCodecPreferences: every entry must match a codec from
   * RTCRtpReceiver.getCapabilities(kind) (mime type, clock rate, channels,
   * fmtp); RTX/RED/FEC alone is not enough; [] resets to the default.
   */
  setCodecPreferences(codecs: readonly RTCRtpCodec[]): void {
    if (!Array.isArray(codecs)) throw new TypeError('setCodecPreferences: codecs must be an array');
    const s = this.#s;
    if (codecs.length === 0) {
      s.codecPreferences = [];
      return;
    }
    const available = localCodecs(s.kind);
    const kept: RTCRtpCodec[] = [];
    for (const c of codecs) {
      if (!c || typeof c.mimeType !== 'string') throw new TypeError('setCodecPreferences: each codec needs a mimeType');
      const key = JSON.stringify([c.mimeType.toLowerCase(), c.clockRate, c.channels ?? null, c.sdpFmtpLine ?? null]);
      if (kept.some((k) => JSON.stringify([k.mimeType.toLowerCase(), k.clockRate, k.channels ?? null, k.sdpFmtpLine ?? null]) === key)) continue;
      const isRtx = c.mimeType.toLowerCase() === `${s.kind}/rtx` && c.clockRate === 90000;
      const known = isRtx || available.some((a) => a.mimeType.toLowerCase() === c.mimeType.toLowerCase() &&
        a.clockRate === c.clockRate && (s.kind !== 'audio' || (a.channels ?? 1) === (c.channels ?? 1)) &&
        (a.sdpFmtpLine ?? '') === (c.sdpFmtpLine ?? '') && codecsMatch(
          { mimeType: a.mimeType, clockRate: a.clockRate, parameters: fmtpMap(a.sdpFmtpLine) },
          { mimeType: c.mimeType, clockRate: c.clockRate, parameters: fmtpMap(c.sdpFmtpLine) }));
      if (!known) {
        throw invalidModification(`setCodecPreferences: ${c.mimeType}/${c.clockRate}${c.sdpFmtpLine ? ` (${c.sdpFmtpLine})` : ''} is not in RTCRtpReceiver.getCapabilities("${s.kind}")`);
      }
      kept.push({ ...c });
    }
    if (kept.every((c) => /\/(rtx|red|ulpfec|flexfec-03)$/i.test(c.mimeType))) {
      throw invalidModification('setCodecPreferences: only resiliency codecs (rtx/red/fec) were given; include a media codec');
    }
    s.codecPreferences = kept;
  }

  static {
    transceiverInternals = {
      create(ctx, init) {
        const state: TransceiverState = {
          ctx, kind: init.kind, mid: null, proposedMid: null, mLineIndex: null, direction: init.direction,
          currentDirection: null, firedDirection: null, stopping: false, stopped: false, addedByAddTrack: false,
          createdByRemote: false, everSent: false, codecPreferences: [],
        };
        constructing = true;
        const t = new RTCRtpTransceiver(state, init.sender, init.receiver);
        senderInternals.state(init.sender).transceiver = t;
        return t;
      },
      state: (t) => t.#s,
      stopSendingAndReceiving(t, disappear) {
        const s = t.#s;
        const ss = senderInternals.state(t.#sender);
        if (ss.dtmf) dtmfInternals.stop(ss.dtmf);
        ss.pipeline?.stop();
        ss.pipeline = null;
        const rs = receiverInternals.state(t.#receiver);
        // §5.4: the receiver's track ends; the event fires unless the transceiver disappears.
        trackInternals.endBySource(rs.track, !disappear);
        rs.source.end();
        s.direction = 'stopped';
        s.stopping = true;
      },
      stopTransceiver(t, disappear) {
        const s = t.#s;
        if (!s.stopping) transceiverInternals.stopSendingAndReceiving(t, disappear);
        s.stopped = true;
        s.currentDirection = null;
      },
    };
    setStoppingProbe((t) => t.#s.stopping, (t) => t.#s);
  }
}

function fmtpMap(line: string | undefined): Map<string, string> {
  const m = new Map<string, string>();
  for (const part of (line ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) m.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1).trim());
  }
  return m;
}

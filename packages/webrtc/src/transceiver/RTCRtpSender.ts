/**
 * RTCRtpSender (webrtc-pc §5.2): the track being sent, its streams (msid),
 * encodings (simulcast rids) and parameters. Media flows through a
 * SendPipeline once negotiation says this sender sends.
 */
import { invalidModification, invalidState } from '../base/errors.js';
import { newId, randomSsrc } from '../base/random.js';
import { getCapabilities, type RTCRtpCapabilities, type RTCRtpCodecParameters } from '../jsep/capabilities.js';
import { MediaStreamTrack } from '../media/MediaStreamTrack.js';
import type { SendPipeline } from '../media/sendPipeline.js';
import type { RTCStatsReport } from '../stats/RTCStatsReport.js';
import type { RTCDtlsTransport } from '../transport/RTCDtlsTransport.js';
import type { PeerContext } from './context.js';
import {
  checkSetParameters, type RTCRtpEncodingParameters, type RTCRtpHeaderExtensionParameters, type RTCRtpSendParameters,
} from './parameters.js';
import type { RTCRtpTransceiver, TransceiverState } from './RTCRtpTransceiver.js';
import { dtmfInternals, type RTCDTMFSender } from './RTCDTMFSender.js';

export interface RTCSetParameterOptions {
  encodingOptions?: unknown[];
}

/** Per-encoding RTP stream identity (RFC 3550 SSRC, RFC 4588 RTX SSRC). */
export interface SendStream {
  rid: string | undefined;
  ssrc: number;
  rtxSsrc: number;
}

/** What negotiation decided for this sender (set on each applied answer). */
export interface NegotiatedSend {
  mid: string;
  codecs: RTCRtpCodecParameters[];
  /** Payload type of RTX per media payload type (RFC 4588 apt). */
  rtx: Map<number, number>;
  headerExtensions: RTCRtpHeaderExtensionParameters[];
  /** The rids negotiated for simulcast (a=simulcast send), in order. */
  rids: string[];
  /** a=rtcp-fb values of the send codec, e.g. 'nack', 'nack pli', 'transport-cc'. */
  feedback: string[];
  reducedSize: boolean;
}

let constructing = false;
// Assigned by the class's static block (declared first: temporal dead zone).
export let senderInternals: {
  create(ctx: PeerContext, kind: 'audio' | 'video', track: MediaStreamTrack | null, streamIds: string[], encodings: RTCRtpEncodingParameters[]): RTCRtpSender;
  state(s: RTCRtpSender): SenderState;
};

export interface SenderState {
  ctx: PeerContext;
  kind: 'audio' | 'video';
  track: MediaStreamTrack | null;
  transport: RTCDtlsTransport | null;
  transceiver: RTCRtpTransceiver | null;
  /** [[AssociatedMediaStreamIds]] */
  streamIds: string[];
  encodings: RTCRtpEncodingParameters[];
  streams: SendStream[];
  cname: string;
  /** msid appdata when the sender has no track (RFC 8830 §2 needs a token). */
  senderId: string;
  lastReturned: RTCRtpSendParameters | null;
  negotiated: NegotiatedSend | null;
  pipeline: SendPipeline | null;
  /** Called when the track changes (replaceTrack/addTrack reuse) so the pipeline re-subscribes. */
  onTrackChanged: (() => void) | null;
  dtmf: RTCDTMFSender | null;
}

export class RTCRtpSender {
  readonly #s: SenderState;

  /** Not constructible by applications (created by addTrack/addTransceiver). */
  constructor(s: SenderState) {
    if (!constructing) throw new TypeError('Illegal constructor');
    constructing = false;
    this.#s = s;
  }

  get track(): MediaStreamTrack | null { return this.#s.track; }
  get transport(): RTCDtlsTransport | null { return this.#s.transport; }
  /** webrtc-pc §7: an RTCDTMFSender for audio senders, null for video. */
  get dtmf(): RTCDTMFSender | null {
    const s = this.#s;
    if (s.kind !== 'audio') return null;
    s.dtmf ??= dtmfInternals.create(s, () => (s.transceiver ? transceiverStateOf(s.transceiver) : null));
    return s.dtmf;
  }

  static getCapabilities(kind: string): RTCRtpCapabilities | null {
    return getCapabilities(kind);
  }

  getParameters(): RTCRtpSendParameters {
    const s = this.#s;
    const n = s.negotiated;
    const params: RTCRtpSendParameters = {
      transactionId: newId(),
      encodings: s.encodings.map((e) => ({ ...e })),
      headerExtensions: n ? n.headerExtensions.map((h) => ({ ...h })) : [],
      rtcp: { cname: s.cname, reducedSize: n ? n.reducedSize : true },
      codecs: n ? n.codecs.map((c) => ({ ...c })) : [],
    };
    s.lastReturned = structuredClone(params);
    // §5.2 getParameters: [[LastReturnedParameters]] is cleared in a queued task.
    const ref = s.lastReturned;
    setImmediate(() => {
      if (s.lastReturned === ref) s.lastReturned = null;
    });
    return params;
  }

  async setParameters(parameters: RTCRtpSendParameters, _options?: RTCSetParameterOptions): Promise<void> {
    const s = this.#s;
    if (s.ctx.isClosed) throw invalidState('setParameters: the RTCPeerConnection is closed');
    if (s.transceiver && transceiverIsStopping(s.transceiver)) throw invalidState('setParameters: the transceiver is stopping or stopped');
    const last = s.lastReturned;
    if (!last) throw invalidState('setParameters: call getParameters() first (in the same task); parameters are only valid until the next task');
    const problem = checkSetParameters(parameters, last, s.kind);
    if (problem instanceof RangeError) throw problem;
    if (problem) throw invalidModification(`setParameters: ${problem}`);
    s.lastReturned = null;
    s.encodings = parameters.encodings.map((e, i) => {
      const copy = { ...s.encodings[i], ...e };
      if (s.kind === 'audio') delete copy.scaleResolutionDownBy;
      return copy;
    });
    s.pipeline?.updateEncodings(s.encodings);
  }

  replaceTrack(withTrack: MediaStreamTrack | null): Promise<void> {
    const s = this.#s;
    if (withTrack !== null && !(withTrack instanceof MediaStreamTrack)) {
      return Promise.reject(new TypeError('replaceTrack: argument must be a MediaStreamTrack or null'));
    }
    // §5.2 replaceTrack step: a different kind is a TypeError.
    if (withTrack && withTrack.kind !== s.kind) {
      return Promise.reject(new TypeError(`replaceTrack: track kind "${withTrack.kind}" differs from the sender's "${s.kind}"`));
    }
    return s.ctx.chainOperation(async () => {
      if (s.transceiver && transceiverIsStopping(s.transceiver)) throw invalidState('replaceTrack: the transceiver is stopping or stopped');
      // No renegotiation: the same SSRCs and payload types carry the new track.
      s.track = withTrack;
      s.onTrackChanged?.();
    });
  }

  setStreams(...streams: { id: string }[]): void {
    const s = this.#s;
    if (s.ctx.isClosed) throw invalidState('setStreams: the RTCPeerConnection is closed');
    const ids: string[] = [];
    for (const st of streams) if (!ids.includes(st.id)) ids.push(st.id);
    s.streamIds = ids;
    s.ctx.updateNegotiationNeeded();
  }

  getStats(): Promise<RTCStatsReport> {
    return this.#s.ctx.getStatsFor(this);
  }

  static {
    senderInternals = {
      create(ctx, kind, track, streamIds, encodings) {
        const state: SenderState = {
          ctx, kind, track, transport: null, transceiver: null, streamIds, encodings,
          streams: encodings.map((e) => ({ rid: e.rid, ssrc: randomSsrc(), rtxSsrc: randomSsrc() })),
          cname: ctx.cname, senderId: newId(), lastReturned: null, negotiated: null, pipeline: null, onTrackChanged: null, dtmf: null,
        };
        constructing = true;
        return new RTCRtpSender(state);
      },
      state: (s) => s.#s,
    };
  }
}

// Set by RTCRtpTransceiver to avoid an import cycle at module evaluation.
let transceiverIsStopping: (t: RTCRtpTransceiver) => boolean = () => false;
let transceiverStateOf: (t: RTCRtpTransceiver) => TransceiverState = () => {
  throw new Error('transceiver internals not wired');
};
export function setStoppingProbe(fn: (t: RTCRtpTransceiver) => boolean, stateOf: (t: RTCRtpTransceiver) => TransceiverState): void {
  transceiverIsStopping = fn;
  transceiverStateOf = stateOf;
}

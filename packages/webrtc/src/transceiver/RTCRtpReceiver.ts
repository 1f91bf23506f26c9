/**
 * RTCRtpReceiver (webrtc-pc §5.3). Its track exists from creation (muted
 * until RTP flows, §5.3 "create an RTCRtpReceiver"), and is fed the
 * received RTP through a MediaStreamTrackSource, so a remote track can be
 * forwarded to another peer connection unchanged (SFU).
 */
import { getCapabilities, type RTCRtpCapabilities, type RTCRtpCodecParameters } from '../jsep/capabilities.js';
import type { MediaStream } from '../media/MediaStream.js';
import type { MediaStreamTrack } from '../media/MediaStreamTrack.js';
import { MediaStreamTrackSource } from '../media/MediaStreamTrackSource.js';
import type { RTCStatsReport } from '../stats/RTCStatsReport.js';
import type { RTCDtlsTransport } from '../transport/RTCDtlsTransport.js';
import type { PeerContext } from './context.js';
import type { RTCRtpHeaderExtensionParameters, RTCRtpReceiveParameters } from './parameters.js';

/** webrtc-pc §5.3.1 RTCRtpContributingSource. */
export interface RTCRtpContributingSource {
  timestamp: number;
  source: number;
  audioLevel?: number;
  rtpTimestamp: number;
}

export type RTCRtpSynchronizationSource = RTCRtpContributingSource;

export interface ReceiverState {
  ctx: PeerContext;
  kind: 'audio' | 'video';
  source: MediaStreamTrackSource;
  track: MediaStreamTrack;
  transport: RTCDtlsTransport | null;
  /** [[AssociatedRemoteMediaStreams]] */
  remoteStreams: MediaStream[];
  codecs: RTCRtpCodecParameters[];
  /** a=rtcp-fb values of the first accepted codec ('nack', 'nack pli', 'transport-cc'…). */
  feedback: string[];
  /** RTX payload type per media payload type (RFC 4588 apt). */
  rtxByPt: Map<number, number>;
  /** RTX SSRC per media SSRC from a=ssrc-group:FID (RFC 5576 §4.2). */
  rtxSsrcOf: Map<number, number>;
  /** transport-wide-cc extension id, when negotiated. */
  twccId: number | undefined;
  /** The SSRC bound to the RTP session (key-frame requests go to it). */
  mediaSsrc: number | null;
  /** Unsubscribes the source's key-frame request listener. */
  keyframeHook: (() => void) | null;
  /** Simulcast receive (RFC 8853): rid of each SSRC seen, and one source per requested layer. */
  ridOfSsrc: Map<number, string>;
  layerSources: Map<string, MediaStreamTrackSource>;
  headerExtensions: RTCRtpHeaderExtensionParameters[];
  reducedSize: boolean;
  /** SSRCs announced in the remote description for this m-section (a=ssrc). */
  announcedSsrcs: Set<number>;
  /** Rids the remote sends (simulcast recv). */
  rids: string[];
  /** Last packet time per SSRC/CSRC (§5.3.1, kept for 10 s). */
  syncSources: Map<number, RTCRtpContributingSource>;
  contribSources: Map<number, RTCRtpContributingSource>;
  packetsReceived: number;
  bytesReceived: number;
  retransmittedPacketsReceived: number;
  lastPacketAt: number | null;
  ssrcsSeen: Set<number>;
}

let constructing = false;
// Assigned by the class's static block (declared first: temporal dead zone).
export let receiverInternals: {
  create(ctx: PeerContext, kind: 'audio' | 'video'): RTCRtpReceiver;
  state(r: RTCRtpReceiver): ReceiverState;
};

/** §5.3.1: sources older than 10 seconds are not reported. */
const SOURCE_WINDOW_MS = 10_000;

export class RTCRtpReceiver {
  readonly #s: ReceiverState;

  /** Not constructible by applications. */
  constructor(s: ReceiverState) {
    if (!constructing) throw new TypeError('Illegal constructor');
    constructing = false;
    this.#s = s;
  }

  get track(): MediaStreamTrack { return this.#s.track; }
  get transport(): RTCDtlsTransport | null { return this.#s.transport; }

  static getCapabilities(kind: string): RTCRtpCapabilities | null {
    return getCapabilities(kind);
  }

  getParameters(): RTCRtpReceiveParameters {
    const s = this.#s;
    return {
      headerExtensions: s.headerExtensions.map((h) => ({ ...h })),
      rtcp: { reducedSize: s.reducedSize },
      codecs: s.codecs.map((c) => ({ ...c })),
    };
  }

  getSynchronizationSources(): RTCRtpSynchronizationSource[] {
    return recent(this.#s.syncSources);
  }

  getContributingSources(): RTCRtpContributingSource[] {
    return recent(this.#s.contribSources);
  }

  getStats(): Promise<RTCStatsReport> {
    return this.#s.ctx.getStatsFor(this);
  }

  static {
    receiverInternals = {
      create(ctx, kind) {
        const source = new MediaStreamTrackSource({ kind, label: `remote ${kind}` });
        // §5.3 step: the receiver's track starts muted.
        source.setMuted(true);
        const state: ReceiverState = {
          ctx, kind, source, track: source.createTrack(), transport: null, remoteStreams: [], codecs: [], feedback: [], rtxByPt: new Map(),
          rtxSsrcOf: new Map(), twccId: undefined, mediaSsrc: null, keyframeHook: null, ridOfSsrc: new Map(), layerSources: new Map(),
          headerExtensions: [], reducedSize: false, announcedSsrcs: new Set(), rids: [], syncSources: new Map(),
          contribSources: new Map(), packetsReceived: 0, bytesReceived: 0, retransmittedPacketsReceived: 0, lastPacketAt: null, ssrcsSeen: new Set(),
        };
        constructing = true;
        return new RTCRtpReceiver(state);
      },
      state: (r) => r.#s,
    };
  }
}

/**
 * Non-standard: a track carrying only the simulcast layer `rid` that this receiver gets (the
 * receiver's own track carries every layer). Key-frame requests on it go to that layer's SSRC.
 * Throws when the remote did not offer to send that rid.
 */
export function simulcastLayerTrack(receiver: RTCRtpReceiver, rid: string): MediaStreamTrack {
  if (!(receiver instanceof RTCRtpReceiver)) throw new TypeError('simulcastLayerTrack: receiver must be an RTCRtpReceiver');
  const s = receiverInternals.state(receiver);
  if (!s.rids.includes(rid)) {
    throw new DOMException(`simulcastLayerTrack: rid ${JSON.stringify(rid)} is not among the negotiated rids [${s.rids.join(', ')}]`, 'InvalidAccessError');
  }
  let src = s.layerSources.get(rid);
  if (!src) {
    src = new MediaStreamTrackSource({ kind: s.kind, label: `remote ${s.kind} ${rid}` });
    src.setMuted(true);
    s.layerSources.set(rid, src);
  }
  return src.createTrack();
}

function recent(map: Map<number, RTCRtpContributingSource>): RTCRtpContributingSource[] {
  const cutoff = performance.timeOrigin + performance.now() - SOURCE_WINDOW_MS;
  return [...map.values()].filter((x) => x.timestamp >= cutoff).map((x) => ({ ...x }));
}

/**
 * PeerCore: the state and shared machinery behind one RTCPeerConnection
 * (operations chain, negotiation-needed flag, event dispatch). The W3C
 * class and the modules under pc/ and jsep/ all work on it.
 */
import { realClock, type Clock } from '@rivulet/common';
import { randomBytes } from 'node:crypto';
import { randomSessionId } from '../base/random.js';
import { RTCRtpTransceiver, transceiverInternals } from '../transceiver/RTCRtpTransceiver.js';
import type { PeerContext } from '../transceiver/context.js';
import type { RTCStatsReport } from '../stats/RTCStatsReport.js';
import type { RTCCertificate } from '../rtc/RTCCertificate.js';
import type { NormalizedConfiguration } from './configuration.js';
import { isNegotiationNeeded } from './negotiationNeeded.js';
import { OperationsChain } from './operations.js';
import type { PeerState } from './state.js';

export class PeerCore {
  readonly st: PeerState;
  readonly chain: OperationsChain;
  readonly ctx: PeerContext;
  readonly clock: Clock;
  /**
   * getStats for a selector, given by RTCPeerConnection (avoids an import cycle). A constructor
   * argument rather than a field assigned after construction: assigning it afterwards left every
   * closed connection reachable from old space at each minor GC (measured: ~60 % of the bytes
   * `new RTCPeerConnection()` allocates survived scavenges; 0 % when passed here).
   */
  readonly statsFor: (selector: object | null) => Promise<RTCStatsReport>;
  /** RTCP CNAME of this connection (RFC 7022: random per connection). */
  readonly cname = randomBytes(12).toString('base64');
  /** Remote candidates already given to ICE ("ufrag candidate-line"). */
  readonly appliedRemoteCandidates = new Set<string>();
  /** Every sender this connection created (removeTrack's InvalidAccessError check). */
  readonly createdSenders = new WeakSet<object>();
  /** The configured or generated certificate (generation is asynchronous). */
  certificateReady: Promise<RTCCertificate> | null = null;
  /** Set by the transport wiring. */
  sendRtp: (packet: Uint8Array) => void = () => {};
  sendRtcp: (packet: Uint8Array) => void = () => {};

  constructor(
    readonly target: EventTarget,
    config: NormalizedConfiguration,
    statsFor: (selector: object | null) => Promise<RTCStatsReport> = () => Promise.reject(new Error('stats not wired')),
  ) {
    this.statsFor = statsFor;
    this.clock = config.rivulet.clock ?? realClock;
    this.st = {
      config, closed: false, signalingState: 'stable', currentLocal: null, pendingLocal: null, currentRemote: null,
      pendingRemote: null, lastCreatedOffer: '', lastCreatedAnswer: '', lastOfferStamp: '', transceivers: [],
      dataChannels: new Set(), dataChannelRequested: false, dataMid: null, dataMLineIndex: null, dataProposedMid: null,
      sessionId: randomSessionId(), sessionVersion: 1n, nextMid: 0, iceRestartPending: false, negotiationNeeded: false,
      updateNegotiationNeededOnEmptyChain: false, certificate: null, bundle: null, iceTransport: null,
      dtlsTransport: null, sctpTransport: null, iceGatheringState: 'new', iceConnectionState: 'new',
      connectionState: 'new', localCandidates: [], localEndOfCandidates: false, offerSnapshot: null, dtlsRole: null,
      sctpStarted: false, remoteIceUfrag: null, pendingIceParameters: null, remoteStreams: new Map(),
      transceiverState: (t: RTCRtpTransceiver) => transceiverInternals.state(t),
    };
    this.chain = new OperationsChain(() => this.st.closed, () => {
      if (this.st.updateNegotiationNeededOnEmptyChain) {
        this.st.updateNegotiationNeededOnEmptyChain = false;
        this.updateNegotiationNeeded();
      }
    });
    this.ctx = new CoreContext(this);
  }

  fire(event: Event): void {
    if (!this.st.closed) this.target.dispatchEvent(event);
  }

  /** Queues a task (macrotask), as the spec's "queue a task" does. */
  queueTask(fn: () => void): void {
    setImmediate(fn);
  }

  /** webrtc-pc §4.7.3 "update the negotiation-needed flag". */
  updateNegotiationNeeded(): void {
    const st = this.st;
    if (st.closed) return;
    if (this.chain.length !== 0) {
      st.updateNegotiationNeededOnEmptyChain = true;
      return;
    }
    this.queueTask(() => {
      if (st.closed) return;
      if (this.chain.length !== 0) {
        st.updateNegotiationNeededOnEmptyChain = true;
        return;
      }
      // Not stable: re-checked when signaling returns to stable.
      if (st.signalingState !== 'stable') return;
      if (!isNegotiationNeeded(st)) {
        st.negotiationNeeded = false;
        return;
      }
      if (st.negotiationNeeded) return;
      st.negotiationNeeded = true;
      this.fire(new Event('negotiationneeded'));
    });
  }

  /**
   * After a description leaves signaling stable (webrtc-pc §4.4.1.6 final
   * steps): update the flag; if it was and still is true, fire again.
   */
  afterStable(): void {
    const st = this.st;
    if (st.closed || st.signalingState !== 'stable') return;
    const before = st.negotiationNeeded;
    // Synchronous form of the update (the chain is still busy with this operation).
    const needed = isNegotiationNeeded(st);
    st.negotiationNeeded = needed;
    if (before && needed) {
      this.queueTask(() => {
        if (st.closed || !st.negotiationNeeded) return;
        this.fire(new Event('negotiationneeded'));
      });
    } else if (!before && needed) {
      st.negotiationNeeded = false;
      this.updateNegotiationNeeded();
    }
  }
}

/**
 * The PeerContext of one PeerCore. A class, not an object literal with getters: V8 allocates the
 * AccessorPair of a literal's `get x()` in old space, so each connection's getter closures, and
 * through them the whole connection, were reachable from old space and survived every minor GC
 * until the next full one (~2.8 MB copied and promoted per scavenge in bench/connect-phases.ts,
 * 7-20 ms pauses). Prototype getters allocate nothing per instance.
 */
class CoreContext implements PeerContext {
  constructor(private readonly core: PeerCore) {}
  get isClosed(): boolean { return this.core.st.closed; }
  get cname(): string { return this.core.cname; }
  get clock(): Clock { return this.core.clock; }
  // Own arrow properties (callers may pass these around detached).
  readonly updateNegotiationNeeded = (): void => this.core.updateNegotiationNeeded();
  readonly chainOperation = <T>(op: () => Promise<T>): Promise<T> => this.core.chain.chain(op);
  readonly getStatsFor = (selector: object): Promise<RTCStatsReport> => this.core.statsFor(selector);
  readonly sendRtp = (p: Uint8Array): void => this.core.sendRtp(p);
  readonly sendRtcp = (p: Uint8Array): void => this.core.sendRtcp(p);
}

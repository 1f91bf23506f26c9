/**
 * The built-in transport bundle over the @rivulet packages:
 * ICE agent → demultiplex by first byte (RFC 7983 §7) → DTLS (RFC 6347) →
 * SCTP (RFC 8261) → data channels (RFC 8831/8832); SRTP/SRTCP keyed from the
 * DTLS exporter (RFC 5764 §4.2). One bundle per peer connection.
 */
import { Counters, TypedEmitter } from '@rivulet/common';
import { DtlsEndpoint } from '@rivulet/dtls';
import { IceCandidate, type IceAgent } from '@rivulet/ice';
import { formatCandidate, type CandidateAttribute } from '@rivulet/sdp';
import { SrtpSession, srtpProfileFromDtlsId } from '@rivulet/srtp';
import type {
  CandidatePair, DataChannelHandle, DataChannelParameters, DtlsFingerprint, DtlsRole, DtlsTransportStateValue,
  IceGatheringStateValue, IceParameters, IceRole, IceTransportStateValue, SctpTransportStateValue, TransportBundle,
  TransportBundleEvents, TransportBundleInit, TransportStats,
} from './bundle.js';
import { BundleSctp, type SctpHost } from './bundleSctp.js';
import { createBundleIceAgent, selectedCandidatePair, toCandidateAttribute } from './bundleIce.js';
import { iceAgentStats, dtlsStats } from '../stats/transportStats.js';

type DropReason = 'dtls-before-start' | 'unknown-first-byte' | 'srtp-before-keys' | 'srtp-unprotect-failed' | 'bad-remote-candidate' | 'rtp-before-keys';

/**
 * ICE and DTLS, the RFC 7983 demultiplexer and SRTP live here; SCTP and data channels in
 * bundleSctp.ts (which reads the members marked internal through SctpHost).
 */
export class RivuletTransportBundle extends TypedEmitter<TransportBundleEvents> implements TransportBundle, SctpHost {
  readonly counters = new Counters<DropReason>();
  /** @internal */
  readonly agent: IceAgent;
  /** @internal */
  dtls: DtlsEndpoint | null = null;
  private srtp: SrtpSession | null = null;
  /** SRTP keys are derived on first use: a data-channel-only connection never needs them. */
  private srtpPending = false;
  /** DTLS datagrams that arrived before startDtls() (the peer's ClientHello can beat our answer). */
  private earlyDtls: Buffer[] = [];
  private readonly sctpPart: BundleSctp;
  private _dtlsState: DtlsTransportStateValue = 'new';
  private _dtlsRole: DtlsRole | null = null;
  private haveRemote = false;
  private gatherCalled = false;
  /** @internal */
  closed = false;
  private closing = false;
  private readonly traffic = { packetsSent: 0, packetsReceived: 0, bytesSent: 0, bytesReceived: 0 };
  /** webrtc-stats selectedCandidatePairChanges. */
  private pairChanges = 0;

  constructor(/** @internal */ readonly init: TransportBundleInit) {
    super();
    this.agent = createBundleIceAgent(init);
    this.sctpPart = new BundleSctp(this);
    this.agent.on('candidate', (c) => {
      const attr = toCandidateAttribute(c);
      if (attr) this.emit('candidate', attr);
    });
    this.agent.on('gatheringstatechange', (s) => this.emit('gatheringstatechange', s));
    this.agent.on('statechange', (s) => {
      if ((s === 'connected' || s === 'completed') && this.dtls && this.dtls.state === 'new') this.dtls.start();
      this.reportIceState();
    });
    // DTLS starts on the first valid pair (RFC 8445 §12.1), as libwebrtc starts it when the transport
    // becomes writable: the answerer's ClientHello leaves one round trip before the nomination would
    // arrive. If the peer dropped it (some stacks take data only on a selected pair), the selection
    // resends it one pair round trip later (when an answer should have come) instead of after the
    // DTLS retransmission timeout; a peer that took it has answered by then and nothing is resent.
    this.agent.on('writable', () => {
      this.reportIceState();
      if (this.dtls && this.dtls.state === 'new') this.dtls.start();
    });
    this.agent.on('selectedpairchange', (p) => {
      this.pairChanges++;
      if (p && this.dtls?.state === 'connecting' && this._dtlsRole === 'client') {
        this.init.clock.setTimeout(() => {
          if (!this.closed) this.dtls?.resendIfUnanswered();
        }, Math.max(1, Math.ceil(p.rttMs ?? 0)));
      }
      this.emit('selectedpairchange');
    });
    this.agent.on('data', (d) => this.onDatagram(d));
  }

  get localIceParameters(): IceParameters {
    const p = this.agent.localParameters;
    return { usernameFragment: p.usernameFragment, password: p.password };
  }
  get iceRole(): IceRole { return this.agent.role; }
  get iceState(): IceTransportStateValue {
    // webrtc-pc §5.6 RTCIceTransportState: 'connected' = "found a usable connection ... but is still
    // checking other candidate pairs". A valid pair is usable (RFC 8445 §12.1: data may flow on it
    // before the nomination), and DTLS/SCTP already run on it, so the W3C state says so; otherwise a
    // channel could open while connectionState still read 'connecting'.
    const s = this.agent.state;
    return s === 'checking' && this.agent.writable ? 'connected' : s;
  }
  private lastIceState: IceTransportStateValue = 'new';
  private reportIceState(): void {
    const s = this.iceState;
    if (s === this.lastIceState) return;
    this.lastIceState = s;
    this.emit('icestatechange', s);
  }
  get gatheringState(): IceGatheringStateValue { return this.agent.gatheringState; }
  get dtlsState(): DtlsTransportStateValue { return this._dtlsState; }
  get dtlsRole(): DtlsRole | null { return this._dtlsRole; }
  get sctpState(): SctpTransportStateValue | null { return this.sctpPart.state; }
  get remoteMaxMessageSize(): number { return this.sctpPart.remoteMaxMessageSize; }
  get sctpMaxChannels(): number | null { return this.sctpPart.maxChannels; }
  get selectedPair(): CandidatePair | null { return selectedCandidatePair(this.agent); }

  remoteCertificates(): Uint8Array[] {
    const c = this.dtls?.remoteCertificate;
    return c ? [c] : [];
  }

  setIceRole(role: IceRole): void {
    if (this.agent.role !== role) this.agent.setRole(role === 'controlling');
  }

  gather(): void {
    if (this.closed) return;
    this.gatherCalled = true;
    this.agent.gather().catch(() => { /* failures surface as gathering 'complete' with fewer candidates */ });
    this.maybeStartChecks();
  }

  restartIce(): IceParameters {
    this.agent.restart();
    return this.localIceParameters;
  }

  setRemoteIceParameters(params: IceParameters): void {
    const p: { usernameFragment: string; password: string; iceLite?: boolean } = { usernameFragment: params.usernameFragment, password: params.password };
    if (params.iceLite !== undefined) p.iceLite = params.iceLite;
    this.agent.setRemoteParameters(p);
    this.haveRemote = true;
    this.maybeStartChecks();
  }

  private maybeStartChecks(): void {
    if (this.haveRemote && this.gatherCalled && !this.closed) this.agent.start();
  }

  addRemoteCandidate(candidate: CandidateAttribute | null): void {
    if (this.closed) return;
    if (candidate === null) {
      this.agent.addRemoteCandidate(null);
      return;
    }
    try {
      this.agent.addRemoteCandidate(IceCandidate.fromSdp(`candidate:${formatCandidate(candidate)}`));
    } catch {
      this.counters.inc('bad-remote-candidate');
    }
  }

  startDtls(role: DtlsRole, fingerprints: DtlsFingerprint[]): void {
    if (this.dtls || this.closed) return;
    this._dtlsRole = role;
    const dtls = new DtlsEndpoint({
      role, certificate: this.init.certificate, remoteFingerprints: fingerprints, clock: this.init.clock,
      // No HelloVerifyRequest round trip (RFC 6347 §4.2.1): the cookie only proves the client's
      // address, which ICE already did — DTLS runs on a pair validated by connectivity checks
      // (RFC 8445 §7.2.5.3) and the agent delivers data only from validated sources.
      cookieExchange: false,
      send: (d) => this.transmit(d),
    });
    this.dtls = dtls;
    let lastError: string | undefined;
    dtls.on('error', (e) => { lastError = e.message; });
    dtls.on('statechange', (s) => {
      this._dtlsState = s;
      if (s === 'connected') this.onDtlsConnected();
      // The endpoint emits 'error' right after 'failed': report the state once the reason is known.
      if (s === 'failed') queueMicrotask(() => this.emit('dtlsstatechange', s, lastError));
      else this.emit('dtlsstatechange', s);
    });
    dtls.on('data', this.sctpPart.onDtlsData);
    const ice = this.agent.state;
    if (ice === 'connected' || ice === 'completed' || this.agent.writable) dtls.start();
    for (const d of this.earlyDtls.splice(0)) dtls.handleDatagram(d);
  }

  private onDtlsConnected(): void {
    this.srtpPending = this.dtls!.srtpProfile !== undefined;
    this.sctpPart.startIfOurTurn();
  }

  startSctp(options: { localPort: number; remotePort: number; remoteMaxMessageSize: number }): void {
    this.sctpPart.start(options, (p) => this.dtls?.send(p));
  }

  createDataChannel(p: DataChannelParameters): DataChannelHandle {
    return this.sctpPart.createDataChannel(p);
  }

  /** The SRTP session keyed from the DTLS exporter (RFC 5764 §4.2), made on first use. */
  private srtpSession(): SrtpSession | null {
    if (this.srtpPending) {
      this.srtpPending = false;
      const dtls = this.dtls!;
      const profile = srtpProfileFromDtlsId(dtls.srtpProfile!);
      if (profile) {
        const k = dtls.srtpKeyingMaterial();
        this.srtp = new SrtpSession({ profile, localKey: k.localKey, localSalt: k.localSalt, remoteKey: k.remoteKey, remoteSalt: k.remoteSalt });
      }
    }
    return this.srtp;
  }

  sendRtp(packet: Uint8Array): void {
    const srtp = this.srtpSession();
    if (!srtp) {
      this.counters.inc('rtp-before-keys');
      return;
    }
    this.transmit(srtp.protectRtp(Buffer.from(packet.buffer, packet.byteOffset, packet.byteLength)));
  }

  sendRtcp(packet: Uint8Array): void {
    const srtp = this.srtpSession();
    if (!srtp) {
      this.counters.inc('rtp-before-keys');
      return;
    }
    this.transmit(srtp.protectRtcp(Buffer.from(packet.buffer, packet.byteOffset, packet.byteLength)));
  }

  /** Every non-STUN datagram we send (DTLS, SRTP, SRTCP) goes out on the selected pair through here. */
  private transmit(d: Uint8Array): void {
    if (this.closed) return;
    this.traffic.packetsSent++;
    this.traffic.bytesSent += d.length;
    this.agent.send(d);
  }

  /** RFC 7983 §7: 20-63 DTLS, 128-191 RTP/RTCP (RTCP when the second byte is a 192-223 packet type, RFC 5761 §4). */
  private onDatagram(d: Buffer): void {
    if (d.length === 0) return;
    this.traffic.packetsReceived++;
    this.traffic.bytesReceived += d.length;
    const b = d[0]!;
    if (b >= 20 && b <= 63) {
      if (this.dtls) this.dtls.handleDatagram(d);
      else if (this.earlyDtls.length < 16) this.earlyDtls.push(Buffer.from(d));
      else this.counters.inc('dtls-before-start');
      return;
    }
    if (b >= 128 && b <= 191) {
      const srtp = this.srtpSession();
      if (!srtp) {
        this.counters.inc('srtp-before-keys');
        return;
      }
      const pt = d.length > 1 ? d[1]! : 0;
      if (pt >= 192 && pt <= 223) {
        const plain = srtp.unprotectRtcp(d);
        if (plain) this.emit('rtcp', plain);
        else this.counters.inc('srtp-unprotect-failed');
      } else {
        const plain = srtp.unprotectRtp(d);
        if (plain) this.emit('rtp', plain);
        else this.counters.inc('srtp-unprotect-failed');
      }
      return;
    }
    this.counters.inc('unknown-first-byte');
  }

  stats(): TransportStats {
    const dtls = this.dtls ? Object.fromEntries(Object.entries(this.dtls.counters.toJSON()).map(([k, v]) => [`dtls:${k}`, v])) : {};
    return {
      ...this.traffic, dropped: { ...this.counters.toJSON(), ...this.agent.counters.toJSON(), ...dtls, ...this.sctpPart.counters() },
      ...iceAgentStats(this.agent), selectedCandidatePairChanges: this.pairChanges, ...dtlsStats(this.dtls),
    };
  }

  /**
   * Tells the peer before going: SCTP ABORT (RFC 9260 §9.1) and DTLS close_notify (RFC 6347 §4.2.7)
   * still go out on the selected pair, then ICE closes.
   */
  close(): void {
    if (this.closed || this.closing) return;
    this.closing = true;
    try { this.sctpPart.sctp?.abort('peer connection closed'); } catch { /* already ended */ }
    try { this.dtls?.close(); } catch { /* already ended */ }
    this.closed = true;
    // node:dgram sends asynchronously: closing the sockets in the same tick would drop the ABORT and
    // close_notify just queued, so the ICE agent (and its sockets) close on the next turn.
    setImmediate(() => this.agent.close());
  }
}

export function createDefaultBundle(init: TransportBundleInit): TransportBundle {
  return new RivuletTransportBundle(init);
}

/**
 * The built-in transport bundle over the @rivulet packages:
 * ICE agent → demultiplex by first byte (RFC 7983 §7) → DTLS (RFC 6347) →
 * SCTP (RFC 8261) → data channels (RFC 8831/8832); SRTP/SRTCP keyed from the
 * DTLS exporter (RFC 5764 §4.2). One bundle per peer connection.
 */
import { Counters, TypedEmitter, interfaceMtuForAddress, nodeNetwork } from '@rivulet/common';
import { DtlsEndpoint } from '@rivulet/dtls';
import { IceAgent, IceCandidate, type IceServer } from '@rivulet/ice';
import { DataChannelManager, SctpAssociation, plpmtuCap } from '@rivulet/sctp';
import { formatCandidate, parseCandidate, type CandidateAttribute } from '@rivulet/sdp';
import { SrtpSession, srtpProfileFromDtlsId } from '@rivulet/srtp';
import type {
  CandidatePair, DataChannelHandle, DataChannelParameters, DtlsFingerprint, DtlsRole, DtlsTransportStateValue,
  IceGatheringStateValue, IceParameters, IceRole, IceTransportStateValue, SctpTransportStateValue, TransportBundle,
  TransportBundleEvents, TransportBundleInit, TransportStats,
} from './bundle.js';
import { SctpChannelHandle } from './sctpChannelHandle.js';
import { iceAgentStats, dtlsStats } from '../stats/transportStats.js';

type DropReason = 'unknown-first-byte' | 'srtp-before-keys' | 'srtp-unprotect-failed' | 'bad-remote-candidate' | 'rtp-before-keys';

function toCandidateAttribute(c: IceCandidate): CandidateAttribute | undefined {
  return parseCandidate(c.toSdp().slice('candidate:'.length));
}

export class RivuletTransportBundle extends TypedEmitter<TransportBundleEvents> implements TransportBundle {
  readonly counters = new Counters<DropReason>();
  private readonly agent: IceAgent;
  private dtls: DtlsEndpoint | null = null;
  private srtp: SrtpSession | null = null;
  private sctp: SctpAssociation | null = null;
  private channels: DataChannelManager | null = null;
  private _dtlsState: DtlsTransportStateValue = 'new';
  private _sctpState: SctpTransportStateValue | null = null;
  private _dtlsRole: DtlsRole | null = null;
  private _remoteMaxMessageSize = 65536;
  private haveRemote = false;
  private gatherCalled = false;
  private closed = false;
  private closing = false;
  private readonly traffic = { packetsSent: 0, packetsReceived: 0, bytesSent: 0, bytesReceived: 0 };
  /** webrtc-stats selectedCandidatePairChanges. */
  private pairChanges = 0;
  /** The largest SCTP packet DTLS has been told to accept (only ever grows: see updatePlpmtuCap). */
  private dtlsDataLimit = 1200;

  constructor(private readonly init: TransportBundleInit) {
    super();
    const iceServers: IceServer[] = init.iceServers.map((s) => {
      const server: IceServer = { urls: s.url };
      if (s.username !== undefined) server.username = s.username;
      if (s.credential !== undefined) server.credential = s.credential;
      return server;
    });
    const only = init.interfaceAddresses;
    this.agent = new IceAgent({
      controlling: false, clock: init.clock, iceServers, iceTransportPolicy: init.iceTransportPolicy,
      ...(init.network ? { network: init.network } : {}),
      ...(only ? { interfaceFilter: (a: { address: string }) => only.includes(a.address) } : {}),
    });
    this.agent.on('candidate', (c) => {
      const attr = toCandidateAttribute(c);
      if (attr) this.emit('candidate', attr);
    });
    this.agent.on('gatheringstatechange', (s) => this.emit('gatheringstatechange', s));
    this.agent.on('statechange', (s) => {
      if ((s === 'connected' || s === 'completed') && this.dtls && this.dtls.state === 'new') this.dtls.start();
      this.emit('icestatechange', s);
    });
    this.agent.on('selectedpairchange', () => {
      this.pairChanges++;
      this.emit('selectedpairchange');
    });
    this.agent.on('data', (d) => this.onDatagram(d));
  }

  get localIceParameters(): IceParameters {
    const p = this.agent.localParameters;
    return { usernameFragment: p.usernameFragment, password: p.password };
  }
  get iceRole(): IceRole { return this.agent.role; }
  get iceState(): IceTransportStateValue { return this.agent.state; }
  get gatheringState(): IceGatheringStateValue { return this.agent.gatheringState; }
  get dtlsState(): DtlsTransportStateValue { return this._dtlsState; }
  get dtlsRole(): DtlsRole | null { return this._dtlsRole; }
  get sctpState(): SctpTransportStateValue | null { return this._sctpState; }
  get remoteMaxMessageSize(): number { return this._remoteMaxMessageSize; }
  get sctpMaxChannels(): number | null {
    return this.sctp && this._sctpState === 'connected' ? Math.min(this.sctp.outboundStreams, this.sctp.inboundStreams) : null;
  }
  get selectedPair(): CandidatePair | null {
    const p = this.agent.selectedPair;
    if (!p) return null;
    const local = toCandidateAttribute(p.local.candidate);
    const remote = toCandidateAttribute(p.remote);
    if (!local || !remote) return null;
    const creds = this.agent.selectedCredentials;
    return creds ? { local, remote, localUsernameFragment: creds.localUfrag, remoteUsernameFragment: creds.remoteUfrag } : { local, remote };
  }

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
    dtls.on('data', (d) => this.sctp?.handlePacket(d));
    const ice = this.agent.state;
    if (ice === 'connected' || ice === 'completed') dtls.start();
  }

  private onDtlsConnected(): void {
    const dtls = this.dtls!;
    if (dtls.srtpProfile !== undefined) {
      const profile = srtpProfileFromDtlsId(dtls.srtpProfile);
      if (profile) {
        const k = dtls.srtpKeyingMaterial();
        this.srtp = new SrtpSession({ profile, localKey: k.localKey, localSalt: k.localSalt, remoteKey: k.remoteKey, remoteSalt: k.remoteSalt });
      }
    }
    // RFC 8841 §4: the DTLS client opens the association; the server answers its INIT.
    if (this.sctp && this._dtlsRole === 'client' && this.sctp.state === 'closed') this.sctp.start();
  }

  startSctp(options: { localPort: number; remotePort: number; remoteMaxMessageSize: number }): void {
    if (this.sctp || this.closed) return;
    this._remoteMaxMessageSize = options.remoteMaxMessageSize;
    const sctp = new SctpAssociation({
      send: (p) => this.dtls?.send(p), clock: this.init.clock, localPort: options.localPort, remotePort: options.remotePort,
      plpmtud: this.init.sctpPlpmtud !== false,
    });
    this.sctp = sctp;
    this._sctpState = 'connecting';
    this.channels = new DataChannelManager({
      association: sctp, dtlsRole: this._dtlsRole ?? 'client', maxMessageSize: options.remoteMaxMessageSize,
    });
    this.channels.on('channel', (ch) => this.emit('datachannel', new SctpChannelHandle(ch)));
    sctp.on('established', () => {
      this._sctpState = 'connected';
      this.updatePlpmtuCap();
      this.emit('sctpstatechange', 'connected');
    });
    this.agent.on('selectedpairchange', () => this.updatePlpmtuCap());
    sctp.on('closed', () => {
      if (this._sctpState === 'closed') return;
      this._sctpState = 'closed';
      this.emit('sctpstatechange', 'closed');
    });
    if (this._dtlsState === 'connected' && this._dtlsRole === 'client') sctp.start();
  }

  /**
   * RFC 8261 §5 / RFC 8899: MAX_PLPMTU for SCTP's path MTU discovery from the selected pair's local
   * interface MTU minus IP/UDP and DTLS record overhead, at most one 2^14-byte record (plpmtuCap).
   * Also bounded by the peer's EMTU_R (rivulet.sctp.peerMaxDatagram, default 2048: Chromium's
   * DTLS fails on larger records). Unknown interface, a relayed pair (TURN framing, and the first hop is not ours) or a virtual
   * network: BASE (1200), no probing. DTLS's limit only grows, so a packet SCTP already built
   * at a larger size can still be retransmitted after the cap dropped.
   */
  private updatePlpmtuCap(): void {
    const sctp = this.sctp;
    const dtls = this.dtls;
    const pair = this.agent.selectedPair;
    if (!sctp || !dtls || dtls.state !== 'connected' || !pair || this.init.sctpPlpmtud === false) return;
    const base = pair.local.base;
    const real = this.init.network === undefined || this.init.network === nodeNetwork;
    const linkMtu = real && base.kind === 'udp' ? interfaceMtuForAddress(base.address.address) : undefined;
    const cap = plpmtuCap({ linkMtu, family: base.address.family, dtlsOverhead: dtls.recordOverhead, peerMaxDatagram: this.init.sctpPeerMaxDatagram });
    if (cap > this.dtlsDataLimit) {
      dtls.setApplicationDataLimit(cap);
      this.dtlsDataLimit = cap;
    }
    sctp.setMaxPlpmtu(cap);
  }

  createDataChannel(p: DataChannelParameters): DataChannelHandle {
    if (!this.channels) throw new Error('createDataChannel: SCTP has not been started');
    const ch = this.channels.createChannel({
      label: p.label, protocol: p.protocol, ordered: p.ordered, maxRetransmits: p.maxRetransmits,
      maxPacketLifeTime: p.maxPacketLifeTime, negotiated: p.negotiated, id: p.id, priority: p.priority,
    });
    return new SctpChannelHandle(ch);
  }

  sendRtp(packet: Uint8Array): void {
    if (!this.srtp) {
      this.counters.inc('rtp-before-keys');
      return;
    }
    this.transmit(this.srtp.protectRtp(Buffer.from(packet.buffer, packet.byteOffset, packet.byteLength)));
  }

  sendRtcp(packet: Uint8Array): void {
    if (!this.srtp) {
      this.counters.inc('rtp-before-keys');
      return;
    }
    this.transmit(this.srtp.protectRtcp(Buffer.from(packet.buffer, packet.byteOffset, packet.byteLength)));
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
      this.dtls?.handleDatagram(d);
      return;
    }
    if (b >= 128 && b <= 191) {
      if (!this.srtp) {
        this.counters.inc('srtp-before-keys');
        return;
      }
      const pt = d.length > 1 ? d[1]! : 0;
      if (pt >= 192 && pt <= 223) {
        const plain = this.srtp.unprotectRtcp(d);
        if (plain) this.emit('rtcp', plain);
        else this.counters.inc('srtp-unprotect-failed');
      } else {
        const plain = this.srtp.unprotectRtp(d);
        if (plain) this.emit('rtp', plain);
        else this.counters.inc('srtp-unprotect-failed');
      }
      return;
    }
    this.counters.inc('unknown-first-byte');
  }

  /**
   * Non-standard (rivuletCounters in getStats): the SCTP packet size now (the PLPMTU), packets sent
   * above the 1200-byte base, and PLPMTUD's probe counts (docs/sctp.md).
   */
  private sctpCounters(): Record<string, number> {
    const s = this.sctp;
    if (!s) return {};
    const pl = s.plpmtud;
    return {
      'sctp:plpmtu': s.mtu, 'sctp:packetsOverBase': s.packetsOverBase,
      ...(pl ? { 'sctp:plpmtuProbesSent': pl.probesSent, 'sctp:plpmtuProbesLost': pl.probesLost, 'sctp:plpmtuBlackHoles': pl.blackHoles } : {}),
    };
  }

  stats(): TransportStats {
    const dtls = this.dtls ? Object.fromEntries(Object.entries(this.dtls.counters.toJSON()).map(([k, v]) => [`dtls:${k}`, v])) : {};
    return {
      ...this.traffic, dropped: { ...this.counters.toJSON(), ...this.agent.counters.toJSON(), ...dtls, ...this.sctpCounters() },
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
    try { this.sctp?.abort('peer connection closed'); } catch { /* already ended */ }
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

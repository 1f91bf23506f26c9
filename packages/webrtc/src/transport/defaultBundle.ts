/**
 * The built-in transport bundle over the @rivulet packages:
 * ICE agent → demultiplex by first byte (RFC 7983 §7) → DTLS (RFC 6347) →
 * SCTP (RFC 8261) → data channels (RFC 8831/8832); SRTP/SRTCP keyed from the
 * DTLS exporter (RFC 5764 §4.2). One bundle per peer connection.
 */
import { Counters, TypedEmitter, interfaceMtuForAddress, nodeNetwork } from '@rivulet/common';
import { DtlsEndpoint } from '@rivulet/dtls';
import { IceAgent, IceCandidate, type IceServer } from '@rivulet/ice';
import { DataChannelManager, DTLS_MAX_PLAINTEXT, SctpAssociation, plpmtuCap } from '@rivulet/sctp';
import { formatCandidate, parseCandidate, type CandidateAttribute } from '@rivulet/sdp';
import { SrtpSession, srtpProfileFromDtlsId } from '@rivulet/srtp';
import type {
  CandidatePair, DataChannelHandle, DataChannelParameters, DtlsFingerprint, DtlsRole, DtlsTransportStateValue,
  IceGatheringStateValue, IceParameters, IceRole, IceTransportStateValue, SctpTransportStateValue, TransportBundle,
  TransportBundleEvents, TransportBundleInit, TransportStats,
} from './bundle.js';
import { SctpChannelHandle } from './sctpChannelHandle.js';
import { iceAgentStats, dtlsStats } from '../stats/transportStats.js';

type DropReason = 'dtls-before-start' | 'unknown-first-byte' | 'srtp-before-keys' | 'srtp-unprotect-failed' | 'bad-remote-candidate' | 'rtp-before-keys';

/** Lower bound of the DTLS client's wait for the server's SCTP INIT before sending its own. */
const SCTP_INIT_FALLBACK_MIN_MS = 10;

function toCandidateAttribute(c: IceCandidate): CandidateAttribute | undefined {
  return parseCandidate(c.toSdp().slice('candidate:'.length));
}

export class RivuletTransportBundle extends TypedEmitter<TransportBundleEvents> implements TransportBundle {
  readonly counters = new Counters<DropReason>();
  private readonly agent: IceAgent;
  private dtls: DtlsEndpoint | null = null;
  private srtp: SrtpSession | null = null;
  /** SRTP keys are derived on first use: a data-channel-only connection never needs them. */
  private srtpPending = false;
  /** DTLS datagrams that arrived before startDtls() (the peer's ClientHello can beat our answer). */
  private earlyDtls: Buffer[] = [];
  /** An SCTP packet arrived from the peer (see startSctpIfOurTurn). */
  private sctpHeard = false;
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
    dtls.on('data', (d) => {
      this.sctpHeard = true;
      this.sctp?.handlePacket(d);
    });
    const ice = this.agent.state;
    if (ice === 'connected' || ice === 'completed' || this.agent.writable) dtls.start();
    for (const d of this.earlyDtls.splice(0)) dtls.handleDatagram(d);
  }

  private onDtlsConnected(): void {
    this.srtpPending = this.dtls!.srtpProfile !== undefined;
    this.startSctpIfOurTurn();
  }

  /**
   * Who sends the SCTP INIT (RFC 9260 §5.1 A; either side may). The DTLS server does, right after
   * its Finished: it is connected one trip before the client, which receives the INIT together
   * with the Finished and answers at once (the client initiating would cost that trip). The client
   * only listens, but a peer that waits for the DTLS client to initiate (some stacks do) must not
   * hang: if nothing has come after a few round trips, the client sends its own INIT. Two INITs
   * crossing is the ordinary RFC 9260 §5.2.1 collision, which both sides resolve (browsers always
   * initiate from both ends).
   */
  private startSctpIfOurTurn(): void {
    const sctp = this.sctp;
    if (!sctp || this.closed || this._dtlsState !== 'connected' || sctp.state !== 'closed') return;
    if (this._dtlsRole === 'server') {
      sctp.start();
      return;
    }
    const rtt = this.agent.selectedPair?.rttMs ?? 0;
    this.init.clock.setTimeout(() => {
      if (this.closed || this.sctpHeard || this.sctp !== sctp || sctp.state !== 'closed') return;
      try {
        sctp.start();
      } catch {
        /* ended meanwhile */
      }
    }, Math.max(SCTP_INIT_FALLBACK_MIN_MS, Math.ceil(4 * rtt)));
  }

  startSctp(options: { localPort: number; remotePort: number; remoteMaxMessageSize: number }): void {
    if (this.sctp || this.closed) return;
    this._remoteMaxMessageSize = options.remoteMaxMessageSize;
    const sctp = new SctpAssociation({
      send: (p) => this.dtls?.send(p), clock: this.init.clock, localPort: options.localPort, remotePort: options.remotePort,
      // DTLS seals the packet into a record of its own inside send(): SCTP may reuse its packet buffer.
      sendConsumesPacket: true,
      // We take whole 2^14-byte records: say so to a probing Rivulet peer (sctp pmtu/announce.ts).
      plpmtud: this.init.sctpPlpmtud !== false && { announceMaxPacket: DTLS_MAX_PLAINTEXT },
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
    this.startSctpIfOurTurn();
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
    const path = { linkMtu, family: base.address.family, dtlsOverhead: dtls.recordOverhead };
    const cap = plpmtuCap({ ...path, peerMaxDatagram: this.init.sctpPeerMaxDatagram });
    // What the path alone allows: used once the peer announces that it takes more (a Rivulet peer does).
    const pathCap = Math.max(cap, plpmtuCap({ ...path, peerMaxDatagram: 65535 }));
    if (pathCap > this.dtlsDataLimit) {
      dtls.setApplicationDataLimit(pathCap);
      this.dtlsDataLimit = pathCap;
    }
    sctp.setMaxPlpmtu(cap, pathCap);
  }

  createDataChannel(p: DataChannelParameters): DataChannelHandle {
    if (!this.channels) throw new Error('createDataChannel: SCTP has not been started');
    const ch = this.channels.createChannel({
      label: p.label, protocol: p.protocol, ordered: p.ordered, maxRetransmits: p.maxRetransmits,
      maxPacketLifeTime: p.maxPacketLifeTime, negotiated: p.negotiated, id: p.id, priority: p.priority,
    });
    return new SctpChannelHandle(ch);
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

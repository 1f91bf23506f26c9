/**
 * The SCTP half of the built-in transport bundle (RFC 8261: SCTP over DTLS): the association and
 * its data channels (RFC 8831/8832), who sends the INIT, and the PLPMTUD cap taken from the
 * selected pair (RFC 8899). Split out of defaultBundle.ts, which owns ICE, DTLS and the RFC 7983
 * demultiplexer and hands DTLS application data straight to `onDtlsData`.
 */
import { interfaceMtuForAddress, nodeNetwork } from '@rivulet/common';
import type { DtlsEndpoint } from '@rivulet/dtls';
import type { IceAgent } from '@rivulet/ice';
import { DataChannelManager, DTLS_MAX_PLAINTEXT, SctpAssociation, plpmtuCap } from '@rivulet/sctp';
import type {
  DataChannelHandle, DataChannelParameters, DtlsRole, DtlsTransportStateValue, SctpTransportStateValue,
  TransportBundleEvents, TransportBundleInit,
} from './bundle.js';
import { SctpChannelHandle } from './sctpChannelHandle.js';

/** Lower bound of the DTLS client's wait for the server's SCTP INIT before sending its own. */
const SCTP_INIT_FALLBACK_MIN_MS = 10;

/** What BundleSctp reads from the bundle it belongs to (RivuletTransportBundle implements it). */
export interface SctpHost {
  readonly init: TransportBundleInit;
  readonly agent: IceAgent;
  readonly dtls: DtlsEndpoint | null;
  readonly dtlsState: DtlsTransportStateValue;
  readonly dtlsRole: DtlsRole | null;
  readonly closed: boolean;
  emit<K extends keyof TransportBundleEvents>(event: K, ...args: TransportBundleEvents[K]): boolean;
}

export class BundleSctp {
  /** @internal The association once startSctp ran (defaultBundle aborts it on close). */
  sctp: SctpAssociation | null = null;
  private channels: DataChannelManager | null = null;
  /** An SCTP packet arrived from the peer (see startIfOurTurn). */
  private heard = false;
  private _state: SctpTransportStateValue | null = null;
  private _remoteMaxMessageSize = 65536;
  /** The largest SCTP packet DTLS has been told to accept (only ever grows: see updatePlpmtuCap). */
  private dtlsDataLimit = 1200;

  constructor(private readonly host: SctpHost) {}

  /**
   * DTLS application data (RFC 8261 §3: each record carries one SCTP packet). Registered directly
   * as the DtlsEndpoint's 'data' listener, so the receive path has no extra call.
   */
  readonly onDtlsData = (d: Buffer): void => {
    this.heard = true;
    this.sctp?.handlePacket(d);
  };

  get state(): SctpTransportStateValue | null { return this._state; }
  get remoteMaxMessageSize(): number { return this._remoteMaxMessageSize; }
  get maxChannels(): number | null {
    return this.sctp && this._state === 'connected' ? Math.min(this.sctp.outboundStreams, this.sctp.inboundStreams) : null;
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
  startIfOurTurn(): void {
    const sctp = this.sctp;
    const host = this.host;
    if (!sctp || host.closed || host.dtlsState !== 'connected' || sctp.state !== 'closed') return;
    if (host.dtlsRole === 'server') {
      sctp.start();
      return;
    }
    const rtt = host.agent.selectedPair?.rttMs ?? 0;
    host.init.clock.setTimeout(() => {
      if (host.closed || this.heard || this.sctp !== sctp || sctp.state !== 'closed') return;
      try {
        sctp.start();
      } catch {
        /* ended meanwhile */
      }
    }, Math.max(SCTP_INIT_FALLBACK_MIN_MS, Math.ceil(4 * rtt)));
  }

  /**
   * Creates the association; `send` hands each SCTP packet to DTLS (the bundle's own closure, so
   * the send path is as before the split).
   */
  start(options: { localPort: number; remotePort: number; remoteMaxMessageSize: number }, send: (p: Uint8Array) => void): void {
    const host = this.host;
    if (this.sctp || host.closed) return;
    this._remoteMaxMessageSize = options.remoteMaxMessageSize;
    const sctp = new SctpAssociation({
      send, clock: host.init.clock, localPort: options.localPort, remotePort: options.remotePort,
      // DTLS seals the packet into a record of its own inside send(): SCTP may reuse its packet buffer.
      sendConsumesPacket: true,
      // We take whole 2^14-byte records: say so to a probing Rivulet peer (sctp pmtu/announce.ts).
      plpmtud: host.init.sctpPlpmtud !== false && { announceMaxPacket: DTLS_MAX_PLAINTEXT },
    });
    this.sctp = sctp;
    this._state = 'connecting';
    this.channels = new DataChannelManager({
      association: sctp, dtlsRole: host.dtlsRole ?? 'client', maxMessageSize: options.remoteMaxMessageSize,
    });
    this.channels.on('channel', (ch) => host.emit('datachannel', new SctpChannelHandle(ch)));
    sctp.on('established', () => {
      this._state = 'connected';
      this.updatePlpmtuCap();
      host.emit('sctpstatechange', 'connected');
    });
    host.agent.on('selectedpairchange', () => this.updatePlpmtuCap());
    sctp.on('closed', () => {
      if (this._state === 'closed') return;
      this._state = 'closed';
      host.emit('sctpstatechange', 'closed');
    });
    this.startIfOurTurn();
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
    const { dtls, agent, init } = this.host;
    const pair = agent.selectedPair;
    if (!sctp || !dtls || dtls.state !== 'connected' || !pair || init.sctpPlpmtud === false) return;
    const base = pair.local.base;
    const real = init.network === undefined || init.network === nodeNetwork;
    const linkMtu = real && base.kind === 'udp' ? interfaceMtuForAddress(base.address.address) : undefined;
    const path = { linkMtu, family: base.address.family, dtlsOverhead: dtls.recordOverhead };
    const cap = plpmtuCap({ ...path, peerMaxDatagram: init.sctpPeerMaxDatagram });
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

  /**
   * Non-standard (rivuletCounters in getStats): the SCTP packet size now (the PLPMTU), packets sent
   * above the 1200-byte base, and PLPMTUD's probe counts (docs/sctp.md).
   */
  counters(): Record<string, number> {
    const s = this.sctp;
    if (!s) return {};
    const pl = s.plpmtud;
    return {
      'sctp:plpmtu': s.mtu, 'sctp:packetsOverBase': s.packetsOverBase,
      ...(pl ? { 'sctp:plpmtuProbesSent': pl.probesSent, 'sctp:plpmtuProbesLost': pl.probesLost, 'sctp:plpmtuBlackHoles': pl.blackHoles } : {}),
    };
  }
}

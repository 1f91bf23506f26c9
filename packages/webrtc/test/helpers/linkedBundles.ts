/**
 * Test double for the transport seam: two in-memory bundles that "connect"
 * once both sides have remote ICE parameters and started DTLS with the
 * other's certificate fingerprint. Data channels pair up over it (in-band
 * announcement or negotiated ids), RTP is delivered to the other side.
 * Everything is asynchronous (setImmediate), like the real stack.
 */
import { TypedEmitter } from '@rivulet/common';
import { createHash, randomBytes } from 'node:crypto';
import type { CandidateAttribute } from '@rivulet/sdp';
import type {
  DataChannelHandle, DataChannelHandleEvents, DataChannelParameters, DataChannelStateValue, DtlsFingerprint, DtlsRole,
  DtlsTransportStateValue, IceGatheringStateValue, IceParameters, IceRole, IceTransportStateValue,
  SctpTransportStateValue, TransportBundle, TransportBundleEvents, TransportBundleFactory, TransportBundleInit, CandidatePair,
  TransportStats,
} from '../../src/index.js';

const tick = (fn: () => void) => setImmediate(fn);

class FakeChannel extends TypedEmitter<DataChannelHandleEvents> implements DataChannelHandle {
  peer: FakeChannel | null = null;
  readyState: DataChannelStateValue = 'connecting';
  bufferedAmount = 0;
  bufferedAmountLowThreshold = 0;
  messagesSent = 0;
  bytesSent = 0;
  messagesReceived = 0;
  bytesReceived = 0;
  constructor(readonly parameters: DataChannelParameters, public id: number | null) {
    super();
  }
  open(): void {
    if (this.readyState !== 'connecting') return;
    this.readyState = 'open';
    this.emit('open');
  }
  send(data: string | Uint8Array): void {
    const size = typeof data === 'string' ? Buffer.byteLength(data) : data.length;
    this.messagesSent++;
    this.bytesSent += size;
    this.bufferedAmount += size;
    const copy = typeof data === 'string' ? data : new Uint8Array(data);
    tick(() => {
      this.bufferedAmount -= size;
      if (this.bufferedAmount <= this.bufferedAmountLowThreshold) this.emit('bufferedamountlow');
      const p = this.peer;
      if (p && p.readyState === 'open') {
        p.messagesReceived++;
        p.bytesReceived += size;
        p.emit('message', copy);
      }
    });
  }
  close(): void {
    if (this.readyState === 'closed' || this.readyState === 'closing') return;
    this.readyState = 'closing';
    tick(() => {
      const p = this.peer;
      if (p && p.readyState !== 'closed') {
        if (p.readyState !== 'closing') {
          p.readyState = 'closing';
          p.emit('closing');
        }
        p.readyState = 'closed';
        p.emit('close');
      }
      this.readyState = 'closed';
      this.emit('close');
    });
  }
}

export class LinkedBundle extends TypedEmitter<TransportBundleEvents> implements TransportBundle {
  peer: LinkedBundle | null = null;
  localIceParameters: IceParameters = { usernameFragment: randomBytes(3).toString('hex'), password: randomBytes(12).toString('hex') };
  iceRole: IceRole = 'controlled';
  iceState: IceTransportStateValue = 'new';
  gatheringState: IceGatheringStateValue = 'new';
  dtlsState: DtlsTransportStateValue = 'new';
  dtlsRole: DtlsRole | null = null;
  sctpState: SctpTransportStateValue | null = null;
  selectedPair: CandidatePair | null = null;
  remoteMaxMessageSize = 0;
  get sctpMaxChannels(): number | null { return this.sctpState === 'connected' ? 1024 : null; }
  remote: IceParameters | null = null;
  remoteCandidates: (CandidateAttribute | null)[] = [];
  fingerprintsOk: boolean | null = null;
  sctpWanted = false;
  channels: FakeChannel[] = [];
  nextId: number | null = null;
  closed = false;
  rtpSent = 0;
  /** Test hook: return true to lose this outgoing RTP packet. */
  dropRtp: ((packet: Uint8Array) => boolean) | null = null;
  readonly port = 40000 + Math.floor(Math.random() * 20000);
  readonly der: Buffer;

  constructor(readonly init: TransportBundleInit) {
    super();
    this.der = init.certificate.certificateDer;
  }

  remoteCertificates(): Uint8Array[] {
    return this.dtlsState === 'connected' && this.peer ? [this.peer.der] : [];
  }
  setIceRole(role: IceRole): void { this.iceRole = role; }
  gather(): void {
    if (this.gatheringState !== 'new') return;
    this.gatheringState = 'gathering';
    tick(() => {
      if (this.closed) return;
      this.emit('gatheringstatechange', 'gathering');
      const c: CandidateAttribute = {
        name: 'candidate', foundation: '1', component: 1, transport: 'udp', priority: 2130706431, address: '127.0.0.1',
        port: this.port, type: 'host', extensions: [],
      };
      this.emit('candidate', c);
      tick(() => {
        if (this.closed) return;
        this.gatheringState = 'complete';
        this.emit('gatheringstatechange', 'complete');
        this.tryConnect();
      });
    });
  }
  restartIce(): IceParameters {
    this.localIceParameters = { usernameFragment: randomBytes(3).toString('hex'), password: randomBytes(12).toString('hex') };
    this.gatheringState = 'new';
    this.gather();
    return this.localIceParameters;
  }
  setRemoteIceParameters(p: IceParameters): void {
    this.remote = p;
    this.tryConnect();
  }
  addRemoteCandidate(c: CandidateAttribute | null): void {
    this.remoteCandidates.push(c);
  }
  startDtls(role: DtlsRole, fingerprints: DtlsFingerprint[]): void {
    this.dtlsRole = role;
    const peerFp = this.peer ? createHash('sha256').update(this.peer.der).digest('hex').toUpperCase().match(/../g)!.join(':') : '';
    this.fingerprintsOk = fingerprints.some((f) => f.algorithm === 'sha-256' && f.value === peerFp);
    this.tryConnect();
  }
  startSctp(o: { localPort: number; remotePort: number; remoteMaxMessageSize: number }): void {
    this.sctpWanted = true;
    this.remoteMaxMessageSize = o.remoteMaxMessageSize;
    this.sctpState = 'connecting';
    this.tryConnect();
  }
  createDataChannel(parameters: DataChannelParameters): DataChannelHandle {
    let id = parameters.id;
    if (id === null && this.dtlsRole) {
      // RFC 8832 §6: the DTLS client uses even ids, the server odd ones.
      this.nextId ??= this.dtlsRole === 'client' ? 0 : 1;
      id = this.nextId;
      this.nextId += 2;
    }
    const ch = new FakeChannel(parameters, id);
    this.channels.push(ch);
    if (this.sctpState === 'connected') tick(() => this.pair(ch));
    return ch;
  }
  private pair(ch: FakeChannel): void {
    const peer = this.peer!;
    if (ch.parameters.negotiated) {
      const other = peer.channels.find((x) => x.parameters.negotiated && x.id === ch.id && !x.peer);
      if (other) {
        ch.peer = other;
        other.peer = ch;
        ch.open();
        other.open();
      }
      return;
    }
    const remote = new FakeChannel({ ...ch.parameters }, ch.id);
    remote.peer = ch;
    ch.peer = remote;
    peer.channels.push(remote);
    remote.readyState = 'open';
    peer.emit('datachannel', remote);
    ch.open();
  }
  sendRtp(packet: Uint8Array): void {
    this.rtpSent++;
    if (this.dropRtp?.(packet)) return;
    const copy = new Uint8Array(packet);
    tick(() => { if (this.peer && !this.peer.closed && this.dtlsState === 'connected') this.peer.emit('rtp', copy); });
  }
  sendRtcp(packet: Uint8Array): void {
    const copy = new Uint8Array(packet);
    tick(() => { if (this.peer && !this.peer.closed) this.peer.emit('rtcp', copy); });
  }
  stats(): TransportStats {
    return { packetsSent: this.rtpSent, packetsReceived: 0, bytesSent: 0, bytesReceived: 0, dropped: {} };
  }
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.iceState = 'closed';
    const peer = this.peer;
    if (peer && !peer.closed) {
      tick(() => {
        if (peer.closed) return;
        peer.setIce('disconnected');
      });
    }
  }
  setIce(s: IceTransportStateValue): void {
    if (this.iceState === s) return;
    this.iceState = s;
    this.emit('icestatechange', s);
  }
  private setDtls(s: DtlsTransportStateValue): void {
    if (this.dtlsState === s) return;
    this.dtlsState = s;
    if (s === 'failed') this.emit('dtlsstatechange', s, 'peer certificate does not match the remote fingerprint');
    else this.emit('dtlsstatechange', s);
  }
  tryConnect(): void {
    const peer = this.peer;
    if (!peer || this.closed) return;
    tick(() => {
      if (this.closed || !this.remote || !peer.remote) return;
      if (this.remote.usernameFragment !== peer.localIceParameters.usernameFragment) return;
      if (this.iceState === 'new') this.setIce('checking');
      if (this.iceState === 'checking') {
        this.selectedPair = {
          local: { name: 'candidate', foundation: '1', component: 1, transport: 'udp', priority: 1, address: '127.0.0.1', port: this.port, type: 'host', extensions: [] },
          remote: { name: 'candidate', foundation: '1', component: 1, transport: 'udp', priority: 1, address: '127.0.0.1', port: peer.port, type: 'host', extensions: [] },
        };
        this.emit('selectedpairchange');
        this.setIce('connected');
      }
      if (this.fingerprintsOk === null || peer.fingerprintsOk === null) return;
      if (this.dtlsState === 'new') this.setDtls('connecting');
      if (this.dtlsState === 'connecting') {
        this.setDtls(this.fingerprintsOk ? 'connected' : 'failed');
        peer.tryConnect();
      }
      if (this.dtlsState !== 'connected' || peer.dtlsState !== 'connected') return;
      if (this.sctpWanted && peer.sctpWanted && this.sctpState === 'connecting') {
        this.sctpState = 'connected';
        this.emit('sctpstatechange', 'connected');
        for (const ch of this.channels) {
          if (ch.id === null && this.dtlsRole) {
            this.nextId ??= this.dtlsRole === 'client' ? 0 : 1;
            ch.id = this.nextId;
            this.nextId += 2;
          }
          if (!ch.peer) this.pair(ch);
        }
        peer.tryConnect();
      }
    });
  }
}

/** Two factories whose bundles are linked to each other. */
export function linkedFactories(): { a: TransportBundleFactory; b: TransportBundleFactory; bundles: { a?: LinkedBundle; b?: LinkedBundle } } {
  const bundles: { a?: LinkedBundle; b?: LinkedBundle } = {};
  const link = () => {
    if (bundles.a && bundles.b) {
      bundles.a.peer = bundles.b;
      bundles.b.peer = bundles.a;
      bundles.a.tryConnect();
      bundles.b.tryConnect();
    }
  };
  return {
    a: (init) => { bundles.a = new LinkedBundle(init); link(); return bundles.a; },
    b: (init) => { bundles.b = new LinkedBundle(init); link(); return bundles.b; },
    bundles,
  };
}

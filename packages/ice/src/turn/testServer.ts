import { Counters, type DatagramSocket, type StreamSocket, type TransportAddress } from '@rivulet/common';
import { StunAttr, StunErrorCode, StunMessage, StunMethod, attr, encodeAddress, encodeStun, parseStun } from '../stun/index.js';
import { MAX_CHANNEL, MIN_CHANNEL, TurnStreamFramer, isChannelData, parseChannelData } from './channelData.js';
import { ServerAllocation, tupleKey, type ClientConn, type TurnTestServerCounter } from './testServerAllocation.js';
import { TestServerCredentials } from './testServerAuth.js';
import { grantedLifetime, relayAddresses, validateTestServerOptions, type TurnTestServerOptions } from './testServerOptions.js';

export type { TurnTestServerCounter, TurnTestServerOptions };

const RESPONSE_CACHE_MS = 40_000;

/**
 * A minimal TURN server (RFC 8656; UDP, and TCP through the `listenTcp` hook) for tests: long-term
 * credentials, allocations, permissions, channels and relaying. Runs over
 * any `Network`, so it can sit on a public address of a testkit network.
 * It is a test peer, not a production relay (no quotas, no RFC 6062 TCP relaying).
 */
export class TurnTestServer {
  readonly counters = new Counters<TurnTestServerCounter>();
  private readonly allocationsByTuple = new Map<string, ServerAllocation>();
  private readonly pending = new Set<string>();
  private readonly responseCache = new Map<string, { bytes: Buffer; at: number }>();
  private readonly credentials: TestServerCredentials;
  private closed = false;
  private tcpListener: { close(): void } | undefined;
  private readonly tcpConnections = new Set<StreamSocket>();

  private constructor(
    private readonly socket: DatagramSocket,
    private readonly options: TurnTestServerOptions,
  ) {
    this.credentials = new TestServerCredentials(options.realm ?? 'rivulet.test', options.users, options.clock, options.nonceLifetimeMs);
    socket.onMessage((data, from) => {
      const client: ClientConn = {
        key: `udp|${tupleKey(from)}`,
        remote: from,
        reliable: false,
        send: (bytes) => socket.send(bytes, from.port, from.address),
      };
      this.safely(data, client);
    });
    if (options.listenTcp) {
      this.tcpListener = options.listenTcp(socket.localAddress.port, (stream) => this.acceptTcp(stream));
    }
  }

  private safely(data: Buffer, client: ClientConn): void {
    try {
      this.onClientPacket(data, client);
    } catch {
      this.counters.inc('dropped-malformed');
    }
  }

  /** RFC 8656 §12.5: one TURN client per TCP connection; closing it deletes the allocation. */
  private acceptTcp(stream: StreamSocket): void {
    this.tcpConnections.add(stream);
    const client: ClientConn = {
      key: `tcp|${tupleKey(stream.remoteAddress)}`,
      remote: stream.remoteAddress,
      reliable: true,
      send: (bytes) => stream.write(bytes),
    };
    const framer = new TurnStreamFramer((m) => this.safely(m, client));
    stream.onData((chunk) => {
      if (!framer.feed(chunk)) {
        this.counters.inc('dropped-malformed');
        stream.close();
      }
    });
    stream.onClose(() => {
      this.tcpConnections.delete(stream);
      const a = this.allocationsByTuple.get(client.key);
      if (a) this.remove(a);
    });
  }

  static async start(options: TurnTestServerOptions): Promise<TurnTestServer> {
    validateTestServerOptions(options);
    const socket = await options.network.bindUdp({ address: options.address, port: options.port ?? 3478 });
    return new TurnTestServer(socket, options);
  }

  get address(): TransportAddress {
    return this.socket.localAddress;
  }

  get allocationCount(): number {
    return this.allocationsByTuple.size;
  }

  /** Snapshot for assertions. */
  allocations(): Array<{ client: TransportAddress; relayed: TransportAddress; expiresAt: number; permissions: string[]; channels: number[] }> {
    return [...this.allocationsByTuple.values()].map((a) => ({
      client: a.client.remote,
      relayed: a.relay.localAddress,
      expiresAt: a.expiresAt,
      permissions: [...a.permissions.keys()],
      channels: [...a.channels.keys()],
    }));
  }

  /** Makes the current nonce stale now (the next signed request gets 438). */
  expireNonce(): void {
    this.credentials.rotateNonce();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const a of [...this.allocationsByTuple.values()]) this.remove(a);
    this.tcpListener?.close();
    for (const c of [...this.tcpConnections]) c.close();
    this.socket.close();
  }

  private onClientPacket(data: Buffer, from: ClientConn): void {
    if (isChannelData(data)) return this.onClientChannelData(data, from);
    const msg = parseStun(data);
    if (!msg) return this.counters.inc('dropped-malformed');
    if (msg.isRequest) return this.onRequest(msg, from);
    if (msg.isIndication && msg.method === StunMethod.Send) return this.onSendIndication(msg, from);
    if (msg.isIndication && msg.method === StunMethod.Binding) return this.counters.inc('keepalives'); // RFC 8489 §3
    this.counters.inc('dropped-malformed');
  }

  private onClientChannelData(data: Buffer, from: ClientConn): void {
    const a = this.allocationsByTuple.get(from.key);
    const cd = parseChannelData(data);
    if (!cd) return this.counters.inc('dropped-malformed');
    if (!a) return this.counters.inc('dropped-no-allocation');
    a.channelToPeer(cd.channel, cd.data);
  }

  private onSendIndication(msg: StunMessage, from: ClientConn): void {
    const a = this.allocationsByTuple.get(from.key);
    if (!a) return this.counters.inc('dropped-no-allocation');
    const peer = attr.getXorAddress(msg, StunAttr.XorPeerAddress);
    const data = attr.getData(msg);
    if (!peer || !data) return this.counters.inc('dropped-malformed');
    a.toPeer(data, peer);
  }

  private reply(to: ClientConn, request: StunMessage, response: StunMessage, key?: Buffer): void {
    const bytes = encodeStun(response, { integrityKey: key, fingerprint: true });
    const now = this.options.clock.now();
    for (const [k, v] of this.responseCache) if (now - v.at > RESPONSE_CACHE_MS) this.responseCache.delete(k);
    this.responseCache.set(`${to.key}|${request.transactionKey}`, { bytes, at: now });
    to.send(bytes);
  }

  private error(to: ClientConn, request: StunMessage, code: number, reason: string, key?: Buffer, challenge = false): void {
    const res = request.createResponse(true);
    attr.setErrorCode(res, code, reason);
    if (challenge) {
      attr.setRealm(res, this.credentials.realm);
      attr.setNonce(res, this.credentials.nonce);
    }
    this.reply(to, request, res, key);
  }

  private onRequest(msg: StunMessage, from: ClientConn): void {
    this.counters.inc('requests');
    // RFC 8489 §6.3.1: a retransmitted request gets the same response again.
    const cached = this.responseCache.get(`${from.key}|${msg.transactionKey}`);
    if (cached) {
      this.counters.inc('retransmitted-responses');
      from.send(cached.bytes);
      return;
    }
    if (this.pending.has(from.key)) return; // an Allocate is binding its relay; the retransmission gets the cached answer
    const alternate = this.options.alternateServer;
    if (alternate && msg.method === StunMethod.Allocate) {
      const res = msg.createResponse(true);
      attr.setErrorCode(res, StunErrorCode.TryAlternate, 'Try Alternate');
      res.add(StunAttr.AlternateServer, encodeAddress(alternate));
      return this.reply(from, msg, res);
    }
    // RFC 8489 §9.2.4: long-term credential checks.
    const auth = this.credentials.check(msg);
    if (!('key' in auth)) {
      this.counters.inc(auth.counter);
      return this.error(from, msg, auth.code, auth.reason, undefined, true);
    }
    const key = auth.key;
    const a = this.allocationsByTuple.get(from.key);
    switch (msg.method) {
      case StunMethod.Allocate:
        if (a) return this.error(from, msg, StunErrorCode.AllocationMismatch, 'Allocation Mismatch', key);
        return void this.allocate(msg, from, key).catch(() => this.counters.inc('dropped-malformed'));
      case StunMethod.Refresh:
        if (!a) return this.error(from, msg, StunErrorCode.AllocationMismatch, 'Allocation Mismatch', key);
        return this.refresh(a, msg, from, key);
      case StunMethod.CreatePermission:
      case StunMethod.ChannelBind:
        if (!a) return this.error(from, msg, StunErrorCode.AllocationMismatch, 'Allocation Mismatch', key);
        return msg.method === StunMethod.ChannelBind ? this.channelBind(a, msg, from, key) : this.createPermission(a, msg, from, key);
      default:
        return this.error(from, msg, StunErrorCode.BadRequest, 'Bad Request: unsupported method', key);
    }
  }

  private async allocate(msg: StunMessage, from: ClientConn, key: Buffer): Promise<void> {
    const transport = attr.getRequestedTransport(msg);
    if (transport === undefined) return this.error(from, msg, StunErrorCode.BadRequest, 'Bad Request: REQUESTED-TRANSPORT missing', key);
    if (transport !== 17) return this.error(from, msg, StunErrorCode.UnsupportedTransportProtocol, 'Unsupported Transport Protocol', key);
    // RFC 8656 §7.2: the relayed family is REQUESTED-ADDRESS-FAMILY's, IPv4 when absent.
    const family = attr.getRequestedAddressFamily(msg) ?? 'IPv4';
    const relayAt = relayAddresses(this.options).find((a) => (a.includes(':') ? 'IPv6' : 'IPv4') === family);
    if (relayAt === undefined) {
      return this.error(from, msg, StunErrorCode.AddressFamilyNotSupported, 'Address Family not Supported', key);
    }
    const tuple = from.key;
    this.pending.add(tuple);
    let relay: DatagramSocket;
    try {
      relay = await this.options.network.bindUdp({ address: relayAt, port: 0 });
    } catch {
      this.pending.delete(tuple);
      return this.error(from, msg, StunErrorCode.InsufficientCapacity, 'Insufficient Capacity', key);
    }
    this.pending.delete(tuple);
    if (this.closed) return relay.close();
    const lifetime = grantedLifetime(this.options, msg);
    const a = new ServerAllocation(from, relay, this.options.clock, this.counters);
    this.allocationsByTuple.set(tuple, a);
    this.setExpiry(a, lifetime);
    this.counters.inc('allocations');
    const res = msg.createResponse();
    attr.setXorAddress(res, StunAttr.XorRelayedAddress, relay.localAddress);
    attr.setLifetime(res, lifetime);
    attr.setXorMappedAddress(res, from.remote);
    this.reply(from, msg, res, key);
  }

  private setExpiry(a: ServerAllocation, lifetimeSeconds: number): void {
    a.setLifetime(lifetimeSeconds, () => {
      if (this.allocationsByTuple.get(a.client.key) !== a) return;
      this.counters.inc('expired');
      this.remove(a);
    });
  }

  private remove(a: ServerAllocation): void {
    a.close();
    if (this.allocationsByTuple.get(a.client.key) === a) this.allocationsByTuple.delete(a.client.key);
  }

  private refresh(a: ServerAllocation, msg: StunMessage, from: ClientConn, key: Buffer): void {
    const requested = attr.getLifetime(msg);
    const res = msg.createResponse();
    if (requested === 0) {
      // RFC 8656 §8: LIFETIME 0 deletes the allocation.
      this.counters.inc('released');
      this.remove(a);
      attr.setLifetime(res, 0);
    } else {
      this.counters.inc('refreshes');
      const lifetime = grantedLifetime(this.options, msg);
      this.setExpiry(a, lifetime);
      attr.setLifetime(res, lifetime);
    }
    this.reply(from, msg, res, key);
  }

  private createPermission(a: ServerAllocation, msg: StunMessage, from: ClientConn, key: Buffer): void {
    const peers = msg.getAll(StunAttr.XorPeerAddress);
    if (peers.length === 0) return this.error(from, msg, StunErrorCode.BadRequest, 'Bad Request: XOR-PEER-ADDRESS missing', key);
    const tmp = new StunMessage(msg.method, msg.messageClass, msg.transactionId);
    const ips: string[] = [];
    for (const v of peers) {
      tmp.attributes.length = 0;
      tmp.add(StunAttr.XorPeerAddress, v);
      const peer = attr.getXorAddress(tmp, StunAttr.XorPeerAddress)!;
      if (peer.family !== a.relay.localAddress.family) {
        return this.error(from, msg, StunErrorCode.PeerAddressFamilyMismatch, 'Peer Address Family Mismatch', key);
      }
      ips.push(peer.address);
    }
    for (const ip of ips) a.permit(ip);
    this.counters.inc('permissions');
    this.reply(from, msg, msg.createResponse(), key);
  }

  private channelBind(a: ServerAllocation, msg: StunMessage, from: ClientConn, key: Buffer): void {
    const channel = attr.getChannelNumber(msg);
    const peer = attr.getXorAddress(msg, StunAttr.XorPeerAddress);
    if (channel === undefined || channel < MIN_CHANNEL || channel > MAX_CHANNEL || !peer) {
      return this.error(from, msg, StunErrorCode.BadRequest, 'Bad Request: bad CHANNEL-NUMBER or XOR-PEER-ADDRESS', key);
    }
    // RFC 8656 §12.1: a channel is bound to one peer and a peer to one channel.
    if (!a.bindChannel(channel, peer)) {
      return this.error(from, msg, StunErrorCode.BadRequest, 'Bad Request: channel or peer already bound', key);
    }
    this.counters.inc('channel-binds');
    this.reply(from, msg, msg.createResponse(), key);
  }
}

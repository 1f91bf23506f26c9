import {
  Counters,
  reportError,
  type BindOptions,
  type ConnectOptions,
  type DatagramHandler,
  type DatagramSocket,
  type InterfaceAddress,
  type Network,
  type StreamSocket,
  type TransportAddress,
} from '@rivulet/common';
import { canonicalAddress, familyOfLiteral, isWildcard, requireVirtualAddress } from './addresses.js';
import type { DropReason, Link } from './link.js';
import type { TcpListener } from './tcp.js';

/** What a host needs from the network it is attached to. */
export interface HostRouter {
  /** Routes a datagram leaving `host` from `src`. Never delivers synchronously. */
  send(host: VirtualHost, src: TransportAddress, data: Buffer, dstPort: number, dstAddress: string): void;
  drop(reason: DropReason): void;
  /** A send that never made it onto a link (counts as sent and dropped). */
  refused(reason: DropReason): void;
  delivered(): void;
  handlerError(): void;
  /** Opens a virtual TCP connection from `host` (see tcp.ts). */
  connectTcp(host: VirtualHost, options: ConnectOptions): Promise<StreamSocket>;
}

interface ListenerEntry extends TcpListener {
  readonly key: string;
  readonly onConnection: (socket: StreamSocket) => void;
}

/** UDP ephemeral ports; TCP client ports use the range above, so the two never share a NAT mapping. */
const EPHEMERAL_FIRST = 49152;
const EPHEMERAL_LAST = 57343;
const TCP_EPHEMERAL_FIRST = 57344;
const TCP_EPHEMERAL_LAST = 65535;

/** A UDP socket on a virtual host. */
class VirtualUdpSocket implements DatagramSocket {
  private handler: DatagramHandler = () => {};
  closed = false;

  constructor(
    private readonly host: VirtualHost,
    readonly localAddress: TransportAddress,
    readonly key: string,
  ) {}

  send(data: Uint8Array, port: number, address: string): void {
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      throw new Error(`virtual UDP send: port must be an integer 1..65535, got ${String(port)}`);
    }
    if (!(data instanceof Uint8Array)) throw new Error('virtual UDP send: data must be a Uint8Array');
    if (this.closed) return;
    this.host.sendFrom(this, data, port, address);
  }

  onMessage(handler: DatagramHandler): void {
    this.handler = handler;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.host.unbind(this);
  }

  /** Hands a datagram to the application; a throwing handler is contained. */
  receive(data: Buffer, from: TransportAddress, router: HostRouter): void {
    router.delivered();
    try {
      this.handler(data, from);
    } catch (err) {
      router.handlerError();
      reportError(err, `virtual UDP handler on ${this.host.name} ${this.localAddress.address}:${this.localAddress.port}`);
    }
  }
}

/**
 * A virtual machine on the network. Implements `Network` from
 * @rivulet/common, so any layer runs over it unchanged.
 */
export class VirtualHost implements Network {
  readonly addresses: readonly string[];
  /** Datagrams this host sent and received. */
  readonly counters = new Counters<'sent' | 'received'>();
  private readonly sockets = new Map<string, VirtualUdpSocket>();
  private readonly tcpListeners = new Map<string, ListenerEntry>();
  private nextPort = EPHEMERAL_FIRST;
  private nextTcpPort = TCP_EPHEMERAL_FIRST;

  constructor(
    readonly name: string,
    addresses: readonly string[],
    /** The host's access link: `up` carries its outgoing packets, `down` its incoming ones. */
    readonly link: Link,
    private readonly router: HostRouter,
    /** Name of the NAT the host sits behind, if any. */
    readonly behind: string | undefined,
  ) {
    if (addresses.length === 0) throw new Error(`host ${name}: give at least one address`);
    this.addresses = addresses.map((a) => requireVirtualAddress(a, `host ${name}`));
  }

  interfaces(): InterfaceAddress[] {
    return this.addresses.map((address, i) => ({ name: `veth${i}`, address, family: familyOfLiteral(address), internal: false }));
  }

  bindUdp(options: BindOptions): Promise<DatagramSocket> {
    try {
      return Promise.resolve(this.bindNow(options));
    } catch (err) {
      return Promise.reject(err as Error);
    }
  }

  /**
   * Opens a simplified virtual TCP connection (reliable, in order, path delay
   * only) to a host that called `listenTcp`. Rejects with ECONNREFUSED when
   * nothing listens, ETIMEDOUT when a link on the path is cut, and when there
   * is no route (e.g. to a private address behind another NAT).
   */
  connectTcp(options: ConnectOptions): Promise<StreamSocket> {
    return this.router.connectTcp(this, options);
  }

  /**
   * Accepts virtual TCP connections on `address` (a host address or the
   * wildcard, default the wildcard of the first address's family) and `port`.
   */
  listenTcp(options: { address?: string; port: number }, onConnection: (socket: StreamSocket) => void): TcpListener {
    const raw = options.address ?? (familyOfLiteral(this.addresses[0]!) === 'IPv6' ? '::' : '0.0.0.0');
    let address: string;
    if (isWildcard(raw)) address = raw;
    else {
      const c = canonicalAddress(raw);
      if (c === undefined || !this.owns(c)) {
        throw new Error(`listenTcp on host ${this.name}: ${raw} is not an address of this host (it has ${this.addresses.join(', ')})`);
      }
      address = c;
    }
    const port = options.port;
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      throw new Error(`listenTcp on host ${this.name}: port must be an integer 1..65535, got ${String(port)}`);
    }
    const key = this.socketKey(address, port);
    if (this.tcpListeners.has(key)) throw new Error(`listenTcp on host ${this.name}: ${address}:${port} is already listening`);
    const listeners = this.tcpListeners;
    const entry: ListenerEntry = {
      key,
      localAddress: { address, port, family: familyOfLiteral(address) },
      onConnection,
      closed: false,
      close() {
        (this as { closed: boolean }).closed = true;
        if (listeners.get(key) === entry) listeners.delete(key);
      },
    };
    this.tcpListeners.set(key, entry);
    return entry;
  }

  /** @internal The listener that would accept a connection to `address:port`, if any. */
  tcpListener(address: string, port: number): ListenerEntry | undefined {
    return this.tcpListeners.get(`${address}|${port}`) ?? this.tcpListeners.get(`${familyOfLiteral(address)}|*|${port}`);
  }

  /** @internal A fresh client port for an outgoing virtual TCP connection. */
  allocateTcpPort(): number {
    const p = this.nextTcpPort;
    this.nextTcpPort = p >= TCP_EPHEMERAL_LAST ? TCP_EPHEMERAL_FIRST : p + 1;
    return p;
  }

  /** True if `address` is one of this host's addresses. */
  owns(address: string): boolean {
    return this.addresses.includes(address);
  }

  private bindNow(options: BindOptions): VirtualUdpSocket {
    const raw = options.address;
    let address: string;
    if (isWildcard(raw)) address = raw;
    else {
      const c = canonicalAddress(raw);
      if (c === undefined || !this.owns(c)) {
        throw new Error(`bindUdp on host ${this.name}: ${raw} is not an address of this host (it has ${this.addresses.join(', ')})`);
      }
      address = c;
    }
    const family = familyOfLiteral(address);
    const requested = options.port ?? 0;
    if (!Number.isInteger(requested) || requested < 0 || requested > 65535) {
      throw new Error(`bindUdp on host ${this.name}: port must be an integer 0..65535, got ${String(options.port)}`);
    }
    let port = requested;
    if (port === 0) {
      port = this.allocatePort(address);
    } else if (this.inUse(address, port)) {
      throw new Error(`bindUdp on host ${this.name}: ${address}:${port} is already in use`);
    }
    const key = this.socketKey(address, port);
    const socket = new VirtualUdpSocket(this, { address, port, family }, key);
    this.sockets.set(key, socket);
    return socket;
  }

  private socketKey(address: string, port: number): string {
    return isWildcard(address) ? `${familyOfLiteral(address)}|*|${port}` : `${address}|${port}`;
  }

  private inUse(address: string, port: number): boolean {
    const family = familyOfLiteral(address);
    if (this.sockets.has(`${family}|*|${port}`)) return true;
    if (isWildcard(address)) {
      return this.addresses.some((a) => familyOfLiteral(a) === family && this.sockets.has(`${a}|${port}`));
    }
    return this.sockets.has(`${address}|${port}`);
  }

  private allocatePort(address: string): number {
    for (let i = 0; i <= EPHEMERAL_LAST - EPHEMERAL_FIRST; i++) {
      const p = this.nextPort;
      this.nextPort = p >= EPHEMERAL_LAST ? EPHEMERAL_FIRST : p + 1;
      if (!this.inUse(address, p)) return p;
    }
    throw new Error(`bindUdp on host ${this.name}: no free ephemeral port on ${address}`);
  }

  /** @internal */
  unbind(socket: VirtualUdpSocket): void {
    if (this.sockets.get(socket.key) === socket) this.sockets.delete(socket.key);
  }

  /** @internal Called by a socket: resolves the source address and hands the packet to the router. */
  sendFrom(socket: VirtualUdpSocket, data: Uint8Array, port: number, address: string): void {
    const dst = canonicalAddress(address);
    const local = socket.localAddress;
    if (dst === undefined || familyOfLiteral(dst) !== local.family) {
      this.counters.inc('sent');
      this.router.refused('bad-address');
      return;
    }
    let srcAddress = local.address;
    if (isWildcard(srcAddress)) {
      const own = this.addresses.find((a) => familyOfLiteral(a) === local.family);
      if (own === undefined) {
        this.counters.inc('sent');
        this.router.refused('no-route');
        return;
      }
      srcAddress = own;
    }
    this.counters.inc('sent');
    // Copy: the sender may reuse its buffer as soon as send() returns.
    this.router.send(this, { address: srcAddress, port: local.port, family: local.family }, Buffer.from(data), port, dst);
  }

  /** @internal The packet reached this host's stack: find the socket or drop. */
  receive(data: Buffer, src: TransportAddress, dst: TransportAddress): void {
    const socket = this.sockets.get(`${dst.address}|${dst.port}`) ?? this.sockets.get(`${dst.family}|*|${dst.port}`);
    if (!socket || socket.closed) {
      this.router.drop('no-socket');
      return;
    }
    this.counters.inc('received');
    socket.receive(data, src, this.router);
  }
}

import { Counters, type AddressFamily, type FakeClock, type Clock, type ConnectOptions, type StreamSocket, type TransportAddress } from '@rivulet/common';
import { canonicalAddress, familyOfLiteral, transportAddress } from './addresses.js';
import { VirtualHost, type HostRouter } from './host.js';
import { Link, type DropReason, type LinkConditions, type LinkDirection, type LinkSink } from './link.js';
import { NatTable, type NatMapping, type NatOptions } from './nat.js';
import { connectVirtualTcp, type TcpCounter, type TcpEnv } from './tcp.js';

export type NetworkCounter = 'sent' | 'delivered' | 'duplicated' | 'dropped' | `dropped:${DropReason}` | 'handler-error' | TcpCounter;

/** Where a virtual TCP connection goes, fixed when it opens. */
interface TcpRoute {
  target: VirtualHost;
  forward: LinkDirection[];
  backward: LinkDirection[];
  /** The client's address as the server sees it (after NAT). */
  seenAs: TransportAddress;
}

/** IP + UDP header bytes, for link MTU checks. */
function headerBytes(a: TransportAddress): number {
  return a.family === 'IPv6' ? 48 : 28;
}

/** A packet shown to the tap: once when sent, once just before delivery (addresses after NAT). */
export interface TappedPacket {
  readonly stage: 'send' | 'deliver';
  /** The sending host (stage 'send') or the receiving host (stage 'deliver'). */
  readonly host: string;
  readonly src: TransportAddress;
  readonly dst: TransportAddress;
  readonly data: Buffer;
}

/** Return 'drop' to drop the packet ('dropped:tap'), bytes to replace its payload, or nothing to pass it. */
export type PacketTap = (packet: TappedPacket) => 'drop' | Uint8Array | void;

export interface VirtualNetworkOptions {
  /** Drives every delay; normally a FakeClock, a RealClock works too. */
  clock: Clock;
  /** Seeds every impairment decision; the same seed and traffic give the same run. Default 1. */
  seed?: number | string;
}

export interface HostOptions {
  /** The host's addresses (IPv4 and/or IPv6), documentation or private ranges only. */
  addresses: readonly string[];
  /** The NAT this host sits behind; omit for a host on the public network. */
  behind?: VirtualNat;
  /** Initial conditions of its access link (both directions). */
  link?: LinkConditions;
}

export interface NatBoxOptions extends NatOptions {
  /** Initial conditions of the NAT's uplink to the public network (both directions). */
  link?: LinkConditions;
}

/** A NAT box between a private realm and the public network. */
export class VirtualNat {
  /** @internal hosts of the private realm by address */
  readonly hosts = new Map<string, VirtualHost>();

  constructor(
    readonly name: string,
    /** @internal */ readonly table: NatTable,
    /** The NAT's uplink to the public network. */
    readonly link: Link,
  ) {}

  publicAddress(family: AddressFamily = 'IPv4'): string | undefined {
    return this.table.publicAddress(family);
  }

  /** Live mappings, for assertions. */
  mappings(): NatMapping[] {
    return this.table.mappings();
  }
}

/**
 * A deterministic in-process datagram network. Hosts hang off the public
 * network or off a NAT; every hop goes through a link direction whose
 * impairments come from a seeded PRNG, and every delivery happens from a
 * clock timer.
 */
export class VirtualNetwork {
  readonly clock: Clock;
  readonly counters = new Counters<NetworkCounter>();
  private readonly seed: string;
  private readonly hostsByName = new Map<string, VirtualHost>();
  private readonly natsByName = new Map<string, VirtualNat>();
  /** The public realm: address → the host or NAT that owns it. */
  private readonly publicRealm = new Map<string, VirtualHost | VirtualNat>();
  private readonly natOf = new Map<VirtualHost, VirtualNat>();
  private tap: PacketTap | undefined;
  private pending = 0;
  private readonly sink: LinkSink;
  private readonly router: HostRouter;
  private readonly tcpEnv: TcpEnv;

  constructor(options: VirtualNetworkOptions) {
    if (!options || typeof options.clock?.setTimeout !== 'function') {
      throw new Error('VirtualNetwork: options.clock must be a Clock (e.g. new FakeClock())');
    }
    this.clock = options.clock;
    this.seed = String(options.seed ?? 1);
    this.sink = {
      drop: (r) => this.drop(r),
      duplicated: () => this.counters.inc('duplicated'),
      scheduled: () => this.pending++,
      settled: () => this.pending--,
    };
    this.router = {
      send: (host, src, data, port, address) => this.sendFrom(host, src, data, transportAddress(address, port)),
      drop: (r) => this.drop(r),
      refused: (r) => {
        this.counters.inc('sent');
        this.drop(r);
      },
      delivered: () => this.counters.inc('delivered'),
      handlerError: () => this.counters.inc('handler-error'),
      connectTcp: (host, options) => this.connectTcp(host, options),
    };
    this.tcpEnv = {
      clock: this.clock,
      scheduled: () => this.pending++,
      settled: () => this.pending--,
      count: (name) => this.counters.inc(name),
      handlerError: () => this.counters.inc('handler-error'),
    };
  }

  /** Packets currently on a link (scheduled but not yet come out). */
  get inFlight(): number {
    return this.pending;
  }

  /**
   * With a FakeClock: advances time (yielding to the event loop) until no
   * packet is in flight, at most `maxMs` of fake time (default 60000).
   * Returns the fake milliseconds that passed. Replies sent by handlers keep
   * it going, so it also runs request/response exchanges to completion.
   */
  async settle(options: { maxMs?: number; stepMs?: number } = {}): Promise<number> {
    // Duck-typed: a FakeClock from another copy of @rivulet/common works too.
    const fake = this.clock as Partial<Pick<FakeClock, 'runUntil'>>;
    if (typeof fake.runUntil !== 'function') {
      throw new Error('VirtualNetwork.settle() needs a FakeClock; with a RealClock wait for your own condition instead');
    }
    return fake.runUntil.call(this.clock,() => this.pending === 0, { maxMs: options.maxMs ?? 60_000, stepMs: options.stepMs ?? 1 });
  }

  addHost(name: string, options: HostOptions): VirtualHost {
    this.claimName(name);
    const nat = options.behind;
    if (nat !== undefined && this.natsByName.get(nat.name) !== nat) {
      throw new Error(`addHost ${name}: behind must be a NAT created by this network's addNat()`);
    }
    const link = new Link(`host:${name}`, this.clock, this.sink, this.seed, options.link);
    const host = new VirtualHost(name, options.addresses, link, this.router, nat?.name);
    const realm: Map<string, VirtualHost | VirtualNat> = nat ? nat.hosts : this.publicRealm;
    for (const a of host.addresses) {
      const owner = realm.get(a);
      if (owner) throw new Error(`addHost ${name}: address ${a} is already used by ${owner.name} in the same realm`);
    }
    for (const a of host.addresses) realm.set(a, host);
    if (nat) this.natOf.set(host, nat);
    this.hostsByName.set(name, host);
    return host;
  }

  addNat(name: string, options: NatBoxOptions): VirtualNat {
    this.claimName(name);
    const table = new NatTable(name, this.clock, options);
    for (const a of table.publicAddresses()) {
      const owner = this.publicRealm.get(a);
      if (owner) throw new Error(`addNat ${name}: public address ${a} is already used by ${owner.name}`);
    }
    const nat = new VirtualNat(name, table, new Link(`nat:${name}`, this.clock, this.sink, this.seed, options.link));
    for (const a of table.publicAddresses()) this.publicRealm.set(a, nat);
    this.natsByName.set(name, nat);
    return nat;
  }

  host(name: string): VirtualHost {
    const h = this.hostsByName.get(name);
    if (!h) throw new Error(`no virtual host named ${name}`);
    return h;
  }

  nat(name: string): VirtualNat {
    const n = this.natsByName.get(name);
    if (!n) throw new Error(`no virtual NAT named ${name}`);
    return n;
  }

  /** Installs (or with undefined removes) the packet tap. */
  setTap(tap: PacketTap | undefined): void {
    this.tap = tap;
  }

  private claimName(name: string): void {
    if (typeof name !== 'string' || name.length === 0) throw new Error(`a host or NAT needs a non-empty name, got ${String(name)}`);
    if (this.hostsByName.has(name) || this.natsByName.has(name)) throw new Error(`the name ${name} is already taken`);
  }

  private drop(reason: DropReason): void {
    this.counters.inc('dropped');
    this.counters.inc(`dropped:${reason}`);
  }

  /** Runs the tap; returns the (possibly replaced) payload or undefined when dropped. */
  private tapped(stage: 'send' | 'deliver', host: VirtualHost, src: TransportAddress, dst: TransportAddress, data: Buffer): Buffer | undefined {
    if (!this.tap) return data;
    const verdict = this.tap({ stage, host: host.name, src, dst, data });
    if (verdict === 'drop') {
      this.drop('tap');
      return undefined;
    }
    return verdict instanceof Uint8Array ? Buffer.from(verdict) : data;
  }

  private sendFrom(host: VirtualHost, src: TransportAddress, payload: Buffer, dst: TransportAddress): void {
    this.counters.inc('sent');
    const data = this.tapped('send', host, src, dst, payload);
    if (!data) return;
    if (host.owns(dst.address)) {
      // To itself: no link, but still from a timer, never re-entrantly.
      this.pending++;
      this.clock.setTimeout(() => {
        this.pending--;
        this.arriveAtHost(host, src, dst, data);
      }, 0);
      return;
    }
    const nat = this.natOf.get(host);
    host.link.up.transmit(data, (d) => (nat ? this.routeInside(nat, src, dst, d) : this.routePublic(src, dst, d)), headerBytes(src));
  }

  /** A packet reached NAT `nat` from its private side. */
  private routeInside(nat: VirtualNat, src: TransportAddress, dst: TransportAddress, data: Buffer): void {
    const local = nat.hosts.get(dst.address);
    if (local) {
      // Same private realm: the NAT box switches it without translation.
      local.link.down.transmit(data, (d) => this.arriveAtHost(local, src, dst, d), headerBytes(src));
      return;
    }
    const external = nat.table.outbound(src, dst);
    if (!external) return this.drop('nat-family');
    if (nat.publicAddress(dst.family) === dst.address) {
      // RFC 4787 §6 (REQ-9): hairpinned packets carry the external source.
      if (!nat.table.hairpinning) return this.drop('nat-hairpin');
      this.inboundAtNat(nat, external, dst, data);
      return;
    }
    nat.link.up.transmit(data, (d) => this.routePublic(external, dst, d), headerBytes(src));
  }

  /** A packet is on the public network. */
  private routePublic(src: TransportAddress, dst: TransportAddress, data: Buffer): void {
    const target = this.publicRealm.get(dst.address);
    if (!target) return this.drop('no-route');
    if (target instanceof VirtualHost) {
      target.link.down.transmit(data, (d) => this.arriveAtHost(target, src, dst, d), headerBytes(src));
    } else {
      target.link.down.transmit(data, (d) => this.inboundAtNat(target, src, dst, d), headerBytes(src));
    }
  }

  /** A packet reached NAT `nat` on its public side (or hairpinned). */
  private inboundAtNat(nat: VirtualNat, src: TransportAddress, dst: TransportAddress, data: Buffer): void {
    const verdict = nat.table.inbound(src, dst);
    if (typeof verdict === 'string') return this.drop(verdict);
    const host = nat.hosts.get(verdict.address);
    if (!host) return this.drop('no-route');
    host.link.down.transmit(data, (d) => this.arriveAtHost(host, src, verdict, d), headerBytes(src));
  }

  /** The path of a TCP connection from `host` to `dst`, or undefined when there is no route. */
  private tcpRoute(host: VirtualHost, src: TransportAddress, dst: TransportAddress): TcpRoute | undefined {
    if (host.owns(dst.address)) return { target: host, forward: [], backward: [], seenAs: src };
    const nat = this.natOf.get(host);
    if (nat) {
      const local = nat.hosts.get(dst.address);
      if (local) return { target: local, forward: [host.link.up, local.link.down], backward: [local.link.up, host.link.down], seenAs: src };
      const target = this.publicRealm.get(dst.address);
      // Inbound TCP through a NAT (port forwarding) and hairpin TCP are not modelled.
      if (!(target instanceof VirtualHost)) return undefined;
      const external = nat.table.outbound(src, dst);
      if (!external) return undefined;
      return {
        target,
        forward: [host.link.up, nat.link.up, target.link.down],
        backward: [target.link.up, nat.link.down, host.link.down],
        seenAs: external,
      };
    }
    const target = this.publicRealm.get(dst.address);
    if (!(target instanceof VirtualHost)) return undefined;
    return { target, forward: [host.link.up, target.link.down], backward: [target.link.up, host.link.down], seenAs: src };
  }

  private connectTcp(host: VirtualHost, options: ConnectOptions): Promise<StreamSocket> {
    const what = `connectTcp from host ${host.name} to ${options.address}:${options.port}`;
    const dstAddress = canonicalAddress(options.address);
    if (dstAddress === undefined) return Promise.reject(new Error(`${what}: not an IP literal`));
    if (!Number.isInteger(options.port) || options.port < 1 || options.port > 65535) {
      return Promise.reject(new Error(`${what}: port must be an integer 1..65535, got ${String(options.port)}`));
    }
    const family = familyOfLiteral(dstAddress);
    let srcAddress: string | undefined;
    if (options.localAddress !== undefined) {
      srcAddress = canonicalAddress(options.localAddress);
      if (srcAddress === undefined || !host.owns(srcAddress) || familyOfLiteral(srcAddress) !== family) {
        return Promise.reject(new Error(`${what}: localAddress ${options.localAddress} is not a ${family} address of this host`));
      }
    } else {
      srcAddress = host.addresses.find((a) => familyOfLiteral(a) === family);
      if (srcAddress === undefined) return Promise.reject(new Error(`${what}: the host has no ${family} address`));
    }
    const src: TransportAddress = { address: srcAddress, port: host.allocateTcpPort(), family };
    const dst: TransportAddress = { address: dstAddress, port: options.port, family };
    const route = this.tcpRoute(host, src, dst);
    if (!route) {
      this.counters.inc('tcp-refused');
      return new Promise((_resolve, reject) => {
        this.pending++;
        this.clock.setTimeout(() => {
          this.pending--;
          reject(new Error(`${what}: no route to host (a private address behind another NAT, or an unknown address)`));
        }, 0);
      });
    }
    return connectVirtualTcp(this.tcpEnv, { ...route, listener: () => route.target.tcpListener(dst.address, dst.port), targetName: route.target.name }, src, dst, what);
  }

  private arriveAtHost(host: VirtualHost, src: TransportAddress, dst: TransportAddress, payload: Buffer): void {
    // The payload is already this delivery's own copy (made at send, and per duplicate).
    const data = this.tapped('deliver', host, src, dst, payload);
    if (!data) return;
    host.receive(data, src, dst);
  }
}

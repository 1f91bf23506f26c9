import { Counters, type AddressFamily, type Clock, type TransportAddress } from '@rivulet/common';
import { transportAddress } from './addresses.js';
import { VirtualHost, type HostRouter } from './host.js';
import { Link, type DropReason, type LinkConditions, type LinkSink } from './link.js';
import { NatTable, type NatMapping, type NatOptions } from './nat.js';

export type NetworkCounter = 'sent' | 'delivered' | 'duplicated' | 'dropped' | `dropped:${DropReason}` | 'handler-error';

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
    };
  }

  /** Packets currently on a link (scheduled but not yet come out). */
  get inFlight(): number {
    return this.pending;
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
    host.link.up.transmit(data.length, () => (nat ? this.routeInside(nat, src, dst, data) : this.routePublic(src, dst, data)));
  }

  /** A packet reached NAT `nat` from its private side. */
  private routeInside(nat: VirtualNat, src: TransportAddress, dst: TransportAddress, data: Buffer): void {
    const local = nat.hosts.get(dst.address);
    if (local) {
      // Same private realm: the NAT box switches it without translation.
      local.link.down.transmit(data.length, () => this.arriveAtHost(local, src, dst, data));
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
    nat.link.up.transmit(data.length, () => this.routePublic(external, dst, data));
  }

  /** A packet is on the public network. */
  private routePublic(src: TransportAddress, dst: TransportAddress, data: Buffer): void {
    const target = this.publicRealm.get(dst.address);
    if (!target) return this.drop('no-route');
    if (target instanceof VirtualHost) {
      target.link.down.transmit(data.length, () => this.arriveAtHost(target, src, dst, data));
    } else {
      target.link.down.transmit(data.length, () => this.inboundAtNat(target, src, dst, data));
    }
  }

  /** A packet reached NAT `nat` on its public side (or hairpinned). */
  private inboundAtNat(nat: VirtualNat, src: TransportAddress, dst: TransportAddress, data: Buffer): void {
    const verdict = nat.table.inbound(src, dst);
    if (typeof verdict === 'string') return this.drop(verdict);
    const host = nat.hosts.get(verdict.address);
    if (!host) return this.drop('no-route');
    host.link.down.transmit(data.length, () => this.arriveAtHost(host, src, verdict, data));
  }

  private arriveAtHost(host: VirtualHost, src: TransportAddress, dst: TransportAddress, payload: Buffer): void {
    // Each delivery gets its own copy: duplicates must not alias one another.
    const data = this.tapped('deliver', host, src, dst, Buffer.from(payload));
    if (!data) return;
    host.receive(data, src, dst);
  }
}

import type { AddressFamily, Clock, TransportAddress } from '@rivulet/common';
import { familyOfLiteral, requireVirtualAddress } from './addresses.js';

/** RFC 4787 §4.1 (mapping) and §5 (filtering) behaviours. */
export type NatBehavior = 'endpoint-independent' | 'address-dependent' | 'address-and-port-dependent';

const BEHAVIORS: readonly NatBehavior[] = ['endpoint-independent', 'address-dependent', 'address-and-port-dependent'];

export interface NatOptions {
  /** Public address(es) on the outside; one per family this NAT translates. */
  publicAddress: string | readonly string[];
  mapping: NatBehavior;
  filtering: NatBehavior;
  /** RFC 4787 §4.3: idle time after which a mapping (and its filter state) expires. Default 120000 (REQ-5's minimum). */
  mappingTimeoutMs?: number;
  /** RFC 4787 §6: let internal hosts reach each other through the public address. Default false. */
  hairpinning?: boolean;
  /** RFC 4787 §4.3 REQ-6: inbound packets refresh the mapping too. Default false (only outbound refreshes). */
  inboundRefresh?: boolean;
  /** RFC 4787 §4.2.1: try the internal port first when allocating. Default false (sequential ports). */
  portPreservation?: boolean;
  /** First external port handed out; default 40000. */
  portBase?: number;
}

export interface NatMapping {
  readonly internal: TransportAddress;
  readonly external: TransportAddress;
  /** Remote endpoints the internal side sent to (the filter state). */
  readonly remotes: ReadonlySet<string>;
  lastActive: number;
}

interface MappingEntry extends NatMapping {
  readonly key: string;
  readonly remotes: Set<string>;
  readonly remoteIps: Set<string>;
}

/**
 * The translation table of one NAT. Pure bookkeeping: the network routes
 * packets through it. Expiry is evaluated lazily against the clock, so the
 * table schedules no timers.
 */
export class NatTable {
  readonly mappingBehavior: NatBehavior;
  readonly filteringBehavior: NatBehavior;
  readonly mappingTimeoutMs: number;
  readonly hairpinning: boolean;
  private readonly inboundRefresh: boolean;
  private readonly portPreservation: boolean;
  private readonly publics = new Map<AddressFamily, string>();
  private readonly byKey = new Map<string, MappingEntry>();
  private readonly byExternal = new Map<string, MappingEntry>();
  private nextPort: number;

  constructor(
    readonly name: string,
    private readonly clock: Clock,
    options: NatOptions,
  ) {
    for (const [field, v] of [['mapping', options.mapping], ['filtering', options.filtering]] as const) {
      if (!BEHAVIORS.includes(v)) {
        throw new Error(`NAT ${name}: ${field} must be one of ${BEHAVIORS.join(', ')}, got ${String(v)}`);
      }
    }
    this.mappingBehavior = options.mapping;
    this.filteringBehavior = options.filtering;
    this.mappingTimeoutMs = options.mappingTimeoutMs ?? 120_000;
    if (!(this.mappingTimeoutMs > 0)) {
      throw new Error(`NAT ${name}: mappingTimeoutMs must be > 0, got ${String(options.mappingTimeoutMs)}`);
    }
    this.hairpinning = options.hairpinning ?? false;
    this.inboundRefresh = options.inboundRefresh ?? false;
    this.portPreservation = options.portPreservation ?? false;
    this.nextPort = options.portBase ?? 40000;
    if (!Number.isInteger(this.nextPort) || this.nextPort < 1 || this.nextPort > 65535) {
      throw new Error(`NAT ${name}: portBase must be an integer port 1..65535, got ${String(options.portBase)}`);
    }
    const list = typeof options.publicAddress === 'string' ? [options.publicAddress] : options.publicAddress;
    if (list.length === 0) throw new Error(`NAT ${name}: publicAddress must name at least one address`);
    for (const raw of list) {
      const a = requireVirtualAddress(raw, `NAT ${name} publicAddress`);
      const fam = familyOfLiteral(a);
      if (this.publics.has(fam)) throw new Error(`NAT ${name}: two public ${fam} addresses given (${this.publics.get(fam)}, ${a})`);
      this.publics.set(fam, a);
    }
  }

  publicAddress(family: AddressFamily): string | undefined {
    return this.publics.get(family);
  }

  publicAddresses(): string[] {
    return [...this.publics.values()];
  }

  /** Live mappings (expired ones are purged first). */
  mappings(): NatMapping[] {
    this.purge();
    return [...this.byKey.values()];
  }

  /**
   * RFC 4787 §4.1: finds or creates the mapping an outbound packet uses and
   * records the destination in the filter state. Undefined when the NAT has
   * no public address of the packet's family.
   */
  outbound(src: TransportAddress, dst: TransportAddress): TransportAddress | undefined {
    const pub = this.publics.get(src.family);
    if (pub === undefined) return undefined;
    const key = this.mappingKey(src, dst);
    let m = this.byKey.get(key);
    if (m && this.expired(m)) {
      this.remove(m);
      m = undefined;
    }
    if (!m) {
      const port = this.allocatePort(src.family, src.port);
      m = {
        key,
        internal: src,
        external: { address: pub, port, family: src.family },
        remotes: new Set(),
        remoteIps: new Set(),
        lastActive: this.clock.now(),
      };
      this.byKey.set(key, m);
      this.byExternal.set(`${src.family}|${port}`, m);
    }
    m.lastActive = this.clock.now();
    m.remotes.add(`${dst.address}|${dst.port}`);
    m.remoteIps.add(dst.address);
    return m.external;
  }

  /**
   * RFC 4787 §5: the internal destination of an inbound packet to `dst`, or
   * the reason it is dropped.
   */
  inbound(src: TransportAddress, dst: TransportAddress): TransportAddress | 'nat-no-mapping' | 'nat-filtered' {
    const m = this.byExternal.get(`${dst.family}|${dst.port}`);
    if (!m || this.expired(m)) {
      if (m) this.remove(m);
      return 'nat-no-mapping';
    }
    const allowed =
      this.filteringBehavior === 'endpoint-independent' ||
      (this.filteringBehavior === 'address-dependent' && m.remoteIps.has(src.address)) ||
      (this.filteringBehavior === 'address-and-port-dependent' && m.remotes.has(`${src.address}|${src.port}`));
    if (!allowed) return 'nat-filtered';
    if (this.inboundRefresh) m.lastActive = this.clock.now();
    return m.internal;
  }

  private mappingKey(src: TransportAddress, dst: TransportAddress): string {
    const inside = `${src.family}|${src.address}|${src.port}`;
    switch (this.mappingBehavior) {
      case 'endpoint-independent':
        return inside;
      case 'address-dependent':
        return `${inside}>${dst.address}`;
      case 'address-and-port-dependent':
        return `${inside}>${dst.address}|${dst.port}`;
    }
  }

  private allocatePort(family: AddressFamily, internalPort: number): number {
    if (this.portPreservation && !this.byExternal.has(`${family}|${internalPort}`)) return internalPort;
    this.purge();
    for (let i = 0; i < 65535; i++) {
      const p = this.nextPort;
      this.nextPort = p >= 65535 ? 1024 : p + 1;
      if (!this.byExternal.has(`${family}|${p}`)) return p;
    }
    throw new Error(`NAT ${this.name}: out of external ports`);
  }

  private expired(m: MappingEntry): boolean {
    return this.clock.now() - m.lastActive >= this.mappingTimeoutMs;
  }

  private remove(m: MappingEntry): void {
    this.byKey.delete(m.key);
    this.byExternal.delete(`${m.external.family}|${m.external.port}`);
  }

  private purge(): void {
    for (const m of [...this.byKey.values()]) if (this.expired(m)) this.remove(m);
  }
}

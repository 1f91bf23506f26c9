import { isIP } from 'node:net';

/** RFC 8445 §5.1.1: candidate types (SDP names, RFC 8839 §5.1). */
export type IceCandidateType = 'host' | 'srflx' | 'prflx' | 'relay';
export type IceProtocol = 'udp' | 'tcp';
export type IceTcpType = 'active' | 'passive' | 'so';

/** RFC 8445 §5.1.2.2 recommended type preferences. */
export const TYPE_PREFERENCE: Readonly<Record<IceCandidateType, number>> = { host: 126, prflx: 110, srflx: 100, relay: 0 };

/** RFC 8445 §5.1.2.1: priority = 2^24·type pref + 2^8·local pref + (256 − component). */
export function candidatePriority(type: IceCandidateType, localPreference: number, component = 1): number {
  if (!Number.isInteger(localPreference) || localPreference < 0 || localPreference > 65535) {
    throw new RangeError(`ICE local preference must be an integer 0..65535, got ${localPreference}`);
  }
  if (!Number.isInteger(component) || component < 1 || component > 256) {
    throw new RangeError(`ICE component id must be an integer 1..256, got ${component}`);
  }
  return TYPE_PREFERENCE[type] * 2 ** 24 + localPreference * 2 ** 8 + (256 - component);
}

export interface IceCandidateInit {
  foundation: string;
  component?: number;
  protocol?: IceProtocol;
  priority: number;
  address: string;
  port: number;
  type: IceCandidateType;
  relatedAddress?: string;
  relatedPort?: number;
  tcpType?: IceTcpType;
  usernameFragment?: string;
  /** Extension attributes after the standard fields, in order (e.g. generation, network-id). */
  extensions?: ReadonlyArray<readonly [string, string]>;
}

const ICE_CHAR = /^[A-Za-z0-9+/]+$/;
const TYPES: readonly IceCandidateType[] = ['host', 'srflx', 'prflx', 'relay'];

/**
 * An ICE candidate with the fields of W3C RTCIceCandidate; `component` is the
 * SDP component id (1 = RTP, 2 = RTCP). Serializes to and from the
 * `candidate-attribute` of RFC 8839 §5.1.
 */
export class IceCandidate {
  readonly foundation: string;
  readonly component: number;
  readonly protocol: IceProtocol;
  readonly priority: number;
  /** IP literal, or an mDNS name ending in `.local` (draft-ietf-mmusic-mdns-ice-candidates). */
  readonly address: string;
  readonly port: number;
  readonly type: IceCandidateType;
  readonly relatedAddress: string | undefined;
  readonly relatedPort: number | undefined;
  readonly tcpType: IceTcpType | undefined;
  readonly usernameFragment: string | undefined;
  readonly extensions: ReadonlyArray<readonly [string, string]>;

  constructor(init: IceCandidateInit) {
    if (typeof init.foundation !== 'string' || init.foundation.length < 1 || init.foundation.length > 32 || !ICE_CHAR.test(init.foundation)) {
      throw new TypeError(`ICE candidate foundation must be 1..32 ice-chars, got ${JSON.stringify(init.foundation)}`);
    }
    if (!Number.isInteger(init.priority) || init.priority < 1 || init.priority > 0xffffffff) {
      throw new RangeError(`ICE candidate priority must be an integer 1..2^32-1, got ${init.priority}`);
    }
    if (!Number.isInteger(init.port) || init.port < 0 || init.port > 65535) {
      throw new RangeError(`ICE candidate port must be an integer 0..65535, got ${init.port}`);
    }
    if (!TYPES.includes(init.type)) throw new TypeError(`ICE candidate type must be one of ${TYPES.join(', ')}, got ${String(init.type)}`);
    if (typeof init.address !== 'string' || init.address.length === 0) throw new TypeError(`ICE candidate address must be a non-empty string, got ${String(init.address)}`);
    const component = init.component ?? 1;
    if (!Number.isInteger(component) || component < 1 || component > 256) throw new RangeError(`ICE component id must be 1..256, got ${component}`);
    this.foundation = init.foundation;
    this.component = component;
    this.protocol = init.protocol ?? 'udp';
    this.priority = init.priority;
    this.address = init.address;
    this.port = init.port;
    this.type = init.type;
    this.relatedAddress = init.relatedAddress;
    this.relatedPort = init.relatedPort;
    this.tcpType = init.tcpType;
    this.usernameFragment = init.usernameFragment;
    this.extensions = init.extensions ?? [];
  }

  /** True when the address is an mDNS hostname that must be resolved before use. */
  get isMdns(): boolean {
    return this.address.toLowerCase().endsWith('.local');
  }

  /** IP family of the address, or undefined for an unresolved name. */
  get family(): 'IPv4' | 'IPv6' | undefined {
    const v = isIP(this.address);
    return v === 4 ? 'IPv4' : v === 6 ? 'IPv6' : undefined;
  }

  /** `address:port` key (IPv6 bracketed). */
  get key(): string {
    return addressKey(this.address, this.port);
  }

  with(changes: Partial<IceCandidateInit>): IceCandidate {
    return new IceCandidate({ ...this.toJSON(), extensions: this.extensions, ...changes });
  }

  /**
   * Parses `candidate:…` or `a=candidate:…` (RFC 8839 §5.1). Throws TypeError
   * naming the bad field; unknown extension attributes are kept.
   */
  static fromSdp(line: string, usernameFragment?: string): IceCandidate {
    let s = line.trim();
    if (s.startsWith('a=')) s = s.slice(2);
    if (!s.startsWith('candidate:')) throw new TypeError(`ICE candidate line must start with "candidate:", got ${JSON.stringify(line)}`);
    const f = s.slice('candidate:'.length).split(/\s+/);
    if (f.length < 8 || f[6] !== 'typ') throw new TypeError(`ICE candidate line has too few fields or no "typ": ${JSON.stringify(line)}`);
    const [foundation, componentS, transport, priorityS, address, portS, , typeS] = f as [string, string, string, string, string, string, string, string];
    const component = Number(componentS);
    const protocol = transport.toLowerCase();
    if (protocol !== 'udp' && protocol !== 'tcp') throw new TypeError(`ICE candidate transport must be UDP or TCP, got ${JSON.stringify(transport)}`);
    const priority = Number(priorityS);
    const port = Number(portS);
    const type = typeS as IceCandidateType;
    let relatedAddress: string | undefined;
    let relatedPort: number | undefined;
    let tcpType: IceTcpType | undefined;
    let ufrag = usernameFragment;
    const extensions: Array<[string, string]> = [];
    for (let i = 8; i + 1 < f.length; i += 2) {
      const name = f[i]!;
      const value = f[i + 1]!;
      if (name === 'raddr') relatedAddress = value;
      else if (name === 'rport') {
        relatedPort = Number(value);
        if (!Number.isInteger(relatedPort) || relatedPort < 0 || relatedPort > 65535) throw new TypeError(`ICE candidate rport must be 0..65535, got ${value}`);
      } else if (name === 'tcptype') {
        if (value !== 'active' && value !== 'passive' && value !== 'so') throw new TypeError(`ICE candidate tcptype must be active, passive or so, got ${value}`);
        tcpType = value;
      } else {
        if (name === 'ufrag') ufrag = value;
        extensions.push([name, value]);
      }
    }
    return new IceCandidate({ foundation, component, protocol, priority, address, port, type, relatedAddress, relatedPort, tcpType, usernameFragment: ufrag, extensions });
  }

  /** `candidate:…` without the `a=` prefix (the form RTCIceCandidate.candidate uses). */
  toSdp(): string {
    let s = `candidate:${this.foundation} ${this.component} ${this.protocol} ${this.priority} ${this.address} ${this.port} typ ${this.type}`;
    if (this.relatedAddress !== undefined) s += ` raddr ${this.relatedAddress}`;
    if (this.relatedPort !== undefined) s += ` rport ${this.relatedPort}`;
    if (this.tcpType !== undefined) s += ` tcptype ${this.tcpType}`;
    for (const [k, v] of this.extensions) s += ` ${k} ${v}`;
    return s;
  }

  toString(): string {
    return this.toSdp();
  }

  toJSON(): IceCandidateInit {
    return {
      foundation: this.foundation,
      component: this.component,
      protocol: this.protocol,
      priority: this.priority,
      address: this.address,
      port: this.port,
      type: this.type,
      ...(this.relatedAddress !== undefined ? { relatedAddress: this.relatedAddress } : {}),
      ...(this.relatedPort !== undefined ? { relatedPort: this.relatedPort } : {}),
      ...(this.tcpType !== undefined ? { tcpType: this.tcpType } : {}),
      ...(this.usernameFragment !== undefined ? { usernameFragment: this.usernameFragment } : {}),
    };
  }
}

export function addressKey(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

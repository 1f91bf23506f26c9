import { crc32 } from 'node:zlib';
import { createLogger, type Clock, type InterfaceAddress, type Network, type TransportAddress } from '@rivulet/common';
import { LocalBase, type BaseReceiver, type TurnAllocator, type RelayServerConfig } from './base.js';
import { IceCandidate, candidatePriority, type IceCandidateType } from './candidate.js';
import type { LocalCandidate } from './pair.js';

const log = createLogger('ice:gather');

/**
 * Default host-candidate interface choice: every non-internal address except
 * IPv6 link-local (needs a zone id to bind); if that leaves nothing (e.g. a
 * loopback-only network namespace), the loopback addresses.
 */
export function selectInterfaces(network: Network, filter?: (a: InterfaceAddress) => boolean): InterfaceAddress[] {
  const all = network.interfaces();
  if (filter) return all.filter((a) => filter(a));
  const usable = all.filter((a) => !a.internal && !/^fe80:/i.test(a.address));
  const chosen = usable.length > 0 ? usable : all.filter((a) => a.internal);
  // RFC 8421: prefer IPv6, then IPv4, keeping interface order within a family.
  return [...chosen.filter((a) => a.family === 'IPv6'), ...chosen.filter((a) => a.family === 'IPv4')];
}

/**
 * RFC 8445 §5.1.1.3: same type, same base IP, same server and same transport
 * give the same foundation. A CRC of those facts is stable and ice-char safe.
 */
export function foundationFor(type: IceCandidateType, baseAddress: string, server = '', protocol = 'udp'): string {
  return String(crc32(`${type}|${baseAddress}|${server}|${protocol}`));
}

/** Binds one UDP socket per chosen address; a failing address is logged and skipped. */
export async function bindHostBases(network: Network, addresses: readonly InterfaceAddress[], receive: BaseReceiver): Promise<LocalBase[]> {
  const results = await Promise.allSettled(addresses.map((a) => network.bindUdp({ address: a.address, port: 0 })));
  const bases: LocalBase[] = [];
  results.forEach((r, i) => {
    if (r.status === 'fulfilled') bases.push(LocalBase.udp(r.value, receive));
    else log.warn('cannot bind host candidate on %s: %s', addresses[i]!.address, (r.reason as Error).message);
  });
  return bases;
}

/** Local preference for the i-th base (RFC 8445 §5.1.2.1: unique per base within a type). */
export function localPreference(index: number): number {
  return Math.max(0, 65535 - index);
}

export function makeHostCandidate(base: LocalBase, index: number, ufrag: string, mdnsName?: string): LocalCandidate {
  const candidate = new IceCandidate({
    foundation: foundationFor('host', base.address.address),
    priority: candidatePriority('host', localPreference(index)),
    address: mdnsName ?? base.address.address,
    port: base.address.port,
    type: 'host',
    usernameFragment: ufrag,
  });
  return { candidate, base, address: base.address };
}

export function makeSrflxCandidate(base: LocalBase, index: number, mapped: TransportAddress, server: string, ufrag: string, hideRelated: boolean): LocalCandidate {
  const candidate = new IceCandidate({
    foundation: foundationFor('srflx', base.address.address, server),
    priority: candidatePriority('srflx', localPreference(index)),
    address: mapped.address,
    port: mapped.port,
    type: 'srflx',
    // Browsers hiding host addresses signal 0.0.0.0:0 as the related address.
    relatedAddress: hideRelated ? (mapped.family === 'IPv6' ? '::' : '0.0.0.0') : base.address.address,
    relatedPort: hideRelated ? 0 : base.address.port,
    usernameFragment: ufrag,
  });
  return { candidate, base, address: mapped };
}

export function makeRelayCandidate(base: LocalBase, index: number, server: string, mapped: TransportAddress | undefined, ufrag: string): LocalCandidate {
  const relayed = base.address;
  const candidate = new IceCandidate({
    foundation: foundationFor('relay', relayed.address, server),
    priority: candidatePriority('relay', localPreference(index)),
    address: relayed.address,
    port: relayed.port,
    type: 'relay',
    ...(mapped ? { relatedAddress: mapped.address, relatedPort: mapped.port } : {}),
    usernameFragment: ufrag,
  });
  return { candidate, base, address: relayed };
}

/** Allocates on one TURN server; resolves undefined (logged) on failure. */
export async function allocateRelayBase(
  allocator: TurnAllocator,
  server: RelayServerConfig,
  network: Network,
  clock: Clock,
  receive: BaseReceiver,
): Promise<LocalBase | undefined> {
  try {
    const allocation = await allocator({ server, network, clock });
    return LocalBase.relay(allocation, server.address, receive);
  } catch (err) {
    log.warn('TURN allocation on %s:%d failed: %s', server.address, server.port, (err as Error).message);
    return undefined;
  }
}

import { isIPv4, isIPv6 } from 'node:net';
import type { AddressFamily, TransportAddress } from '@rivulet/common';

/**
 * Virtual addresses are restricted to documentation ranges (RFC 5737,
 * RFC 3849) and private ranges (RFC 1918, RFC 6598, RFC 4193), so a packet
 * meant for the virtual network can never be mistaken for a real destination.
 */
const V4_RANGES: ReadonlyArray<[number, number]> = [
  [ipv4ToInt('192.0.2.0'), 24],
  [ipv4ToInt('198.51.100.0'), 24],
  [ipv4ToInt('203.0.113.0'), 24],
  [ipv4ToInt('10.0.0.0'), 8],
  [ipv4ToInt('172.16.0.0'), 12],
  [ipv4ToInt('192.168.0.0'), 16],
  [ipv4ToInt('100.64.0.0'), 10],
];

function ipv4ToInt(a: string): number {
  const p = a.split('.').map(Number);
  return (((p[0]! << 24) >>> 0) + (p[1]! << 16) + (p[2]! << 8) + p[3]!) >>> 0;
}

/** Canonical text form (lower-case, compressed IPv6), or undefined if not an IP literal. */
export function canonicalAddress(address: string): string | undefined {
  if (isIPv4(address)) return address;
  if (isIPv6(address)) {
    try {
      return new URL(`http://[${address}]/`).hostname.slice(1, -1);
    } catch {
      return undefined;
    }
  }
  return undefined;
}

export function familyOfLiteral(address: string): AddressFamily {
  return address.includes(':') ? 'IPv6' : 'IPv4';
}

export function isWildcard(address: string): boolean {
  return address === '0.0.0.0' || address === '::';
}

/** True for addresses the virtual network may use (see the ranges above). */
export function isAllowedVirtualAddress(address: string): boolean {
  const c = canonicalAddress(address);
  if (c === undefined) return false;
  if (isIPv4(c)) {
    const n = ipv4ToInt(c);
    return V4_RANGES.some(([base, bits]) => ((n ^ base) >>> (32 - bits)) === 0);
  }
  // 2001:db8::/32 (RFC 3849) or fc00::/7 unique-local (RFC 4193).
  const first = c.split(':');
  const h0 = parseInt(first[0] || '0', 16);
  const h1 = parseInt(first[1] || '0', 16);
  return (h0 === 0x2001 && h1 === 0x0db8) || (h0 & 0xfe00) === 0xfc00;
}

export function requireVirtualAddress(address: string, what: string): string {
  const c = canonicalAddress(address);
  if (c === undefined) throw new Error(`${what}: "${address}" is not an IPv4 or IPv6 literal`);
  if (!isAllowedVirtualAddress(c)) {
    throw new Error(
      `${what}: ${address} is outside the ranges the virtual network uses ` +
        '(192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 10/8, 172.16/12, 192.168/16, 100.64/10, 2001:db8::/32, fc00::/7)',
    );
  }
  return c;
}

export function transportAddress(address: string, port: number): TransportAddress {
  return { address, port, family: familyOfLiteral(address) };
}

export function formatAddress(a: TransportAddress): string {
  return a.family === 'IPv6' ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`;
}

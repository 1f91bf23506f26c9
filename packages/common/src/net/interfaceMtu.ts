import { readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';

/**
 * The MTU of the local interface that owns an address, for RFC 8899 PLPMTUD's MAX_PLPMTU (never
 * probe above what the first hop carries). Linux exposes it as /sys/class/net/<name>/mtu; Node's
 * os.networkInterfaces() maps addresses to interface names. Elsewhere, or when the address is not
 * a local one, the answer is undefined and callers stay at their base size.
 */

/** Strips an IPv6 zone ("fe80::1%eth0") and an IPv4-mapped prefix ("::ffff:127.0.0.1"), lower-cased. */
function normalize(address: string): string {
  const a = address.toLowerCase().split('%')[0]!;
  return a.startsWith('::ffff:') && a.includes('.') ? a.slice(7) : a;
}

/** The name of the interface that has `address`, or undefined. */
export function interfaceNameForAddress(address: string): string | undefined {
  const want = normalize(address);
  for (const [name, list] of Object.entries(networkInterfaces())) {
    for (const info of list ?? []) if (normalize(info.address) === want) return name;
  }
  return undefined;
}

/** Interface names as Linux allows them in /sys/class/net (no slashes, no "." or ".."). */
const SAFE_NAME = /^(?!\.\.?$)[A-Za-z0-9_.:@-]{1,15}$/;

/** The MTU of interface `name` from /sys/class/net/<name>/mtu, or undefined where that is not readable. */
export function interfaceMtu(name: string, sysfsRoot = '/sys/class/net'): number | undefined {
  if (!SAFE_NAME.test(name)) return undefined;
  let text: string;
  try {
    text = readFileSync(`${sysfsRoot}/${name}/mtu`, 'utf8');
  } catch {
    return undefined;
  }
  const mtu = Number(text.trim());
  return Number.isInteger(mtu) && mtu >= 68 && mtu <= 1 << 20 ? mtu : undefined;
}

/** The MTU of the local interface that has `address` (e.g. the selected ICE pair's local address). */
export function interfaceMtuForAddress(address: string): number | undefined {
  const name = interfaceNameForAddress(address);
  return name === undefined ? undefined : interfaceMtu(name);
}

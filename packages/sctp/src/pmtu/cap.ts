/**
 * MAX_PLPMTU for SCTP over DTLS over UDP (RFC 8261, RFC 8899 §5.3.1: the minimum of the local MTU
 * and what the receiver can take), computed by the layer that knows the interface and the DTLS
 * cipher.
 */

/**
 * One SCTP packet travels in one DTLS record (RFC 8261 §4), whose plaintext is at most 2^14 bytes
 * (RFC 6347 §4.1 refers to TLS 1.2, RFC 5246 §6.2.1).
 */
export const DTLS_MAX_PLAINTEXT = 16384;

/** BASE_PLPMTU (RFC 8899 §5.1.2: 1200 bytes is the recommended base for IPv4 and IPv6). */
export const BASE_PLPMTU = 1200;

/** IP + UDP header bytes. */
export const IPV4_UDP_HEADERS = 20 + 8;
export const IPV6_UDP_HEADERS = 40 + 8;

export interface PathCapInput {
  /** The local interface's MTU (bytes of IP packet), or undefined when it is not known. */
  linkMtu: number | undefined;
  family: 'IPv4' | 'IPv6';
  /** DTLS record header + explicit nonce / IV + tag / MAC and padding under the current cipher. */
  dtlsOverhead: number;
  /** Never below this (the SCTP association's configured MTU; default BASE_PLPMTU). */
  base?: number;
}

/**
 * The largest SCTP packet worth probing on this path: min(2^14, link MTU − IP/UDP − DTLS),
 * 4-byte aligned. An unknown link MTU gives BASE (do not probe up). A link MTU too small even for
 * BASE also gives BASE: the association never packetizes below it (that is what it did before
 * PLPMTUD, and the DTLS layer counts such datagrams).
 */
export function plpmtuCap(p: PathCapInput): number {
  const base = p.base ?? BASE_PLPMTU;
  if (p.linkMtu === undefined || !Number.isFinite(p.linkMtu)) return base;
  if (!Number.isInteger(p.dtlsOverhead) || p.dtlsOverhead < 0) {
    throw new RangeError(`plpmtuCap: dtlsOverhead must be a non-negative integer, got ${p.dtlsOverhead}`);
  }
  const headers = p.family === 'IPv6' ? IPV6_UDP_HEADERS : IPV4_UDP_HEADERS;
  const cap = Math.min(DTLS_MAX_PLAINTEXT, p.linkMtu - headers - p.dtlsOverhead) & ~3;
  return Math.max(base, cap);
}

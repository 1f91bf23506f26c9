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

/**
 * EMTU_R we assume for a peer we know nothing about: the largest DTLS datagram it accepts. Measured
 * on 2026-11-21 (e2e/datachannel-pmtud-browsers.test.ts): Chromium (libwebrtc) takes a 2065-byte
 * datagram but its DTLS transport FAILS (no alert, the connection is lost) on one of 2137 bytes or
 * more, so a probe above its limit is not merely lost; node-datachannel (libdatachannel) silently
 * drops datagrams above 4096; Rivulet takes a whole 2^14-byte record. 2048 is safe for all three.
 */
export const DEFAULT_PEER_MAX_DATAGRAM = 2048;

/** IP + UDP header bytes. */
export const IPV4_UDP_HEADERS = 20 + 8;
export const IPV6_UDP_HEADERS = 40 + 8;

export interface PathCapInput {
  /** The local interface's MTU (bytes of IP packet), or undefined when it is not known. */
  linkMtu: number | undefined;
  family: 'IPv4' | 'IPv6';
  /** DTLS record header + explicit nonce / IV + tag / MAC and padding under the current cipher. */
  dtlsOverhead: number;
  /**
   * EMTU_R (RFC 8899 §5.3.1): the largest DTLS datagram the peer accepts (default
   * DEFAULT_PEER_MAX_DATAGRAM). Raise it only for a peer known to take more (another Rivulet:
   * DTLS_MAX_PLAINTEXT + overhead).
   */
  peerMaxDatagram?: number;
  /** Never below this (the SCTP association's configured MTU; default BASE_PLPMTU). */
  base?: number;
}

/**
 * The largest SCTP packet worth probing on this path: min(2^14, link MTU − IP/UDP − DTLS,
 * peer's EMTU_R − DTLS), 4-byte aligned. An unknown link MTU gives BASE (do not probe up). A link MTU too small even for
 * BASE also gives BASE: the association never packetizes below it (that is what it did before
 * PLPMTUD, and the DTLS layer counts such datagrams).
 */
export function plpmtuCap(p: PathCapInput): number {
  const base = p.base ?? BASE_PLPMTU;
  if (p.linkMtu === undefined || !Number.isFinite(p.linkMtu)) return base;
  if (!Number.isInteger(p.dtlsOverhead) || p.dtlsOverhead < 0) {
    throw new RangeError(`plpmtuCap: dtlsOverhead must be a non-negative integer, got ${p.dtlsOverhead}`);
  }
  const peer = p.peerMaxDatagram ?? DEFAULT_PEER_MAX_DATAGRAM;
  if (!Number.isInteger(peer) || peer < 0) throw new RangeError(`plpmtuCap: peerMaxDatagram must be a non-negative integer, got ${peer}`);
  const headers = p.family === 'IPv6' ? IPV6_UDP_HEADERS : IPV4_UDP_HEADERS;
  const cap = Math.min(DTLS_MAX_PLAINTEXT, p.linkMtu - headers - p.dtlsOverhead, peer - p.dtlsOverhead) & ~3;
  return Math.max(base, cap);
}

/**
 * RTCConfiguration (webrtc-pc §4.2.1) and its validation ("set a
 * configuration", §4.4.1.6): URL and credential checks for iceServers, enum
 * checks, and the members setConfiguration may not change.
 */
import type { Clock, Network } from '@rivulet/common';
import { domError, invalidAccess, invalidModification } from '../base/errors.js';
import { RTCCertificate } from '../rtc/RTCCertificate.js';
import type { TransportBundleFactory } from '../transport/bundle.js';

export type RTCIceTransportPolicy = 'relay' | 'all';
export type RTCBundlePolicy = 'balanced' | 'max-compat' | 'max-bundle';
export type RTCRtcpMuxPolicy = 'require';

export interface RTCIceServer {
  urls: string | string[];
  username?: string;
  credential?: string;
}

/**
 * Non-standard knobs, all in this one field (see docs/api-deviations.md).
 */
export interface RivuletOptions {
  /** Sockets to use; default: the real node:dgram network. @rivulet/testkit's VirtualNetwork works too. */
  network?: Network;
  /** Time source for every protocol timer; default: real time. */
  clock?: Clock;
  /** The lower layers (ICE+DTLS+SRTP+SCTP). Default: the built-in bundle over @rivulet packages. */
  transportFactory?: TransportBundleFactory;
  /** Only gather host candidates on these local addresses (e.g. ['127.0.0.1']). */
  interfaceAddresses?: string[];
  /**
   * SCTP (data channels). `plpmtud`: RFC 8899 path MTU discovery (default true): packets grow
   * above 1200 bytes up to what the selected pair's interface, one DTLS record and the peer carry;
   * false keeps every SCTP packet at 1200 bytes. `peerMaxDatagram`: the largest DTLS datagram the
   * peer accepts (EMTU_R), default 2048 — Chromium's DTLS fails on larger ones; set 16421 (a whole
   * 2^14 record + AES-GCM overhead) when the peer is Rivulet, 4096 for node-datachannel. Read when
   * the SCTP transport starts.
   */
  sctp?: { plpmtud?: boolean; peerMaxDatagram?: number };
}

export interface RTCConfiguration {
  iceServers?: RTCIceServer[];
  iceTransportPolicy?: RTCIceTransportPolicy;
  bundlePolicy?: RTCBundlePolicy;
  rtcpMuxPolicy?: RTCRtcpMuxPolicy;
  certificates?: RTCCertificate[];
  iceCandidatePoolSize?: number;
  /** Non-standard: see RivuletOptions. */
  rivulet?: RivuletOptions;
}

/** A validated STUN/TURN server URL (RFC 7064 §3.1, RFC 7065 §3.1). */
export interface ParsedIceServerUrl {
  scheme: 'stun' | 'turn' | 'turns';
  host: string;
  port: number;
  transport: 'udp' | 'tcp' | undefined;
  username?: string;
  credential?: string;
  url: string;
}

export interface NormalizedConfiguration {
  iceServers: RTCIceServer[];
  iceTransportPolicy: RTCIceTransportPolicy;
  bundlePolicy: RTCBundlePolicy;
  rtcpMuxPolicy: RTCRtcpMuxPolicy;
  certificates: RTCCertificate[];
  iceCandidatePoolSize: number;
  rivulet: RivuletOptions;
  /** Parsed from iceServers. */
  servers: ParsedIceServerUrl[];
}

function enumValue<T extends string>(member: string, value: unknown, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !allowed.includes(value as T)) {
    throw new TypeError(`RTCConfiguration.${member}: ${JSON.stringify(value)} is not one of ${allowed.map((a) => `"${a}"`).join(', ')}`);
  }
  return value as T;
}

/** Parses one STUN/TURN URL; throws SyntaxError / NotSupportedError as §4.4.1.6 "validate an ICE server" says. */
export function parseIceServerUrl(url: string): ParsedIceServerUrl {
  const m = /^(stuns?|turns?):(\[[0-9a-fA-F:.]+\]|[^:?#/[\]@]+)(?::(\d{1,5}))?(?:\?transport=(udp|tcp))?$/.exec(url);
  if (!m) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(url) && !/^(stuns?|turns?):/.test(url)) {
      throw domError('SyntaxError', `RTCIceServer url ${JSON.stringify(url)}: scheme must be stun:, turn: or turns:`);
    }
    throw domError('SyntaxError', `RTCIceServer url ${JSON.stringify(url)} is not a valid STUN/TURN URL (RFC 7064/7065), e.g. "stun:host:3478" or "turn:host:3478?transport=udp"`);
  }
  const scheme = m[1]!;
  if (scheme === 'stuns') throw domError('NotSupportedError', `RTCIceServer url ${JSON.stringify(url)}: stuns: is not supported`);
  if (scheme === 'stun' && m[4] !== undefined) {
    throw domError('SyntaxError', `RTCIceServer url ${JSON.stringify(url)}: ?transport is only allowed on turn:/turns: URLs`);
  }
  const port = m[3] !== undefined ? Number(m[3]) : scheme === 'turns' ? 5349 : 3478;
  if (port < 1 || port > 65535) throw domError('SyntaxError', `RTCIceServer url ${JSON.stringify(url)}: port ${port} is out of range`);
  const host = m[2]!.startsWith('[') ? m[2]!.slice(1, -1) : m[2]!;
  return { scheme: scheme as ParsedIceServerUrl['scheme'], host, port, transport: m[4] as 'udp' | 'tcp' | undefined, url };
}

export function validateIceServers(servers: unknown): { iceServers: RTCIceServer[]; parsed: ParsedIceServerUrl[] } {
  if (servers === undefined) return { iceServers: [], parsed: [] };
  if (!Array.isArray(servers)) throw new TypeError('RTCConfiguration.iceServers must be an array of RTCIceServer');
  const parsed: ParsedIceServerUrl[] = [];
  const iceServers: RTCIceServer[] = [];
  servers.forEach((server: RTCIceServer, i) => {
    if (server === null || typeof server !== 'object' || server.urls === undefined) {
      throw new TypeError(`RTCConfiguration.iceServers[${i}]: "urls" is required`);
    }
    const urls = typeof server.urls === 'string' ? [server.urls] : server.urls;
    if (!Array.isArray(urls)) throw new TypeError(`RTCConfiguration.iceServers[${i}].urls must be a string or an array of strings`);
    if (urls.length === 0) throw domError('SyntaxError', `RTCConfiguration.iceServers[${i}].urls is empty`);
    for (const url of urls) {
      const p = parseIceServerUrl(String(url));
      if (p.scheme !== 'stun') {
        // §4.4.1.6: turn/turns need both username and credential.
        if (server.username === undefined || server.credential === undefined) {
          throw invalidAccess(`RTCConfiguration.iceServers[${i}]: ${p.url} needs both "username" and "credential"`);
        }
        p.username = String(server.username);
        p.credential = String(server.credential);
      }
      parsed.push(p);
    }
    const copy: RTCIceServer = { urls: typeof server.urls === 'string' ? server.urls : [...urls] };
    if (server.username !== undefined) copy.username = server.username;
    if (server.credential !== undefined) copy.credential = server.credential;
    iceServers.push(copy);
  });
  return { iceServers, parsed };
}

/** Validates a configuration for the constructor or setConfiguration (when `previous` is given). */
export function normalizeConfiguration(
  config: RTCConfiguration | undefined,
  previous?: NormalizedConfiguration,
  hasLocalDescription = false,
): NormalizedConfiguration {
  const c = config ?? {};
  if (typeof c !== 'object') throw new TypeError('RTCConfiguration must be an object');
  const bundlePolicy = enumValue('bundlePolicy', c.bundlePolicy, ['balanced', 'max-compat', 'max-bundle'], 'balanced');
  const rtcpMuxPolicy = enumValue('rtcpMuxPolicy', c.rtcpMuxPolicy, ['require'], 'require');
  const iceTransportPolicy = enumValue('iceTransportPolicy', c.iceTransportPolicy, ['relay', 'all'], 'all');
  const pool = c.iceCandidatePoolSize ?? 0;
  if (!Number.isInteger(pool) || pool < 0 || pool > 255) {
    throw new TypeError(`RTCConfiguration.iceCandidatePoolSize: ${pool} is not an integer in 0..255`);
  }
  const certificates = c.certificates ?? [];
  if (!Array.isArray(certificates) || certificates.some((x) => !(x instanceof RTCCertificate))) {
    throw new TypeError('RTCConfiguration.certificates must be an array of RTCCertificate');
  }
  if (previous) {
    // §4.4.1.6 steps: these members are fixed at construction.
    if (c.certificates !== undefined && (certificates.length !== previous.certificates.length ||
      certificates.some((x, i) => x !== previous.certificates[i]))) {
      throw invalidModification('setConfiguration: certificates cannot be changed after construction');
    }
    if (bundlePolicy !== previous.bundlePolicy) {
      throw invalidModification(`setConfiguration: bundlePolicy cannot change from "${previous.bundlePolicy}" to "${bundlePolicy}"`);
    }
    if (rtcpMuxPolicy !== previous.rtcpMuxPolicy) {
      throw invalidModification(`setConfiguration: rtcpMuxPolicy cannot change from "${previous.rtcpMuxPolicy}" to "${rtcpMuxPolicy}"`);
    }
    if (hasLocalDescription && pool !== previous.iceCandidatePoolSize) {
      throw invalidModification('setConfiguration: iceCandidatePoolSize cannot change after setLocalDescription');
    }
  } else {
    const now = Date.now();
    for (const cert of certificates) {
      if (cert.expires <= now) throw invalidAccess(`RTCConfiguration.certificates: certificate expired at ${new Date(cert.expires).toISOString()}`);
    }
  }
  const { iceServers, parsed } = validateIceServers(c.iceServers);
  const plpmtud: unknown = c.rivulet?.sctp?.plpmtud;
  if (plpmtud !== undefined && typeof plpmtud !== 'boolean') {
    throw new TypeError(`RTCConfiguration.rivulet.sctp.plpmtud must be a boolean, got ${JSON.stringify(plpmtud)}`);
  }
  const peerMax: unknown = c.rivulet?.sctp?.peerMaxDatagram;
  if (peerMax !== undefined && !(typeof peerMax === 'number' && Number.isInteger(peerMax) && peerMax >= 1200 && peerMax <= 65535)) {
    throw new TypeError(`RTCConfiguration.rivulet.sctp.peerMaxDatagram must be an integer in [1200, 65535], got ${JSON.stringify(peerMax)}`);
  }
  return {
    iceServers, iceTransportPolicy, bundlePolicy, rtcpMuxPolicy,
    certificates: previous ? previous.certificates : [...certificates],
    iceCandidatePoolSize: pool,
    rivulet: previous ? { ...previous.rivulet, ...(c.rivulet ?? {}) } : { ...(c.rivulet ?? {}) },
    servers: parsed,
  };
}

/** What getConfiguration() returns (a copy; the rivulet field is included as given). */
export function exportConfiguration(n: NormalizedConfiguration): RTCConfiguration {
  return {
    iceServers: n.iceServers.map((s) => ({ ...s, urls: Array.isArray(s.urls) ? [...s.urls] : s.urls })),
    iceTransportPolicy: n.iceTransportPolicy,
    bundlePolicy: n.bundlePolicy,
    rtcpMuxPolicy: n.rtcpMuxPolicy,
    certificates: [...n.certificates],
    iceCandidatePoolSize: n.iceCandidatePoolSize,
    rivulet: { ...n.rivulet },
  };
}

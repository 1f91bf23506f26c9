/** RTP attributes: rtpmap/fmtp (RFC 8866 §6), rtcp-fb (RFC 4585), extmap (RFC 8285), ssrc (RFC 5576), rtcp (RFC 3605). */
import { DIRECTIONS } from './model.js';
import type {
  Direction, ExtmapAttribute, FmtpAttribute, RtcpAttribute, RtcpFbAttribute, RtpmapAttribute, SsrcAttribute,
  SsrcGroupAttribute,
} from './model.js';
import { toUint, words } from './tokens.js';

export function parseRtpmap(v: string): RtpmapAttribute | undefined {
  const m = /^(\d{1,3}) ([^/\s]+)\/(\d+)(?:\/(\d+))?$/.exec(v);
  if (!m) return undefined;
  const payloadType = toUint(m[1], 127);
  if (payloadType === undefined) return undefined;
  const a: RtpmapAttribute = { name: 'rtpmap', payloadType, encodingName: m[2]!, clockRate: Number(m[3]) };
  if (m[4] !== undefined) a.channels = Number(m[4]);
  return a;
}

export function formatRtpmap(a: RtpmapAttribute): string {
  return `${a.payloadType} ${a.encodingName}/${a.clockRate}${a.channels !== undefined ? `/${a.channels}` : ''}`;
}

export function parseFmtp(v: string): FmtpAttribute | undefined {
  const m = /^(\d{1,3}) (.*)$/s.exec(v);
  const payloadType = toUint(m?.[1], 127);
  if (!m || payloadType === undefined) return undefined;
  return { name: 'fmtp', payloadType, parameters: m[2]! };
}

/**
 * fmtp parameters as an ordered map. Keys are lower-cased (RFC 6184 §8.1:
 * media type parameter names are case-insensitive); a bare token (e.g. Opus
 * "0-15" in telephone-event) maps to the empty-string key.
 */
export function parseFmtpParameters(parameters: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of parameters.split(';')) {
    const p = part.trim();
    if (!p) continue;
    const eq = p.indexOf('=');
    if (eq < 0) out.set('', p);
    else out.set(p.slice(0, eq).trim().toLowerCase(), p.slice(eq + 1).trim());
  }
  return out;
}

export function formatFmtpParameters(params: Map<string, string> | Record<string, string | number>): string {
  const entries = params instanceof Map ? [...params] : Object.entries(params);
  return entries.map(([k, v]) => (k === '' ? String(v) : `${k}=${v}`)).join(';');
}

export function parseRtcpFb(v: string): RtcpFbAttribute | undefined {
  const m = /^(\d{1,3}|\*) (\S+)(?: (.+))?$/.exec(v);
  if (!m) return undefined;
  const payloadType = m[1] === '*' ? '*' : toUint(m[1], 127);
  if (payloadType === undefined) return undefined;
  const a: RtcpFbAttribute = { name: 'rtcp-fb', payloadType, type: m[2]! };
  if (m[3] !== undefined) a.parameter = m[3];
  return a;
}

export function formatRtcpFb(a: RtcpFbAttribute): string {
  return `${a.payloadType} ${a.type}${a.parameter !== undefined ? ` ${a.parameter}` : ''}`;
}

/** RFC 8285 §8: extmap:<value>["/"<direction>] <URI> <extensionattributes>; ids 1-14 (one-byte) or 1-255 (two-byte). */
export function parseExtmap(v: string): ExtmapAttribute | undefined {
  const m = /^(\d{1,3})(?:\/(\w+))? (\S+)(?: (.+))?$/.exec(v);
  if (!m) return undefined;
  const id = toUint(m[1], 255);
  if (id === undefined || id === 0) return undefined;
  if (m[2] !== undefined && !DIRECTIONS.includes(m[2] as Direction)) return undefined;
  const a: ExtmapAttribute = { name: 'extmap', id, uri: m[3]! };
  if (m[2] !== undefined) a.direction = m[2] as Direction;
  if (m[4] !== undefined) a.extensionAttributes = m[4];
  return a;
}

export function formatExtmap(a: ExtmapAttribute): string {
  return `${a.id}${a.direction ? `/${a.direction}` : ''} ${a.uri}${a.extensionAttributes !== undefined ? ` ${a.extensionAttributes}` : ''}`;
}

export function parseSsrc(v: string): SsrcAttribute | undefined {
  const m = /^(\d{1,10}) ([^:\s]+)(?::(.*))?$/s.exec(v);
  const ssrc = toUint(m?.[1], 0xffffffff);
  if (!m || ssrc === undefined) return undefined;
  const a: SsrcAttribute = { name: 'ssrc', ssrc, attribute: m[2]! };
  if (m[3] !== undefined) a.value = m[3];
  return a;
}

export function formatSsrc(a: SsrcAttribute): string {
  return `${a.ssrc} ${a.attribute}${a.value !== undefined ? `:${a.value}` : ''}`;
}

export function parseSsrcGroup(v: string): SsrcGroupAttribute | undefined {
  const w = words(v);
  if (w.length < 1 || !w[0]) return undefined;
  const ssrcs: number[] = [];
  for (const s of w.slice(1)) {
    const n = toUint(s, 0xffffffff);
    if (n === undefined) return undefined;
    ssrcs.push(n);
  }
  return { name: 'ssrc-group', semantics: w[0], ssrcs };
}

export function parseRtcp(v: string): RtcpAttribute | undefined {
  const w = words(v);
  const port = toUint(w[0], 65535);
  if (port === undefined || (w.length !== 1 && w.length !== 4)) return undefined;
  if (w.length === 1) return { name: 'rtcp', port };
  return { name: 'rtcp', port, netType: w[1]!, addrType: w[2]!, address: w[3]! };
}

export function formatRtcp(a: RtcpAttribute): string {
  return a.netType !== undefined ? `${a.port} ${a.netType} ${a.addrType} ${a.address}` : `${a.port}`;
}

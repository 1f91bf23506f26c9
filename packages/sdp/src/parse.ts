/**
 * SDP text → SessionDescription (RFC 8866 §5). Accepts CRLF or bare LF line
 * ends (RFC 8866 §5: parsers SHOULD be tolerant). Structural errors (no v=,
 * an unparsable o=/m=/c= line) throw SdpParseError naming the line; a known
 * attribute with a malformed value is kept verbatim and counted under
 * 'malformed-attribute'; an unknown line type is skipped and counted under
 * 'unknown-line' (§5: "unknown types MUST be ignored").
 */
import type { Counters } from '@rivulet/common';
import { parseAttribute } from './attributes/codec.js';
import { toUint } from './attributes/tokens.js';
import type { Bandwidth, Connection, MediaDescription, SessionDescription } from './types.js';
import { SdpParseError } from './types.js';

export type SdpParseCounter = 'malformed-attribute' | 'unknown-line';

export interface ParseOptions {
  counters?: Counters<SdpParseCounter>;
}

export function parseSdp(text: string, options: ParseOptions = {}): SessionDescription {
  if (typeof text !== 'string') throw new TypeError(`parseSdp expects a string, got ${typeof text}`);
  const lines = text.split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const counters = options.counters;
  const onMalformed = () => counters?.inc('malformed-attribute');

  let session: SessionDescription | undefined;
  let media: MediaDescription | undefined;
  let n = 0;
  const fail = (msg: string, line: string): never => {
    throw new SdpParseError(msg, n, line);
  };

  for (const line of lines) {
    n++;
    if (line.length < 2 || line[1] !== '=') fail('expected "<type>=<value>"', line);
    const type = line[0]!;
    const value = line.slice(2);
    if (!session) {
      if (type !== 'v') fail('the first line must be v=', line);
      if (value !== '0') fail(`unsupported SDP version ${JSON.stringify(value)} (RFC 8866 §5.1: only 0)`, line);
      session = {
        version: 0,
        origin: { username: '-', sessionId: '0', sessionVersion: '0', netType: 'IN', addrType: 'IP4', address: '0.0.0.0' },
        sessionName: '-', emails: [], phones: [], bandwidths: [], timings: [], attributes: [], media: [],
      };
      continue;
    }
    if (type === 'm') {
      media = parseMediaLine(value) ?? fail('m= must be "<media> <port>[/<n>] <proto> <fmt>..."', line);
      session.media.push(media);
      continue;
    }
    if (type === 'a') {
      const colon = value.indexOf(':');
      const attr = colon < 0
        ? parseAttribute(value, undefined, onMalformed)
        : parseAttribute(value.slice(0, colon), value.slice(colon + 1), onMalformed);
      (media ?? session).attributes.push(attr);
      continue;
    }
    if (type === 'c') {
      const c = parseConnection(value) ?? fail('c= must be "<nettype> <addrtype> <address>"', line);
      if (media) media.connections.push(c);
      else session.connection = c;
      continue;
    }
    if (type === 'b') {
      const b = parseBandwidth(value) ?? fail('b= must be "<bwtype>:<bandwidth>"', line);
      (media ?? session).bandwidths.push(b);
      continue;
    }
    if (media) {
      if (type === 'i') media.information = value;
      else if (type === 'k') media.key = value;
      else counters?.inc('unknown-line');
      continue;
    }
    switch (type) {
      case 'o': {
        const w = value.split(' ');
        if (w.length !== 6) fail('o= must have 6 fields', line);
        session.origin = {
          username: w[0]!, sessionId: w[1]!, sessionVersion: w[2]!, netType: w[3]!, addrType: w[4]!, address: w[5]!,
        };
        break;
      }
      case 's': session.sessionName = value; break;
      case 'i': session.information = value; break;
      case 'u': session.uri = value; break;
      case 'e': session.emails.push(value); break;
      case 'p': session.phones.push(value); break;
      case 't': {
        const w = value.split(' ');
        if (w.length !== 2 || toUint(w[0]) === undefined || toUint(w[1]) === undefined) {
          fail('t= must be "<start> <stop>"', line);
        }
        session.timings.push({ start: w[0]!, stop: w[1]!, repeats: [] });
        break;
      }
      case 'r': {
        const t = session.timings[session.timings.length - 1] ?? fail('r= before any t=', line);
        t.repeats.push(value);
        break;
      }
      case 'z': session.timeZones = value; break;
      case 'k': session.key = value; break;
      default: counters?.inc('unknown-line');
    }
  }
  if (!session) throw new SdpParseError('empty description (RFC 8866 §5: v= is required)', 0, '');
  return session;
}

function parseMediaLine(value: string): MediaDescription | undefined {
  const m = /^(\S+) (\d+)(?:\/(\d+))? (\S+)((?: \S+)*)$/.exec(value);
  if (!m) return undefined;
  const port = toUint(m[2], 65535);
  if (port === undefined) return undefined;
  const md: MediaDescription = {
    kind: m[1]!, port, protocol: m[4]!, formats: m[5] ? m[5].trim().split(' ') : [],
    connections: [], bandwidths: [], attributes: [],
  };
  if (m[3] !== undefined) md.numberOfPorts = Number(m[3]);
  return md;
}

function parseConnection(value: string): Connection | undefined {
  const w = value.split(' ');
  if (w.length !== 3 || !w[0] || !w[1] || !w[2]) return undefined;
  return { netType: w[0], addrType: w[1], address: w[2] };
}

function parseBandwidth(value: string): Bandwidth | undefined {
  const m = /^([A-Za-z0-9_-]+):(\d+)$/.exec(value);
  if (!m) return undefined;
  return { type: m[1]!, value: Number(m[2]) };
}

/**
 * One place that turns `a=name[:value]` into a typed Attribute and back.
 * A known attribute whose value does not parse is kept verbatim as an
 * UnknownAttribute and reported through `onMalformed`, so a round trip stays
 * lossless and the caller can count it.
 */
import { DIRECTIONS, FLAG_NAMES, isUnknown } from './model.js';
import type { Attribute, Direction, FlagAttribute, KnownAttribute } from './model.js';
import {
  formatCandidate, parseCandidate, parseFingerprint, parseIceOptions, parseIcePwd, parseIceUfrag,
  parseMaxMessageSize, parseSctpPort, parseSetup,
} from './ice.js';
import {
  formatExtmap, formatRtcp, formatRtcpFb, formatRtpmap, formatSsrc, parseExtmap, parseFmtp, parseRtcp, parseRtcpFb,
  parseRtpmap, parseSsrc, parseSsrcGroup,
} from './rtp.js';
import { formatRtcpXr, parseRtcpXr } from './rtcpXr.js';
import { formatRid, formatSimulcast, parseRid, parseSimulcast } from './simulcast.js';
import { words } from './tokens.js';

type ValueParser = (value: string) => KnownAttribute | undefined;

const PARSERS: Record<string, ValueParser> = {
  group: (v) => {
    const w = words(v);
    return w[0] ? { name: 'group', semantics: w[0], mids: w.slice(1) } : undefined;
  },
  'msid-semantic': (v) => {
    const spaceAfterColon = v.startsWith(' ');
    const w = words(v.trimStart());
    return w[0] ? { name: 'msid-semantic', semantic: w[0], identifiers: w.slice(1), spaceAfterColon } : undefined;
  },
  // RFC 8830 §2: msid-value = msid-id [ SP msid-appdata ]
  msid: (v) => {
    const w = words(v);
    if (!w[0] || w.length > 2) return undefined;
    return w.length === 2 ? { name: 'msid', streamId: w[0], appData: w[1]! } : { name: 'msid', streamId: w[0] };
  },
  mid: (v) => (v.length > 0 && !/\s/.test(v) ? { name: 'mid', mid: v } : undefined),
  rtcp: parseRtcp,
  rtpmap: parseRtpmap,
  fmtp: parseFmtp,
  'rtcp-fb': parseRtcpFb,
  extmap: parseExtmap,
  ssrc: parseSsrc,
  'ssrc-group': parseSsrcGroup,
  rid: parseRid,
  simulcast: parseSimulcast,
  'ice-ufrag': parseIceUfrag,
  'ice-pwd': parseIcePwd,
  'ice-options': parseIceOptions,
  candidate: parseCandidate,
  fingerprint: parseFingerprint,
  setup: parseSetup,
  'sctp-port': parseSctpPort,
  'max-message-size': parseMaxMessageSize,
  'rtcp-xr': parseRtcpXr,
};

export function parseAttribute(
  name: string,
  value: string | undefined,
  onMalformed?: (name: string, value: string | undefined) => void,
): Attribute {
  if (value === undefined) {
    if (DIRECTIONS.includes(name as Direction)) return { name: name as Direction };
    if (FLAG_NAMES.includes(name as FlagAttribute['name'])) return { name: name as FlagAttribute['name'] };
    if (name === 'rtcp-xr') return { name, formats: [] }; // RFC 3611 §5.1, errata 3795: no colon, no formats
    if (PARSERS[name]) onMalformed?.(name, value);
    return { name, unknown: true };
  }
  const parser = PARSERS[name];
  if (parser) {
    const parsed = parser(value);
    if (parsed) return parsed;
    onMalformed?.(name, value);
  }
  return { name, value, unknown: true };
}

/** The value after `a=name:`, or undefined for a property attribute. */
export function formatAttributeValue(a: Attribute): string | undefined {
  if (isUnknown(a)) return a.value;
  switch (a.name) {
    case 'group': return [a.semantics, ...a.mids].join(' ');
    case 'msid-semantic': return (a.spaceAfterColon ? ' ' : '') + [a.semantic, ...a.identifiers].join(' ');
    case 'msid': return a.appData !== undefined ? `${a.streamId} ${a.appData}` : a.streamId;
    case 'mid': return a.mid;
    case 'rtcp': return formatRtcp(a);
    case 'rtpmap': return formatRtpmap(a);
    case 'fmtp': return `${a.payloadType} ${a.parameters}`;
    case 'rtcp-fb': return formatRtcpFb(a);
    case 'extmap': return formatExtmap(a);
    case 'ssrc': return formatSsrc(a);
    case 'ssrc-group': return [a.semantics, ...a.ssrcs].join(' ');
    case 'rid': return formatRid(a);
    case 'simulcast': return formatSimulcast(a);
    case 'ice-ufrag': return a.ufrag;
    case 'ice-pwd': return a.password;
    case 'ice-options': return a.options.join(' ');
    case 'candidate': return formatCandidate(a);
    case 'fingerprint': return `${a.algorithm} ${a.value}`;
    case 'setup': return a.role;
    case 'sctp-port': return String(a.port);
    case 'max-message-size': return String(a.size);
    case 'rtcp-xr': return formatRtcpXr(a);
    default: return undefined; // directions and flags have no value
  }
}

/** The full attribute line without the `a=` prefix. */
export function formatAttribute(a: Attribute): string {
  const v = formatAttributeValue(a);
  return v === undefined ? a.name : `${a.name}:${v}`;
}

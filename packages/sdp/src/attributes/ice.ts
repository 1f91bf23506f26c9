/** ICE, DTLS and SCTP transport attributes: RFC 8839, RFC 8122, RFC 8842, RFC 8841. */
import type {
  CandidateAttribute, FingerprintAttribute, IceOptionsAttribute, IcePwdAttribute, IceUfragAttribute,
  MaxMessageSizeAttribute, SctpPortAttribute, SetupAttribute,
} from './model.js';
import { toUint, words } from './tokens.js';

/**
 * RFC 8839 §5.1: foundation component transport priority address port "typ" type
 * [raddr a rport p] *(extension-name SP extension-value). tcptype (RFC 6544 §4.5)
 * is modelled as its own field because ICE needs it.
 */
export function parseCandidate(value: string): CandidateAttribute | undefined {
  const w = value.trim().split(/\s+/);
  if (w.length < 8 || w[6] !== 'typ') return undefined;
  const component = toUint(w[1], 256);
  const priority = toUint(w[3], 0xffffffff);
  const port = toUint(w[5], 65535);
  if (component === undefined || priority === undefined || port === undefined) return undefined;
  if (!w[0] || !w[2] || !w[4] || !w[7]) return undefined;
  const c: CandidateAttribute = {
    name: 'candidate', foundation: w[0], component, transport: w[2], priority, address: w[4], port, type: w[7],
    extensions: [],
  };
  let i = 8;
  if (w[i] === 'raddr' && w[i + 1] !== undefined) { c.relatedAddress = w[i + 1]; i += 2; }
  if (w[i] === 'rport' && w[i + 1] !== undefined) {
    const rp = toUint(w[i + 1], 65535);
    if (rp === undefined) return undefined;
    c.relatedPort = rp;
    i += 2;
  }
  if (w[i] === 'tcptype' && w[i + 1] !== undefined) { c.tcpType = w[i + 1]; i += 2; }
  // Extensions come in name/value pairs; an odd trailing word is malformed.
  if ((w.length - i) % 2 !== 0) return undefined;
  for (; i < w.length; i += 2) c.extensions.push([w[i]!, w[i + 1]!]);
  return c;
}

export function formatCandidate(c: CandidateAttribute): string {
  let s = `${c.foundation} ${c.component} ${c.transport} ${c.priority} ${c.address} ${c.port} typ ${c.type}`;
  if (c.relatedAddress !== undefined) s += ` raddr ${c.relatedAddress}`;
  if (c.relatedPort !== undefined) s += ` rport ${c.relatedPort}`;
  if (c.tcpType !== undefined) s += ` tcptype ${c.tcpType}`;
  for (const [k, v] of c.extensions) s += ` ${k} ${v}`;
  return s;
}

export function parseIceUfrag(v: string): IceUfragAttribute | undefined {
  return v.length > 0 && !/\s/.test(v) ? { name: 'ice-ufrag', ufrag: v } : undefined;
}
export function parseIcePwd(v: string): IcePwdAttribute | undefined {
  return v.length > 0 && !/\s/.test(v) ? { name: 'ice-pwd', password: v } : undefined;
}
export function parseIceOptions(v: string): IceOptionsAttribute | undefined {
  return v.length > 0 ? { name: 'ice-options', options: words(v) } : undefined;
}

/** RFC 8122 §5: hash-func SP fingerprint (upper-case hex pairs joined by ':'). */
export function parseFingerprint(v: string): FingerprintAttribute | undefined {
  const w = words(v);
  if (w.length !== 2 || !/^([0-9A-Fa-f]{2})(:[0-9A-Fa-f]{2})*$/.test(w[1]!)) return undefined;
  return { name: 'fingerprint', algorithm: w[0]!, value: w[1]! };
}

export function parseSetup(v: string): SetupAttribute | undefined {
  return v === 'actpass' || v === 'active' || v === 'passive' || v === 'holdconn' ? { name: 'setup', role: v } : undefined;
}

export function parseSctpPort(v: string): SctpPortAttribute | undefined {
  const port = toUint(v, 65535);
  return port === undefined ? undefined : { name: 'sctp-port', port };
}

export function parseMaxMessageSize(v: string): MaxMessageSizeAttribute | undefined {
  const size = toUint(v);
  return size === undefined ? undefined : { name: 'max-message-size', size };
}

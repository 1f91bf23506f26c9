/**
 * Writers for the m-sections of our offers and answers (RFC 8829 §5.2.1,
 * §5.3.1): transport attributes (ICE, DTLS, candidates), RTP sections with
 * codecs, extensions, msid, ssrc and simulcast, SCTP sections, and
 * rejected sections.
 */
import type { Attribute, Direction, MediaDescription, SimulcastAttribute } from '@rivulet/sdp';
import { parseAttribute } from '@rivulet/sdp';
import type { NegotiatedCodec, NegotiatedExtension } from './codecNegotiation.js';
import { rcvrRttAttribute } from './rtcpXr.js';

export const RTP_PROTOCOL = 'UDP/TLS/RTP/SAVPF';
export const SCTP_PROTOCOL = 'UDP/DTLS/SCTP';
/** RFC 8841 §5: the SCTP port we use (the browsers' value). */
export const SCTP_PORT = 5000;
/** RFC 8841 §6: the largest message we accept. */
export const LOCAL_MAX_MESSAGE_SIZE = 262144;

export interface TransportAttributes {
  ufrag: string;
  pwd: string;
  fingerprints: { algorithm: string; value: string }[];
  setup: 'actpass' | 'active' | 'passive';
  /** Candidate lines without "candidate:" prefix handling: the full "candidate:..." value is built here. */
  candidates: string[];
  endOfCandidates: boolean;
}

const DISCARD_PORT = 9; // RFC 8829 §5.2.1: port 9 with c=IN IP4 0.0.0.0 before candidates are known

function transportAttrs(t: TransportAttributes): Attribute[] {
  const out: Attribute[] = [];
  for (const c of t.candidates) out.push(parseAttribute('candidate', c));
  if (t.endOfCandidates) out.push({ name: 'end-of-candidates' });
  out.push({ name: 'ice-ufrag', ufrag: t.ufrag }, { name: 'ice-pwd', password: t.pwd }, { name: 'ice-options', options: ['trickle'] });
  for (const f of t.fingerprints) out.push({ name: 'fingerprint', algorithm: f.algorithm, value: f.value });
  out.push({ name: 'setup', role: t.setup });
  return out;
}

function baseSection(kind: string, protocol: string, formats: string[]): MediaDescription {
  return {
    kind, port: DISCARD_PORT, protocol, formats,
    connections: [{ netType: 'IN', addrType: 'IP4', address: '0.0.0.0' }], bandwidths: [], attributes: [],
  };
}

export interface RtpSectionOptions {
  kind: 'audio' | 'video';
  mid: string;
  direction: Direction;
  codecs: NegotiatedCodec[];
  extensions: NegotiatedExtension[];
  /** msid lines: one per stream id ("-" when none, RFC 8830 §2), null for none. */
  msid: { streamIds: string[]; trackId: string } | null;
  /** Sending SSRCs (no simulcast): writes ssrc-group:FID and cname/msid lines (RFC 5576). */
  ssrcs: { ssrc: number; rtxSsrc: number | undefined }[];
  cname: string;
  rids: { id: string; direction: 'send' | 'recv' }[];
  simulcast: SimulcastAttribute | null;
  rtcpRsize: boolean;
  transport: TransportAttributes;
}

export function writeRtpSection(o: RtpSectionOptions): MediaDescription {
  const formats: string[] = [];
  for (const c of o.codecs) {
    formats.push(String(c.payloadType));
    if (c.rtxPayloadType !== undefined) formats.push(String(c.rtxPayloadType));
  }
  const m = baseSection(o.kind, RTP_PROTOCOL, formats);
  const a = m.attributes;
  a.push({ name: 'rtcp', port: DISCARD_PORT, netType: 'IN', addrType: 'IP4', address: '0.0.0.0' });
  a.push(...transportAttrs(o.transport));
  a.push({ name: 'mid', mid: o.mid });
  for (const e of o.extensions) a.push({ name: 'extmap', id: e.id, uri: e.uri });
  a.push({ name: o.direction });
  if (o.msid) {
    const ids = o.msid.streamIds.length > 0 ? o.msid.streamIds : ['-'];
    for (const id of ids) a.push({ name: 'msid', streamId: id, appData: o.msid.trackId });
  }
  a.push({ name: 'rtcp-mux' });
  if (o.rtcpRsize) a.push({ name: 'rtcp-rsize' });
  a.push(rcvrRttAttribute()); // RFC 3611 §5.1, where Chromium writes it (jsep/rtcpXr.ts)
  for (const c of o.codecs) {
    const rtpmap: Attribute = { name: 'rtpmap', payloadType: c.payloadType, encodingName: c.name, clockRate: c.clockRate };
    if (c.channels !== undefined && c.channels !== 1) rtpmap.channels = c.channels;
    a.push(rtpmap);
    for (const f of c.rtcpFeedback) {
      a.push(f.parameter !== undefined
        ? { name: 'rtcp-fb', payloadType: c.payloadType, type: f.type, parameter: f.parameter }
        : { name: 'rtcp-fb', payloadType: c.payloadType, type: f.type });
    }
    if (c.fmtp) a.push({ name: 'fmtp', payloadType: c.payloadType, parameters: c.fmtp });
    if (c.rtxPayloadType !== undefined) {
      a.push({ name: 'rtpmap', payloadType: c.rtxPayloadType, encodingName: 'rtx', clockRate: c.clockRate });
      a.push({ name: 'fmtp', payloadType: c.rtxPayloadType, parameters: `apt=${c.payloadType}` });
    }
  }
  for (const r of o.rids) a.push({ name: 'rid', id: r.id, direction: r.direction });
  if (o.simulcast) a.push(o.simulcast);
  const streamLine = o.msid ? `${o.msid.streamIds[0] ?? '-'} ${o.msid.trackId}` : undefined;
  for (const s of o.ssrcs) {
    if (s.rtxSsrc !== undefined) a.push({ name: 'ssrc-group', semantics: 'FID', ssrcs: [s.ssrc, s.rtxSsrc] });
    for (const ssrc of s.rtxSsrc !== undefined ? [s.ssrc, s.rtxSsrc] : [s.ssrc]) {
      a.push({ name: 'ssrc', ssrc, attribute: 'cname', value: o.cname });
      if (streamLine) a.push({ name: 'ssrc', ssrc, attribute: 'msid', value: streamLine });
    }
  }
  return m;
}

export function writeDataSection(mid: string, transport: TransportAttributes): MediaDescription {
  const m = baseSection('application', SCTP_PROTOCOL, ['webrtc-datachannel']);
  m.attributes.push(...transportAttrs(transport));
  m.attributes.push({ name: 'mid', mid });
  m.attributes.push({ name: 'sctp-port', port: SCTP_PORT });
  m.attributes.push({ name: 'max-message-size', size: LOCAL_MAX_MESSAGE_SIZE });
  return m;
}

/** RFC 8829 §5.2.2 / §5.3.1: a rejected section keeps kind, protocol and mid, with port 0. */
export function writeRejectedSection(kind: string, protocol: string, formats: string[], mid: string | null): MediaDescription {
  const m = baseSection(kind, protocol, formats.length > 0 ? formats : kind === 'application' ? ['webrtc-datachannel'] : ['0']);
  m.port = 0;
  if (mid !== null) m.attributes.push({ name: 'mid', mid });
  if (protocol !== SCTP_PROTOCOL) m.attributes.push({ name: 'inactive' });
  return m;
}

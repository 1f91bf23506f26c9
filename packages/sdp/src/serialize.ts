/**
 * SessionDescription → SDP text, in the line order RFC 8866 §5 requires
 * (v o s i u e p c b t r z k a, then per media m i c b k a), CRLF-terminated.
 * Attributes are written in list order, so parse → serialize is lossless for
 * any description that already followed that order.
 */
import { formatAttribute } from './attributes/codec.js';
import type { Bandwidth, Connection, MediaDescription, SessionDescription } from './types.js';

const CRLF = '\r\n';

export function serializeSdp(sdp: SessionDescription): string {
  const out: string[] = [];
  const o = sdp.origin;
  out.push(`v=${sdp.version}`);
  out.push(`o=${o.username} ${o.sessionId} ${o.sessionVersion} ${o.netType} ${o.addrType} ${o.address}`);
  out.push(`s=${sdp.sessionName}`);
  if (sdp.information !== undefined) out.push(`i=${sdp.information}`);
  if (sdp.uri !== undefined) out.push(`u=${sdp.uri}`);
  for (const e of sdp.emails) out.push(`e=${e}`);
  for (const p of sdp.phones) out.push(`p=${p}`);
  if (sdp.connection) out.push(connectionLine(sdp.connection));
  for (const b of sdp.bandwidths) out.push(bandwidthLine(b));
  // RFC 8866 §5.9: at least one t= line; "t=0 0" for an unbounded session.
  const timings = sdp.timings.length > 0 ? sdp.timings : [{ start: '0', stop: '0', repeats: [] }];
  for (const t of timings) {
    out.push(`t=${t.start} ${t.stop}`);
    for (const r of t.repeats) out.push(`r=${r}`);
  }
  if (sdp.timeZones !== undefined) out.push(`z=${sdp.timeZones}`);
  if (sdp.key !== undefined) out.push(`k=${sdp.key}`);
  for (const a of sdp.attributes) out.push(`a=${formatAttribute(a)}`);
  for (const m of sdp.media) serializeMedia(m, out);
  return out.join(CRLF) + CRLF;
}

function serializeMedia(m: MediaDescription, out: string[]): void {
  const port = m.numberOfPorts !== undefined ? `${m.port}/${m.numberOfPorts}` : `${m.port}`;
  out.push(`m=${m.kind} ${port} ${m.protocol}${m.formats.map((f) => ` ${f}`).join('')}`);
  if (m.information !== undefined) out.push(`i=${m.information}`);
  for (const c of m.connections) out.push(connectionLine(c));
  for (const b of m.bandwidths) out.push(bandwidthLine(b));
  if (m.key !== undefined) out.push(`k=${m.key}`);
  for (const a of m.attributes) out.push(`a=${formatAttribute(a)}`);
}

function connectionLine(c: Connection): string {
  return `c=${c.netType} ${c.addrType} ${c.address}`;
}

function bandwidthLine(b: Bandwidth): string {
  return `b=${b.type}:${b.value}`;
}

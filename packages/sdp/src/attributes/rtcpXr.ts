/**
 * a=rtcp-xr (RFC 3611 §5.1): which RTCP Extended Report blocks a participant intends to use.
 *
 *   rtcp-xr-attrib = "a=" "rtcp-xr" [":" xr-format *(SP xr-format)]   (errata 3795: the colon
 *                                                                     belongs to the optional part)
 *   rcvr-rtt       = "rcvr-rtt" "=" rcvr-rtt-mode [":" max-size]
 *   rcvr-rtt-mode  = "all" / "sender"
 *
 * Every other xr-format (pkt-loss-rle[=max-size], stat-summary=loss,jitt, voip-metrics, format-ext
 * from later RFCs) is kept as name and value, as written, so it round-trips.
 */
import { isUnknown, type Attribute, type RtcpXrAttribute, type RtcpXrFormat } from './model.js';

/** The value after "rtcp-xr:"; undefined when it is not one or more SP-separated xr-formats. */
export function parseRtcpXr(v: string): RtcpXrAttribute | undefined {
  const formats: RtcpXrFormat[] = [];
  for (const word of v.split(' ')) {
    if (!/^[\x21-\x7e]+$/.test(word)) return undefined; // empty (double space) or non-printable
    const eq = word.indexOf('=');
    const f: RtcpXrFormat = eq < 0 ? { name: word } : { name: word.slice(0, eq), value: word.slice(eq + 1) };
    if (f.name === '') return undefined;
    // rcvr-rtt has a mandatory mode and an optional max-size (RFC 3611 §5.1).
    if (f.name === 'rcvr-rtt' && !/^(all|sender)(:\d{1,10})?$/.test(f.value ?? '')) return undefined;
    formats.push(f);
  }
  return { name: 'rtcp-xr', formats };
}

/** The value to write after "rtcp-xr:", or undefined for a bare "a=rtcp-xr" (no formats). */
export function formatRtcpXr(a: RtcpXrAttribute): string | undefined {
  if (a.formats.length === 0) return undefined;
  return a.formats.map((f) => (f.value === undefined ? f.name : `${f.name}=${f.value}`)).join(' ');
}

/** The rcvr-rtt-mode announced in `attrs` (RFC 3611 §5.1), or undefined when no a=rtcp-xr there lists rcvr-rtt. */
export function getRcvrRttMode(attrs: readonly Attribute[]): 'all' | 'sender' | undefined {
  for (const a of attrs) {
    if (a.name !== 'rtcp-xr' || isUnknown(a)) continue;
    const f = (a as RtcpXrAttribute).formats.find((x) => x.name === 'rcvr-rtt');
    if (f?.value !== undefined) return f.value.startsWith('all') ? 'all' : 'sender';
  }
  return undefined;
}

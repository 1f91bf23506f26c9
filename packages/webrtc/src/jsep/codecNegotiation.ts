/**
 * Codec and header-extension lists for offers and answers (RFC 8829
 * §5.2.1, §5.3.1): matched on parameters (codecsMatch), RTX paired with its
 * codec through apt (RFC 4588 §8.1), payload types kept stable across
 * renegotiation and reused from the offer in answers.
 */
import { codecsMatch, parseFmtpParameters, type SdpRtpCodec } from '@rivulet/sdp';
import { HEADER_EXTENSIONS, localCodecs, type LocalCodec, type RTCRtcpFeedback, type RTCRtpCodec } from './capabilities.js';

export interface NegotiatedCodec {
  payloadType: number;
  name: string;
  mimeType: string;
  clockRate: number;
  channels?: number;
  fmtp: string;
  rtcpFeedback: RTCRtcpFeedback[];
  rtxPayloadType?: number;
}

export interface NegotiatedExtension {
  id: number;
  uri: string;
}

const DYNAMIC_PTS = [...Array.from({ length: 32 }, (_, i) => 96 + i), ...Array.from({ length: 29 }, (_, i) => 35 + i)];

function asCodecLike(c: { mimeType: string; clockRate: number; channels?: number; sdpFmtpLine?: string; fmtp?: string }) {
  const like: { mimeType: string; clockRate: number; channels?: number; parameters: Map<string, string> } = {
    mimeType: c.mimeType, clockRate: c.clockRate, parameters: parseFmtpParameters(c.sdpFmtpLine ?? c.fmtp ?? ''),
  };
  if (c.channels !== undefined) like.channels = c.channels;
  return like;
}

/** Our codecs for a kind, filtered/ordered by setCodecPreferences when set. */
export function preferredLocalCodecs(kind: 'audio' | 'video', prefs: readonly RTCRtpCodec[]): { codecs: LocalCodec[]; rtx: boolean } {
  const all = localCodecs(kind);
  if (prefs.length === 0) return { codecs: [...all], rtx: kind === 'video' };
  const out: LocalCodec[] = [];
  for (const p of prefs) {
    const m = all.find((c) => !out.includes(c) && codecsMatch(asCodecLike(c), asCodecLike(p)) && (c.sdpFmtpLine ?? '') === (p.sdpFmtpLine ?? ''));
    if (m) out.push(m);
  }
  return { codecs: out, rtx: prefs.some((p) => p.mimeType.toLowerCase().endsWith('/rtx')) };
}

/**
 * Codecs for an offer m-section. `previous` is the remote's codec list for
 * this mid from the last negotiation: matching codecs keep those payload types.
 */
export function offerCodecs(
  kind: 'audio' | 'video',
  prefs: readonly RTCRtpCodec[],
  previous: readonly SdpRtpCodec[] = [],
  avoid: ReadonlySet<number> = new Set(),
): NegotiatedCodec[] {
  const { codecs, rtx } = preferredLocalCodecs(kind, prefs);
  // RFC 8843 §9.1.1: inside a BUNDLE group a payload type must not mean two different codecs, so
  // the types other-kind sections use (ours or the peer's) are never handed out here.
  const used = new Set<number>(avoid);
  const out: NegotiatedCodec[] = [];
  const take = (preferred: number | undefined): number => {
    if (preferred !== undefined && !used.has(preferred)) {
      used.add(preferred);
      return preferred;
    }
    const free = DYNAMIC_PTS.find((pt) => !used.has(pt) && !codecs.some((c) => c.preferredPayloadType === pt || c.rtxPayloadType === pt));
    const pt = free ?? DYNAMIC_PTS.find((x) => !used.has(x))!;
    used.add(pt);
    return pt;
  };
  // Reserve payload types already agreed, so new codecs never collide with them.
  const prevFor = new Map<LocalCodec, SdpRtpCodec>();
  for (const c of codecs) {
    const p = previous.find((x) => codecsMatch(asCodecLike(c), x));
    if (p) {
      used.delete(p.payloadType);
      prevFor.set(c, p);
      used.add(p.payloadType);
    }
  }
  for (const c of codecs) {
    const p = prevFor.get(c);
    const pt = p ? p.payloadType : take(c.preferredPayloadType);
    const n: NegotiatedCodec = {
      payloadType: pt, name: c.mimeType.split('/')[1]!, mimeType: c.mimeType, clockRate: c.clockRate,
      fmtp: c.sdpFmtpLine ?? '', rtcpFeedback: c.rtcpFeedback.map((f) => ({ ...f })),
    };
    if (c.channels !== undefined && kind === 'audio') n.channels = c.channels;
    if (rtx && c.rtxPayloadType !== undefined) {
      const prevRtx = p ? previous.find((x) => x.name.toLowerCase() === 'rtx' && x.parameters.get('apt') === String(p.payloadType)) : undefined;
      n.rtxPayloadType = prevRtx ? prevRtx.payloadType : take(c.rtxPayloadType);
      used.add(n.rtxPayloadType);
    }
    out.push(n);
  }
  return out;
}

/**
 * Codecs for an answer: the offered codecs we also support, with the
 * offerer's payload types and fmtp, in the offer's order (or our
 * setCodecPreferences order), each with its offered RTX when we do RTX.
 */
export function answerCodecs(kind: 'audio' | 'video', prefs: readonly RTCRtpCodec[], offered: readonly SdpRtpCodec[]): NegotiatedCodec[] {
  const { codecs, rtx } = preferredLocalCodecs(kind, prefs);
  const pairs: { offered: SdpRtpCodec; local: LocalCodec }[] = [];
  for (const o of offered) {
    if (/^(rtx|red|ulpfec|flexfec-03)$/i.test(o.name)) continue;
    const local = codecs.find((c) => codecsMatch(asCodecLike(c), o));
    if (local) pairs.push({ offered: o, local });
  }
  if (prefs.length > 0) pairs.sort((a, b) => codecs.indexOf(a.local) - codecs.indexOf(b.local));
  return pairs.map(({ offered: o, local }) => {
    const ours = new Set(local.rtcpFeedback.map((f) => `${f.type} ${f.parameter ?? ''}`));
    const n: NegotiatedCodec = {
      payloadType: o.payloadType, name: o.name, mimeType: `${kind}/${o.name}`, clockRate: o.clockRate, fmtp: o.fmtp,
      rtcpFeedback: o.rtcpFeedback.filter((f) => ours.has(`${f.type} ${f.parameter ?? ''}`)).map((f) => ({ ...f })),
    };
    if (o.channels !== undefined) n.channels = o.channels;
    if (rtx && local.rtxPayloadType !== undefined) {
      const r = offered.find((x) => x.name.toLowerCase() === 'rtx' && x.parameters.get('apt') === String(o.payloadType));
      if (r) n.rtxPayloadType = r.payloadType;
    }
    return n;
  });
}

/** Codecs of a remote answer/offer section that we can use, as NegotiatedCodec (for senders/receivers). */
export function remoteCodecs(kind: 'audio' | 'video', remote: readonly SdpRtpCodec[]): NegotiatedCodec[] {
  return answerCodecs(kind, [], remote);
}

/**
 * Extensions for an offer: ours for the kind. Inside a BUNDLE group a URI must keep one id and an id
 * must not name two URIs (RFC 8843 §9.2, RFC 8285 §6), so `bundle` (URI → id already used by any
 * section, ours or the peer's) wins; a new URI takes our preferred id if it is free, else the next
 * free one-byte id (1-14). `bundle` is updated with what we choose.
 */
export function offerExtensions(kind: 'audio' | 'video', previous: readonly NegotiatedExtension[] = [], bundle: Map<string, number> = new Map()): NegotiatedExtension[] {
  for (const p of previous) if (!bundle.has(p.uri)) bundle.set(p.uri, p.id);
  const out: NegotiatedExtension[] = [];
  for (const h of HEADER_EXTENSIONS) {
    if (!h.kinds.includes(kind)) continue;
    let id = bundle.get(h.uri);
    if (id === undefined) {
      const used = new Set(bundle.values());
      id = !used.has(h.id) ? h.id : Array.from({ length: 14 }, (_, i) => i + 1).find((x) => !used.has(x));
      if (id === undefined) continue; // no id left: leave this extension out
      bundle.set(h.uri, id);
    }
    out.push({ id, uri: h.uri });
  }
  return out;
}

/** Extensions for an answer: the offered ones we support, with the offered ids (RFC 8285 §6). */
export function answerExtensions(kind: 'audio' | 'video', offered: readonly NegotiatedExtension[]): NegotiatedExtension[] {
  return offered.filter((o) => HEADER_EXTENSIONS.some((h) => h.uri === o.uri && h.kinds.includes(kind))).map((o) => ({ id: o.id, uri: o.uri }));
}

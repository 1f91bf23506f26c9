/**
 * createOffer (RFC 8829 §5.2): m-sections keep their positions from earlier
 * negotiations; stopping transceivers are rejected (port 0); a new
 * transceiver reuses a slot that is rejected on both sides (m-line
 * recycling, §5.2.2) or is appended; the data section is appended once a
 * data channel exists.
 */
import { isRejected } from './rejected.js';
import { findAttributes, getMid, getRtpCodecs, type MediaDescription, type SdpRtpCodec } from '@rivulet/sdp';
import type { PeerState } from '../pc/state.js';
import type { RTCRtpTransceiver } from '../transceiver/RTCRtpTransceiver.js';
import { offerCodecs, offerExtensions, type NegotiatedExtension } from './codecNegotiation.js';
import { allocateMid, localTransportAttributes } from './localTransport.js';
import { effectiveCodecPreferences } from './sourceCodec.js';
import { senderParts } from './senderSection.js';
import { buildSession } from './session.js';
import { writeDataSection, writeRejectedSection, writeRtpSection, type TransportAttributes } from './sections.js';
import { senderInternals } from '../transceiver/RTCRtpSender.js';

type Slot = { kind: 'transceiver'; t: RTCRtpTransceiver } | { kind: 'data' } | { kind: 'free'; prev: MediaDescription | undefined };

/** The remote section last negotiated for a mid (its codecs/extensions keep their numbers). */
function previousRemote(st: PeerState, mid: string | null): MediaDescription | undefined {
  if (mid === null) return undefined;
  return st.currentRemote?.sdp.media.find((m) => getMid(m) === mid);
}

function slotCount(st: PeerState): number {
  return Math.max(0, ...[st.currentLocal, st.pendingLocal, st.currentRemote, st.pendingRemote].map((d) => d?.sdp.media.length ?? 0));
}

function previousSection(st: PeerState, i: number): MediaDescription | undefined {
  return st.currentLocal?.sdp.media[i] ?? st.currentRemote?.sdp.media[i] ?? st.pendingLocal?.sdp.media[i] ?? st.pendingRemote?.sdp.media[i];
}

export function buildOffer(st: PeerState): { sdp: ReturnType<typeof buildSession>; proposals: Map<RTCRtpTransceiver, string> } {
  const transport = localTransportAttributes(st, 'actpass');
  const slots: Slot[] = [];
  const n = slotCount(st);
  for (let i = 0; i < n; i++) {
    const t = st.transceivers.find((x) => st.transceiverState(x).mLineIndex === i);
    if (t) slots.push({ kind: 'transceiver', t });
    else if (st.dataMLineIndex === i) slots.push({ kind: 'data' });
    else slots.push({ kind: 'free', prev: previousSection(st, i) });
  }
  // New transceivers: recycle a free slot (rejected in both current descriptions) or append.
  for (const t of st.transceivers) {
    const s = st.transceiverState(t);
    if (s.mLineIndex !== null || s.stopping) continue;
    const free = slots.findIndex((x) => x.kind === 'free' && x.prev !== undefined && isRejected(x.prev));
    if (free >= 0) slots[free] = { kind: 'transceiver', t };
    else slots.push({ kind: 'transceiver', t });
  }
  if (st.dataMLineIndex === null && st.dataChannelRequested) slots.push({ kind: 'data' });

  // RFC 8843 §9.2: one URI ↔ id mapping across the whole BUNDLE group, including the peer's choices.
  const bundleExtensions = new Map<string, number>();
  for (const d of [st.currentRemote, st.pendingRemote, st.currentLocal, st.pendingLocal]) {
    for (const m of d?.sdp.media ?? []) {
      for (const e of findAttributes(m.attributes, 'extmap')) if (!bundleExtensions.has(e.uri)) bundleExtensions.set(e.uri, e.id);
    }
  }
  const ptsByKind = new Map<string, Set<number>>();
  for (const d of [st.currentRemote, st.pendingRemote, st.currentLocal, st.pendingLocal]) {
    for (const m of d?.sdp.media ?? []) {
      if (m.kind !== 'audio' && m.kind !== 'video') continue;
      const set = ptsByKind.get(m.kind) ?? ptsByKind.set(m.kind, new Set()).get(m.kind)!;
      for (const f of m.formats) if (/^\d+$/.test(f)) set.add(Number(f));
    }
  }
  const otherKindPts = (kind: string) => new Set([...ptsByKind].filter(([k]) => k !== kind).flatMap(([, v]) => [...v]));
  const proposals = new Map<RTCRtpTransceiver, string>();
  const media: MediaDescription[] = [];
  const bundleMids: string[] = [];
  const streamIds = new Set<string>();
  for (const slot of slots) {
    if (slot.kind === 'free') {
      const p = slot.prev!;
      media.push(writeRejectedSection(p.kind, p.protocol, p.formats, getMid(p) ?? null));
      continue;
    }
    if (slot.kind === 'data') {
      const mid = st.dataMid ?? (st.dataProposedMid ??= allocateMid(st));
      media.push(writeDataSection(mid, transport));
      bundleMids.push(mid);
      continue;
    }
    const t = slot.t;
    const s = st.transceiverState(t);
    const mid = s.mid ?? (s.proposedMid ??= allocateMid(st));
    proposals.set(t, mid);
    const prev = previousRemote(st, s.mid);
    const codecs = offerCodecs(s.kind, effectiveCodecPreferences(t, s), prev ? getRtpCodecs(prev) : ([] as SdpRtpCodec[]), otherKindPts(s.kind));
    if (s.stopping) {
      media.push(writeRejectedSection(s.kind, 'UDP/TLS/RTP/SAVPF', codecs.map((c) => String(c.payloadType)), mid));
      continue;
    }
    const prevExt: NegotiatedExtension[] = prev ? findAttributes(prev.attributes, 'extmap').map((e) => ({ id: e.id, uri: e.uri })) : [];
    const direction = s.direction as Exclude<typeof s.direction, 'stopped'>;
    const sends = direction === 'sendrecv' || direction === 'sendonly';
    const parts = senderParts(t, sends, codecs);
    if (sends) for (const id of senderInternals.state(t.sender).streamIds) streamIds.add(id);
    media.push(writeRtpSection({
      kind: s.kind, mid, direction, codecs, extensions: offerExtensions(s.kind, prevExt, bundleExtensions), rtcpRsize: true,
      transport: transport as TransportAttributes, ...parts,
    }));
    bundleMids.push(mid);
  }
  return { sdp: buildSession(st, media, bundleMids, [...streamIds]), proposals };
}

/**
 * Incoming media: RTP is demultiplexed to receivers by SSRC, then the MID
 * header extension, then a payload type only one section uses (RFC 8843
 * §9.2); each new SSRC is bound to the RTP session (NACK, reports, TWCC) with
 * its RTX partner from a=ssrc-group:FID so retransmissions are unwrapped
 * (RFC 4588). Rid-based simulcast announces no RTX SSRC: an RTX packet on an
 * unknown SSRC is bound by its RepairedRtpStreamId (RFC 8852 §3) to the
 * layer with that rid (bindRtx below). The packet then feeds the
 * receiver's track and unmutes it; silence mutes it again. RTCP passes the
 * session; PLI/FIR about our streams become key-frame requests on the sending
 * track's source.
 */
import { RtpPacket } from '@rivulet/rtp';
import { Counters, type Timer } from '@rivulet/common';
import { trackInternals } from '../media/MediaStreamTrack.js';
import { receiverInternals, type ReceiverState, type RTCRtpReceiver } from '../transceiver/RTCRtpReceiver.js';
import { senderInternals } from '../transceiver/RTCRtpSender.js';
import type { PeerCore } from './core.js';
import { REPAIRED_RID_URI, RtpSession } from './rtpSession.js';

/** Why an RTX packet could not be unwrapped (it is then dropped and counted, never thrown). */
export type RtxDropReason =
  /** No a=ssrc-group:FID names its SSRC and it carries no RepairedRtpStreamId. */
  | 'rtx-unbound'
  /** Its RepairedRtpStreamId names a rid the remote did not offer to send. */
  | 'rtx-unknown-rid'
  /** The layer (or FID media SSRC) it repairs has not been received yet. */
  | 'rtx-before-media'
  /** The repaired stream did not negotiate 'nack', so nothing tracks its losses. */
  | 'rtx-not-negotiated';

/** A receiving track with no RTP for this long is muted (webrtc-pc §5.3 leaves the heuristic to us). */
export const MUTE_AFTER_MS = 3000;

export interface Demux {
  bySsrc: Map<number, RTCRtpReceiver>;
  byMid: Map<string, RTCRtpReceiver>;
  byPt: Map<number, RTCRtpReceiver | null>;
  rtxPts: Set<number>;
  midId: number | undefined;
  ridId: number | undefined;
  muteTimer: Timer | null;
  dropped: number;
  rtxDropped: Counters<RtxDropReason>;
  /** webrtc-stats retransmittedPacketsReceived/retransmittedBytesReceived per media SSRC. */
  retransmitted: Map<number, { packets: number; bytes: number }>;
  session: RtpSession | null;
}

const demuxes = new WeakMap<PeerCore, Demux>();

export function demuxOf(core: PeerCore): Demux {
  let d = demuxes.get(core);
  if (!d) {
    d = {
      bySsrc: new Map(), byMid: new Map(), byPt: new Map(), rtxPts: new Set(), midId: undefined, ridId: undefined, muteTimer: null, dropped: 0,
      rtxDropped: new Counters<RtxDropReason>(), retransmitted: new Map(), session: null,
    };
    demuxes.set(core, d);
  }
  return d;
}

export function resetDemux(d: Demux): void {
  d.byMid.clear();
  d.byPt.clear();
  d.rtxPts.clear();
}

export function sessionOf(core: PeerCore): RtpSession {
  const d = demuxOf(core);
  d.session ??= new RtpSession(core, core.cname);
  return d.session;
}

/** The session if media was ever negotiated (stats must not create one). */
export function existingSession(core: PeerCore): RtpSession | null {
  return demuxes.get(core)?.session ?? null;
}

export function droppedRtp(core: PeerCore): number {
  return demuxes.get(core)?.dropped ?? 0;
}

/** RTX packets dropped, by reason (non-standard stats: transport.rivuletCounters). */
export function rtxDropped(core: PeerCore): Partial<Record<RtxDropReason, number>> {
  return demuxes.get(core)?.rtxDropped.toJSON() ?? {};
}

/** Retransmissions unwrapped into media SSRC `ssrc` (inbound-rtp retransmittedPackets/BytesReceived). */
export function retransmittedReceived(core: PeerCore, ssrc: number): { packets: number; bytes: number } {
  return demuxes.get(core)?.retransmitted.get(ssrc) ?? { packets: 0, bytes: 0 };
}

/** Binds a newly seen media SSRC (and its FID RTX SSRC) to the RTP session, and wires key-frame requests. */
function bindRemote(core: PeerCore, rs: ReceiverState, ssrc: number, payloadType: number): void {
  const session = sessionOf(core);
  const codec = rs.codecs.find((c) => c.payloadType === payloadType) ?? rs.codecs[0];
  if (!codec) return;
  const rtxSsrc = rs.rtxSsrcOf.get(ssrc);
  const rtxPt = rs.rtxByPt.get(codec.payloadType);
  session.bindRemote({
    ssrc, clockRate: codec.clockRate, payloadType: codec.payloadType, mimeType: codec.mimeType,
    ...(rtxSsrc !== undefined && rtxPt !== undefined ? { rtxSsrc, rtxPayloadType: rtxPt } : {}),
    rtcpFeedback: rs.feedback,
    ...(rs.twccId !== undefined && rs.feedback.includes('transport-cc') ? { transportCcExtensionId: rs.twccId } : {}),
  });
  // RFC 4588 §8.6: each RTX payload type restores its own apt, not just the first codec's.
  if (rtxSsrc !== undefined && rtxPt !== undefined) session.bindRemoteRtx(ssrc, rtxSsrc, aptMap(rs));
  rs.mediaSsrc = ssrc;
  rs.keyframeHook ??= rs.source.onKeyframeRequest(() => {
    if (rs.mediaSsrc !== null) session.requestKeyframe(rs.mediaSsrc);
  });
}

/**
 * An RTX packet (RTX payload type) on an SSRC the session does not yet unwrap. Rid-based
 * simulcast signals no RTX SSRC (browsers write no a=ssrc-group:FID then): RFC 8852 §3 — the
 * RTX stream carries RepairedRtpStreamId with the rid of the layer it repairs, so the SSRC is
 * bound as that layer's RTX stream, keeping the layer's NACK state; RFC 4588 §8.6 apt maps each
 * RTX payload type back to the original. Returns why it cannot be bound, or null when it is.
 */
function bindRtx(rs: ReceiverState, session: RtpSession, p: RtpPacket): RtxDropReason | null {
  if (session.isRemoteRtx(p.ssrc)) return null;
  for (const [media, rtx] of rs.rtxSsrcOf) {
    if (rtx === p.ssrc) return session.isRemoteBound(media) ? 'rtx-not-negotiated' : 'rtx-before-media';
  }
  const id = rs.headerExtensions.find((h) => h.uri === REPAIRED_RID_URI)?.id;
  const rrid = id === undefined ? undefined : p.getExtension(id)?.toString('ascii');
  if (rrid === undefined) return 'rtx-unbound';
  if (!rs.rids.includes(rrid)) return 'rtx-unknown-rid';
  let media: number | undefined;
  // The latest SSRC seen with that rid (a restarted encoder takes a new SSRC).
  for (const [ssrc, rid] of rs.ridOfSsrc) if (rid === rrid && session.isRemoteBound(ssrc)) media = ssrc;
  if (media === undefined) return 'rtx-before-media';
  return session.bindRemoteRtx(media, p.ssrc, aptMap(rs)) ? null : 'rtx-not-negotiated';
}

/** RTX payload type → the payload type it repairs (a=fmtp:<rtx> apt=<pt>). */
function aptMap(rs: ReceiverState): Map<number, number> {
  return new Map([...rs.rtxByPt].map(([pt, rtxPt]) => [rtxPt, pt]));
}

/** Simulcast receive: learn each SSRC's rid (RFC 8852 RtpStreamId) and feed the layer's track, if any. */
function feedLayer(core: PeerCore, d: Demux, rs: ReceiverState, p: RtpPacket, bytes: Uint8Array): void {
  let rid = rs.ridOfSsrc.get(p.ssrc);
  if (rid === undefined && d.ridId !== undefined) {
    rid = p.getExtension(d.ridId)?.toString('ascii');
    if (rid !== undefined) rs.ridOfSsrc.set(p.ssrc, rid);
  }
  if (rid === undefined) return;
  const src = rs.layerSources.get(rid);
  if (!src) return;
  if (!layerHooks.has(src)) {
    const ssrc = p.ssrc;
    layerHooks.add(src);
    src.onKeyframeRequest(() => sessionOf(core).requestKeyframe(ssrc));
  }
  if (src.muted) src.setMuted(false);
  src.writeRtp(bytes);
}

const layerHooks = new WeakSet<object>();

export function handleIncomingRtp(core: PeerCore, raw: Uint8Array): void {
  const st = core.st;
  if (st.closed) return;
  const d = demuxOf(core);
  const p = RtpPacket.tryParse(Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength));
  if (!p) {
    d.dropped++;
    return;
  }
  let r = d.bySsrc.get(p.ssrc);
  if (!r && d.midId !== undefined) {
    const mid = p.getExtension(d.midId)?.toString('ascii');
    if (mid !== undefined) r = d.byMid.get(mid);
  }
  if (!r) r = d.byPt.get(p.payloadType) ?? undefined;
  if (!r) {
    d.dropped++;
    return;
  }
  d.bySsrc.set(p.ssrc, r); // RFC 8843 §9.2: later packets of this SSRC skip the extension look-up
  const rs = receiverInternals.state(r);
  if (rs.track.readyState !== 'live') return;
  const session = sessionOf(core);
  const isRtx = d.rtxPts.has(p.payloadType);
  let unbound: RtxDropReason | null = null;
  if (isRtx) unbound = bindRtx(rs, session, p);
  else if (!session.isRemoteBound(p.ssrc)) bindRemote(core, rs, p.ssrc, p.payloadType);
  // Even RTX we cannot unwrap passes the chain: its transport-wide sequence number must be
  // reported (TWCC), or the sender sees it as lost.
  const out = session.readRtp(p);
  if (unbound !== null) {
    d.rtxDropped.inc(unbound);
    return;
  }
  // Undefined: padding-only RTX (probing), a duplicate retransmission, malformed (NackGenerator counts).
  if (!out || d.rtxPts.has(out.payloadType)) return;
  if (isRtx) {
    rs.retransmittedPacketsReceived++;
    let r = d.retransmitted.get(out.ssrc);
    if (!r) d.retransmitted.set(out.ssrc, (r = { packets: 0, bytes: 0 }));
    r.packets++;
    r.bytes += out.payload.length;
  }
  const now = performance.timeOrigin + performance.now();
  rs.packetsReceived++;
  rs.bytesReceived += out.payload.length;
  rs.lastPacketAt = core.clock.now();
  rs.ssrcsSeen.add(out.ssrc);
  rs.syncSources.set(out.ssrc, { timestamp: now, source: out.ssrc, rtpTimestamp: out.timestamp });
  for (const c of out.csrcs) rs.contribSources.set(c, { timestamp: now, source: c, rtpTimestamp: out.timestamp });
  if (rs.source.muted) rs.source.setMuted(false);
  const bytes = out === p ? raw : out.serialize();
  rs.source.writeRtp(bytes);
  if (rs.rids.length > 0) feedLayer(core, d, rs, out, bytes);
  scheduleMuteCheck(core, d);
}

function scheduleMuteCheck(core: PeerCore, d: Demux): void {
  if (d.muteTimer) return;
  d.muteTimer = core.clock.setTimeout(() => {
    d.muteTimer = null;
    if (core.st.closed) return;
    const now = core.clock.now();
    let anyLive = false;
    for (const t of core.st.transceivers) {
      const rs = receiverInternals.state(t.receiver);
      if (rs.lastPacketAt === null || rs.source.muted) continue;
      if (now - rs.lastPacketAt >= MUTE_AFTER_MS) rs.source.setMuted(true);
      else anyLive = true;
    }
    if (anyLive) scheduleMuteCheck(core, d);
  }, MUTE_AFTER_MS / 3);
}

/** RTCP through the session; PLI/FIR about a stream we send asks that sender's track source for a key frame. */
export function handleIncomingRtcp(core: PeerCore, raw: Uint8Array): void {
  if (core.st.closed) return;
  const packets = sessionOf(core).readRtcp(raw);
  for (const p of packets) {
    const ssrcs = p.kind === 'pli' ? [p.mediaSsrc] : p.kind === 'fir' ? p.entries.map((e) => e.ssrc) : [];
    if (ssrcs.length === 0) continue;
    for (const t of core.st.transceivers) {
      const ss = senderInternals.state(t.sender);
      if (ss.track && ss.streams.some((s) => ssrcs.includes(s.ssrc))) trackInternals.source(ss.track).requestKeyframe();
    }
  }
}

export function stopMedia(core: PeerCore): void {
  const d = demuxes.get(core);
  if (!d) return;
  d.muteTimer?.cancel();
  d.muteTimer = null;
  d.session?.close();
  d.session = null;
}

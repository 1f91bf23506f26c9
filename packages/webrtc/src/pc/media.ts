/**
 * Media after negotiation: senders get the codecs/extensions the remote
 * accepted and start or stop their pipeline with the negotiated direction;
 * receivers learn what to accept, and incoming RTP is demultiplexed to them
 * by SSRC, then MID, then RID, then a payload type only one section uses
 * (RFC 8843 §9.2). Received RTP feeds the receiver's track (so it can be
 * forwarded) and unmutes it; silence mutes it again.
 */
import { RtpPacket } from '@rivulet/rtp';
import { findAttribute, findAttributes, getMid, getRtpCodecs, hasAttribute, type MediaDescription } from '@rivulet/sdp';
import type { Timer } from '@rivulet/common';
import { createSendPipeline } from '../media/sendPipeline.js';
import { remoteCodecs } from '../jsep/codecNegotiation.js';
import { HEADER_EXTENSIONS } from '../jsep/capabilities.js';
import { receiverInternals } from '../transceiver/RTCRtpReceiver.js';
import type { RTCRtpReceiver } from '../transceiver/RTCRtpReceiver.js';
import { senderInternals } from '../transceiver/RTCRtpSender.js';
import type { PeerCore } from './core.js';

const MID_URI = 'urn:ietf:params:rtp-hdrext:sdes:mid';
const RID_URI = 'urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id';
/** A receiving track with no RTP for this long is muted (webrtc-pc §5.3: "muted when no media"). */
export const MUTE_AFTER_MS = 3000;

interface Demux {
  bySsrc: Map<number, RTCRtpReceiver>;
  byMid: Map<string, RTCRtpReceiver>;
  byRid: Map<string, RTCRtpReceiver>;
  byPt: Map<number, RTCRtpReceiver | null>;
  /** RTX payload types (RFC 4588): repair packets are counted, not forwarded (no NACK loop yet). */
  rtxPts: Set<number>;
  midId: number | undefined;
  ridId: number | undefined;
  muteTimer: Timer | null;
  dropped: number;
}

const demuxes = new WeakMap<PeerCore, Demux>();

function demuxOf(core: PeerCore): Demux {
  let d = demuxes.get(core);
  if (!d) {
    d = { bySsrc: new Map(), byMid: new Map(), byRid: new Map(), byPt: new Map(), rtxPts: new Set(), midId: undefined, ridId: undefined, muteTimer: null, dropped: 0 };
    demuxes.set(core, d);
  }
  return d;
}

export function droppedRtp(core: PeerCore): number {
  return demuxes.get(core)?.dropped ?? 0;
}

function sectionByMid(media: MediaDescription[] | undefined, mid: string): MediaDescription | undefined {
  return media?.find((m) => getMid(m) === mid);
}

export function updateMedia(core: PeerCore): void {
  const st = core.st;
  const local = st.currentLocal?.sdp;
  const remote = st.currentRemote?.sdp;
  if (!local || !remote) return;
  const d = demuxOf(core);
  d.byMid.clear();
  d.byRid.clear();
  d.byPt.clear();
  d.rtxPts.clear();
  for (const t of st.transceivers) {
    const s = st.transceiverState(t);
    if (s.mid === null || s.stopped) continue;
    const lm = sectionByMid(local.media, s.mid);
    const rm = sectionByMid(remote.media, s.mid);
    if (!lm || !rm || lm.port === 0 || rm.port === 0) continue;
    const ours = new Set(HEADER_EXTENSIONS.map((h) => h.uri));
    const exts = findAttributes(rm.attributes, 'extmap').filter((e) => ours.has(e.uri)).map((e) => ({ id: e.id, uri: e.uri, encrypted: false }));
    const reducedSize = hasAttribute(lm.attributes, 'rtcp-rsize') && hasAttribute(rm.attributes, 'rtcp-rsize');
    // Sender: the remote's codec list (its payload types, its preference order) filtered to ours.
    const ss = senderInternals.state(t.sender);
    const codecs = remoteCodecs(s.kind, getRtpCodecs(rm));
    const sim = findAttribute(lm.attributes, 'simulcast')?.directions.find((x) => x.direction === 'send');
    ss.negotiated = {
      mid: s.mid,
      codecs: codecs.map((c) => {
        const p: { payloadType: number; mimeType: string; clockRate: number; channels?: number; sdpFmtpLine?: string } = {
          payloadType: c.payloadType, mimeType: c.mimeType, clockRate: c.clockRate,
        };
        if (c.channels !== undefined) p.channels = c.channels;
        if (c.fmtp) p.sdpFmtpLine = c.fmtp;
        return p;
      }),
      rtx: new Map(codecs.filter((c) => c.rtxPayloadType !== undefined).map((c) => [c.payloadType, c.rtxPayloadType!])),
      headerExtensions: exts,
      rids: sim ? sim.streams.map((alts) => alts[0]!.rid) : [],
      reducedSize,
    };
    const sends = s.currentDirection === 'sendrecv' || s.currentDirection === 'sendonly';
    if (sends && codecs.length > 0) {
      if (!ss.pipeline) {
        ss.pipeline = createSendPipeline(ss, (p) => core.sendRtp(p));
        ss.onTrackChanged = () => ss.pipeline?.retarget();
      }
    } else if (ss.pipeline) {
      ss.pipeline.stop();
      ss.pipeline = null;
    }
    // Receiver: what our description accepts.
    const rs = receiverInternals.state(t.receiver);
    const accepted = remoteCodecs(s.kind, getRtpCodecs(lm));
    rs.codecs = accepted.map((c) => {
      const p: { payloadType: number; mimeType: string; clockRate: number; channels?: number; sdpFmtpLine?: string } = {
        payloadType: c.payloadType, mimeType: c.mimeType, clockRate: c.clockRate,
      };
      if (c.channels !== undefined) p.channels = c.channels;
      if (c.fmtp) p.sdpFmtpLine = c.fmtp;
      return p;
    });
    rs.headerExtensions = exts;
    rs.reducedSize = reducedSize;
    rs.announcedSsrcs = new Set(findAttributes(rm.attributes, 'ssrc').map((x) => x.ssrc));
    rs.rids = findAttributes(rm.attributes, 'rid').filter((r) => r.direction === 'send').map((r) => r.id);
    for (const ssrc of rs.announcedSsrcs) d.bySsrc.set(ssrc, t.receiver);
    d.byMid.set(s.mid, t.receiver);
    for (const rid of rs.rids) d.byRid.set(`${s.mid}/${rid}`, t.receiver);
    for (const c of accepted) {
      if (c.rtxPayloadType !== undefined) d.rtxPts.add(c.rtxPayloadType);
      for (const pt of [c.payloadType, c.rtxPayloadType]) {
        if (pt === undefined) continue;
        d.byPt.set(pt, d.byPt.has(pt) ? null : t.receiver);
      }
    }
    d.midId = exts.find((e) => e.uri === MID_URI)?.id ?? d.midId;
    d.ridId = exts.find((e) => e.uri === RID_URI)?.id ?? d.ridId;
  }
}

export function handleIncomingRtp(core: PeerCore, raw: Uint8Array): void {
  const st = core.st;
  if (st.closed) return;
  const d = demuxOf(core);
  const buf = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  const p = RtpPacket.tryParse(buf);
  if (!p) {
    d.dropped++;
    return;
  }
  let r = d.bySsrc.get(p.ssrc);
  if (!r && d.midId !== undefined) {
    const mid = p.getExtension(d.midId)?.toString('ascii');
    if (mid !== undefined) r = d.byMid.get(mid);
  }
  if (!r) {
    const only = d.byPt.get(p.payloadType);
    if (only) r = only;
  }
  if (!r) {
    d.dropped++;
    return;
  }
  d.bySsrc.set(p.ssrc, r); // RFC 8843 §9.2: later packets of this SSRC skip the extension look-up
  const rs = receiverInternals.state(r);
  if (rs.track.readyState !== 'live') return;
  if (d.rtxPts.has(p.payloadType)) {
    rs.retransmittedPacketsReceived++;
    return;
  }
  const now = performance.timeOrigin + performance.now();
  rs.packetsReceived++;
  rs.bytesReceived += p.payload.length;
  rs.lastPacketAt = core.clock.now();
  rs.ssrcsSeen.add(p.ssrc);
  rs.syncSources.set(p.ssrc, { timestamp: now, source: p.ssrc, rtpTimestamp: p.timestamp });
  for (const c of p.csrcs) rs.contribSources.set(c, { timestamp: now, source: c, rtpTimestamp: p.timestamp });
  if (rs.source.muted) rs.source.setMuted(false);
  rs.source.writeRtp(raw);
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

/** RTCP is accepted but not yet interpreted (docs/api-deviations.md: no RTCP feedback handling). */
export function handleIncomingRtcp(core: PeerCore, _raw: Uint8Array): void {
  void core;
}

export function stopMedia(core: PeerCore): void {
  const d = demuxes.get(core);
  d?.muteTimer?.cancel();
  if (d) d.muteTimer = null;
}

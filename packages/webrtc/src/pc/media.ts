/**
 * Media after negotiation: senders get the codecs/extensions the remote
 * accepted and start or stop their pipeline with the negotiated direction,
 * and their streams are bound to the RTP session (NACK/RTX, reports, TWCC);
 * receivers learn what to accept and how to demultiplex it (pc/receive.ts).
 */
import { isRejected } from '../jsep/rejected.js';
import { findAttribute, findAttributes, getMid, getRtpCodecs, hasAttribute, type MediaDescription } from '@rivulet/sdp';
import { createSendPipeline } from '../media/sendPipeline.js';
import { remoteCodecs, type NegotiatedCodec } from '../jsep/codecNegotiation.js';
import { HEADER_EXTENSIONS } from '../jsep/capabilities.js';
import { receiverInternals } from '../transceiver/RTCRtpReceiver.js';
import { senderInternals, type SenderState } from '../transceiver/RTCRtpSender.js';
import type { PeerCore } from './core.js';
import { demuxOf, existingSession, resetDemux, sessionOf } from './receive.js';
import { remoteWantsReceiverRtt } from '../jsep/rtcpXr.js';

export { handleIncomingRtp, handleIncomingRtcp, stopMedia, droppedRtp } from './receive.js';

const TWCC_URI = 'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01';

function sectionByMid(media: MediaDescription[] | undefined, mid: string): MediaDescription | undefined {
  return media?.find((m) => getMid(m) === mid);
}

function codecParameters(c: NegotiatedCodec) {
  const p: { payloadType: number; mimeType: string; clockRate: number; channels?: number; sdpFmtpLine?: string } = {
    payloadType: c.payloadType, mimeType: c.mimeType, clockRate: c.clockRate,
  };
  if (c.channels !== undefined) p.channels = c.channels;
  if (c.fmtp) p.sdpFmtpLine = c.fmtp;
  return p;
}

/**
 * webrtc-pc §5.2 RTCRtpParameters.codecs: the negotiated media codecs, "as well as entries for RTX,
 * RED and FEC mechanisms" — one `<kind>/rtx` entry per media codec that has one, with `apt=<pt>`,
 * after every media codec (so codecs[0] stays the send codec), as browsers list them.
 */
function parametersWithRepair(kind: string, codecs: readonly NegotiatedCodec[]) {
  const out: ReturnType<typeof codecParameters>[] = codecs.map(codecParameters);
  for (const c of codecs) {
    if (c.rtxPayloadType === undefined) continue;
    out.push({ payloadType: c.rtxPayloadType, mimeType: `${kind}/rtx`, clockRate: c.clockRate, sdpFmtpLine: `apt=${c.payloadType}` });
  }
  return out;
}

const feedbackStrings = (c: NegotiatedCodec | undefined) => (c ? c.rtcpFeedback.map((f) => (f.parameter ? `${f.type} ${f.parameter}` : f.type)) : []);

function bindSender(core: PeerCore, ss: SenderState, first: NegotiatedCodec): void {
  const session = sessionOf(core);
  const n = ss.negotiated!;
  const twcc = n.headerExtensions.find((h) => h.uri === TWCC_URI)?.id;
  for (const stream of ss.streams) {
    session.bindLocal({
      ssrc: stream.ssrc, clockRate: first.clockRate, payloadType: first.payloadType, mimeType: first.mimeType,
      ...(first.rtxPayloadType !== undefined ? { rtxSsrc: stream.rtxSsrc, rtxPayloadType: first.rtxPayloadType } : {}),
      rtcpFeedback: n.feedback,
      ...(twcc !== undefined && n.feedback.includes('transport-cc') ? { transportCcExtensionId: twcc } : {}),
    });
  }
}

export function updateMedia(core: PeerCore): void {
  const st = core.st;
  const local = st.currentLocal?.sdp;
  const remote = st.currentRemote?.sdp;
  if (!local || !remote) return;
  const d = demuxOf(core);
  resetDemux(d);
  for (const t of st.transceivers) {
    const s = st.transceiverState(t);
    const ss = senderInternals.state(t.sender);
    if (s.mid === null || s.stopped) continue;
    const lm = sectionByMid(local.media, s.mid);
    const rm = sectionByMid(remote.media, s.mid);
    if (!lm || !rm || isRejected(lm) || isRejected(rm)) continue;
    const ours = new Set(HEADER_EXTENSIONS.map((h) => h.uri));
    const exts = findAttributes(rm.attributes, 'extmap').filter((e) => ours.has(e.uri)).map((e) => ({ id: e.id, uri: e.uri, encrypted: false }));
    const reducedSize = hasAttribute(lm.attributes, 'rtcp-mux') && hasAttribute(lm.attributes, 'rtcp-rsize') && hasAttribute(rm.attributes, 'rtcp-rsize');
    // Sender: the answer decides (RFC 8829 §5.3.1: the answerer orders by its preference, e.g.
    // setCodecPreferences); payload types are the same on both sides. Only codecs the remote listed.
    const answerSection = st.currentLocal!.type === 'answer' ? lm : rm;
    const remoteSet = getRtpCodecs(rm);
    const codecs = remoteCodecs(s.kind, getRtpCodecs(answerSection)).filter((c) => remoteSet.some((r) => r.payloadType === c.payloadType));
    const sim = findAttribute(lm.attributes, 'simulcast')?.directions.find((x) => x.direction === 'send');
    ss.negotiated = {
      mid: s.mid, codecs: parametersWithRepair(s.kind, codecs),
      rtx: new Map(codecs.filter((c) => c.rtxPayloadType !== undefined).map((c) => [c.payloadType, c.rtxPayloadType!])),
      headerExtensions: exts, rids: sim ? sim.streams.map((alts) => alts[0]!.rid) : [], reducedSize,
      feedback: feedbackStrings(codecs[0]),
    };
    const sends = s.currentDirection === 'sendrecv' || s.currentDirection === 'sendonly';
    if (sends && codecs.length > 0) {
      bindSender(core, ss, codecs[0]!);
      if (!ss.pipeline) {
        const session = sessionOf(core);
        ss.pipeline = createSendPipeline(ss, (p) => session.writeRtp(p));
        ss.onTrackChanged = () => ss.pipeline?.retarget();
      }
    } else if (ss.pipeline) {
      ss.pipeline.stop();
      ss.pipeline = null;
      for (const stream of ss.streams) sessionOf(core).unbindLocal(stream.ssrc);
    }
    // Receiver: what our description accepts, and how to find its packets.
    const rs = receiverInternals.state(t.receiver);
    // What was negotiated: the answer's codecs, all of which our own section listed.
    const localSet = getRtpCodecs(lm);
    const accepted = remoteCodecs(s.kind, getRtpCodecs(answerSection)).filter((c) => localSet.some((l) => l.payloadType === c.payloadType));
    rs.codecs = parametersWithRepair(s.kind, accepted);
    rs.feedback = feedbackStrings(accepted[0]);
    rs.rtxByPt = new Map(accepted.filter((c) => c.rtxPayloadType !== undefined).map((c) => [c.payloadType, c.rtxPayloadType!]));
    rs.headerExtensions = exts;
    rs.reducedSize = reducedSize;
    rs.announcedSsrcs = new Set(findAttributes(rm.attributes, 'ssrc').map((x) => x.ssrc));
    rs.rtxSsrcOf = new Map(findAttributes(rm.attributes, 'ssrc-group').filter((g) => g.semantics === 'FID' && g.ssrcs.length === 2).map((g) => [g.ssrcs[0]!, g.ssrcs[1]!]));
    rs.rids = findAttributes(rm.attributes, 'rid').filter((r) => r.direction === 'send').map((r) => r.id);
    rs.twccId = exts.find((e) => e.uri === TWCC_URI)?.id;
    for (const ssrc of rs.announcedSsrcs) d.bySsrc.set(ssrc, t.receiver);
    d.byMid.set(s.mid, t.receiver);
    for (const c of accepted) {
      if (c.rtxPayloadType !== undefined) d.rtxPts.add(c.rtxPayloadType);
      for (const pt of [c.payloadType, c.rtxPayloadType]) {
        if (pt === undefined) continue;
        d.byPt.set(pt, d.byPt.has(pt) ? null : t.receiver);
      }
    }
    d.midId = exts.find((e) => e.uri === 'urn:ietf:params:rtp-hdrext:sdes:mid')?.id ?? d.midId;
    d.ridId = exts.find((e) => e.uri === 'urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id')?.id ?? d.ridId;
  }
  // RFC 3611 §5.1: our XR Receiver Reference Time blocks only to a peer that asked (jsep/rtcpXr.ts).
  const rrtr = remoteWantsReceiverRtt(remote);
  if (rrtr !== null || existingSession(core)) sessionOf(core).interceptors.reports.setReceiverReferenceTime(rrtr === true);
}

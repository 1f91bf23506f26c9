/**
 * getStats (webrtc-pc §8.2, webrtc-stats): builds an RTCStatsReport from the
 * W3C objects and the transport bundle. Ids cross-reference as the spec
 * asks (transportId, codecId, mediaSourceId, selectedCandidatePairId,
 * localCertificateId...). With a selector, only the sender's outbound-rtp or
 * the receiver's inbound-rtp and the stats they reference are returned.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { formatCandidate, type CandidateAttribute } from '@rivulet/sdp';
import { dataChannelInternals } from '../datachannel/RTCDataChannel.js';
import type { PeerCore } from '../pc/core.js';
import { droppedRtp, existingSession, retransmittedReceived, rtxDropped } from '../pc/receive.js';
import { certificateMaterial } from '../rtc/RTCCertificate.js';
import { receiverInternals } from '../transceiver/RTCRtpReceiver.js';
import { senderInternals } from '../transceiver/RTCRtpSender.js';
import { createStatsReport, type RTCStats, type RTCStatsReport } from './RTCStatsReport.js';

const TRANSPORT_ID = 'T01';

function fingerprintOf(der: Uint8Array): string {
  return createHash('sha256').update(der).digest('hex').toUpperCase().match(/../g)!.join(':');
}

function candidateStats(id: string, c: CandidateAttribute, type: 'local-candidate' | 'remote-candidate', now: number, usernameFragment: string | undefined): RTCStats {
  const s: RTCStats = {
    id, type, timestamp: now, transportId: TRANSPORT_ID, address: c.address, port: c.port,
    protocol: c.transport.toLowerCase(), candidateType: c.type, priority: c.priority, foundation: c.foundation,
  };
  // webrtc-stats RTCIceCandidateStats.usernameFragment: the ICE generation (changes on restart).
  if (usernameFragment !== undefined) s['usernameFragment'] = usernameFragment;
  return s;
}

export async function collectStats(core: PeerCore, selector: object | null): Promise<RTCStatsReport> {
  const st = core.st;
  const now = performance.timeOrigin + performance.now();
  const out: RTCStats[] = [];
  const referenced = new Set<string>();
  const bundle = st.bundle;

  // Transport, candidate pair, certificates.
  const transport: RTCStats[] = [];
  if (bundle && st.dtlsTransport && st.iceTransport) {
    const ts = bundle.stats();
    const t: RTCStats = {
      id: TRANSPORT_ID, type: 'transport', timestamp: now, bytesSent: ts.bytesSent, bytesReceived: ts.bytesReceived,
      packetsSent: ts.packetsSent, packetsReceived: ts.packetsReceived, iceState: st.iceTransport.state,
      dtlsState: st.dtlsTransport.state, iceRole: st.iceTransport.role, iceLocalUsernameFragment: bundle.localIceParameters.usernameFragment,
    };
    if (bundle.dtlsRole) t['dtlsRole'] = bundle.dtlsRole;
    // Non-standard: what each layer dropped and counted (malformed or unexpected input), by reason.
    const session = existingSession(core);
    t['rivuletCounters'] = {
      ...ts.dropped, 'rtp-undemuxable': droppedRtp(core), ...rtxDropped(core), ...(session ? { 'rtcp-malformed': session.droppedRtcp } : {}),
    };
    if (st.certificate) {
      const m = certificateMaterial(st.certificate);
      const fp = fingerprintOf(m.certificateDer);
      t['localCertificateId'] = `CF${fp}`;
      transport.push({ id: `CF${fp}`, type: 'certificate', timestamp: now, fingerprint: fp, fingerprintAlgorithm: 'sha-256', base64Certificate: m.certificateDer.toString('base64') });
    }
    for (const der of bundle.remoteCertificates()) {
      const fp = fingerprintOf(der);
      t['remoteCertificateId'] = `CF${fp}`;
      let valid = true;
      try { new X509Certificate(der); } catch { valid = false; }
      if (valid) transport.push({ id: `CF${fp}`, type: 'certificate', timestamp: now, fingerprint: fp, fingerprintAlgorithm: 'sha-256', base64Certificate: Buffer.from(der).toString('base64') });
    }
    const pair = bundle.selectedPair;
    if (pair) {
      const lid = `I${createHash('sha1').update(formatCandidate(pair.local)).digest('hex').slice(0, 8)}`;
      const rid = `I${createHash('sha1').update(formatCandidate(pair.remote)).digest('hex').slice(0, 8)}`;
      const pid = `CP${lid.slice(1)}_${rid.slice(1)}`;
      t['selectedCandidatePairId'] = pid;
      const cp: RTCStats = { id: pid, type: 'candidate-pair', timestamp: now, transportId: TRANSPORT_ID, localCandidateId: lid, remoteCandidateId: rid, state: 'succeeded', nominated: true, bytesSent: ts.bytesSent, bytesReceived: ts.bytesReceived, packetsSent: ts.packetsSent, packetsReceived: ts.packetsReceived };
      // The send-side bandwidth estimate (TWCC + loss, @rivulet/rtp) once media has been sent.
      const rtpSession = existingSession(core);
      if (rtpSession && [...st.transceivers].some((x) => senderInternals.state(x.sender).pipeline)) {
        cp['availableOutgoingBitrate'] = rtpSession.interceptors.bandwidth.targetBitrate;
      }
      transport.push(
        cp,
        candidateStats(lid, pair.local, 'local-candidate', now, pair.localUsernameFragment),
        candidateStats(rid, pair.remote, 'remote-candidate', now, pair.remoteUsernameFragment),
      );
    }
    transport.unshift(t);
  }

  const codecs = new Map<string, RTCStats>();
  const codec = (dir: 'I' | 'O', c: { payloadType: number; mimeType: string; clockRate: number; channels?: number; sdpFmtpLine?: string }): string => {
    const id = `C${dir}${TRANSPORT_ID}_${c.payloadType}`;
    if (!codecs.has(id)) {
      const s: RTCStats = { id, type: 'codec', timestamp: now, transportId: TRANSPORT_ID, payloadType: c.payloadType, mimeType: c.mimeType, clockRate: c.clockRate };
      if (c.channels !== undefined) s['channels'] = c.channels;
      if (c.sdpFmtpLine !== undefined) s['sdpFmtpLine'] = c.sdpFmtpLine;
      codecs.set(id, s);
    }
    return id;
  };

  const session = existingSession(core);
  for (const t of st.transceivers) {
    const s = st.transceiverState(t);
    const kindLetter = s.kind === 'audio' ? 'A' : 'V';
    const ss = senderInternals.state(t.sender);
    if ((selector === null || selector === t.sender) && ss.negotiated && ss.pipeline) {
      if (ss.track) out.push({ id: `S${kindLetter}${ss.track.id}`, type: 'media-source', timestamp: now, trackIdentifier: ss.track.id, kind: s.kind });
      // One outbound-rtp per RTP stream (simulcast: one per encoding/rid), webrtc-stats §7.3.
      ss.streams.forEach((stream, index) => {
        const x = session?.interceptors.stats.outbound(stream.ssrc);
        if (index > 0 && !x) return; // a layer that never sent
        const o: RTCStats = {
          id: `OT01${kindLetter}${stream.ssrc}`, type: 'outbound-rtp', timestamp: now, ssrc: stream.ssrc, kind: s.kind,
          transportId: TRANSPORT_ID, mid: ss.negotiated!.mid, packetsSent: ss.pipeline!.packetsSent, bytesSent: ss.pipeline!.bytesSent,
          active: ss.encodings[index]?.active !== false,
        };
        if (ss.negotiated!.codecs[0]) o['codecId'] = codec('O', ss.negotiated!.codecs[0]);
        if (s.kind === 'video' && index === 0) o['framesSent'] = ss.pipeline!.framesSent;
        // Non-standard member: frames refused because the source's codec was not the negotiated one.
        if (index === 0 && ss.pipeline!.framesDroppedCodecMismatch > 0) o['framesDroppedCodecMismatch'] = ss.pipeline!.framesDroppedCodecMismatch;
        if (index === 0 && ss.pipeline!.framesDroppedAwaitingKeyframe > 0) o['framesDroppedAwaitingKeyframe'] = ss.pipeline!.framesDroppedAwaitingKeyframe;
        if (stream.rid !== undefined) o['rid'] = stream.rid;
        if (ss.track) o['mediaSourceId'] = `S${kindLetter}${ss.track.id}`;
        if (x) {
          Object.assign(o, {
            packetsSent: x.packetsSent, bytesSent: x.bytesSent, retransmittedPacketsSent: x.retransmittedPacketsSent,
            retransmittedBytesSent: x.retransmittedBytesSent, nackCount: x.nackCount, pliCount: x.pliCount, firCount: x.firCount,
          });
          if (x.roundTripTimeMs !== undefined) {
            // webrtc-stats: what the remote reported about this stream (RTCP RR/SR report blocks).
            const rid = `RI${o.id.slice(1)}`;
            o['remoteId'] = rid;
            out.push({
              id: rid, type: 'remote-inbound-rtp', timestamp: now, ssrc: stream.ssrc, kind: s.kind, transportId: TRANSPORT_ID,
              localId: o.id, roundTripTime: x.roundTripTimeMs / 1000, packetsLost: x.remotePacketsLost ?? 0,
              fractionLost: (x.remoteFractionLost ?? 0) / 256, ...(o['codecId'] ? { codecId: o['codecId'] } : {}),
            });
          }
        }
        out.push(o);
      });
      referenced.add('transport');
    }
    const rs = receiverInternals.state(t.receiver);
    if ((selector === null || selector === t.receiver) && rs.ssrcsSeen.size > 0) {
      for (const ssrc of rs.ssrcsSeen) {
        const i: RTCStats = {
          id: `IT01${kindLetter}${ssrc}`, type: 'inbound-rtp', timestamp: now, ssrc, kind: s.kind, transportId: TRANSPORT_ID,
          trackIdentifier: rs.track.id, packetsReceived: rs.packetsReceived, bytesReceived: rs.bytesReceived,
          retransmittedPacketsReceived: retransmittedReceived(core, ssrc).packets, retransmittedBytesReceived: retransmittedReceived(core, ssrc).bytes,
        };
        if (s.mid !== null) i['mid'] = s.mid;
        if (rs.codecs[0]) i['codecId'] = codec('I', rs.codecs[0]);
        if (rs.lastPacketAt !== null) i['lastPacketReceivedTimestamp'] = now - (core.clock.now() - rs.lastPacketAt);
        const x = session?.interceptors.stats.inbound(ssrc);
        if (x) {
          // Per-SSRC counters (simulcast layers are separate RTP streams), not the receiver's total.
          Object.assign(i, { packetsReceived: x.packetsReceived, bytesReceived: x.bytesReceived, nackCount: x.nackCount, pliCount: x.pliCount, firCount: x.firCount });
          if (x.packetsLost !== undefined) i['packetsLost'] = x.packetsLost;
          if (x.jitterSeconds !== undefined) i['jitter'] = x.jitterSeconds;
        }
        out.push(i);
      }
      referenced.add('transport');
    }
  }
  out.push(...codecs.values());
  if (selector === null) {
    let opened = 0;
    let n = 0;
    for (const dc of st.dataChannels) {
      if (dc.readyState === 'open') opened++;
      const h = dataChannelInternals.handle(dc);
      out.push({
        id: `D${n++}`, type: 'data-channel', timestamp: now, label: dc.label, protocol: dc.protocol,
        dataChannelIdentifier: dc.id ?? undefined, state: dc.readyState, messagesSent: h?.messagesSent ?? 0,
        bytesSent: h?.bytesSent ?? 0, messagesReceived: h?.messagesReceived ?? 0, bytesReceived: h?.bytesReceived ?? 0,
      });
    }
    out.unshift({ id: 'P', type: 'peer-connection', timestamp: now, dataChannelsOpened: opened, dataChannelsClosed: 0 });
    out.push(...transport);
  } else if (referenced.has('transport')) {
    out.push(...transport);
  }
  return createStatsReport(out);
}

/**
 * getStats (webrtc-pc §8.2, webrtc-stats): builds an RTCStatsReport from the
 * W3C objects and the transport bundle. Ids cross-reference as the spec
 * asks (transportId, codecId, mediaSourceId, selectedCandidatePairId,
 * localCertificateId...). With a selector, only the sender's outbound-rtp or
 * the receiver's inbound-rtp and the stats they reference are returned.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { dataChannelInternals } from '../datachannel/RTCDataChannel.js';
import type { PeerCore } from '../pc/core.js';
import { droppedRtp, existingSession, retransmittedReceived, rtxDropped } from '../pc/receive.js';
import { certificateMaterial } from '../rtc/RTCCertificate.js';
import { receiverInternals } from '../transceiver/RTCRtpReceiver.js';
import { senderInternals } from '../transceiver/RTCRtpSender.js';
import { dataChannelCounts, trackedDataChannels } from './dataChannelCounts.js';
import { iceSection, selectedOnly } from './iceSection.js';
import { createStatsReport, type RTCStats, type RTCStatsReport } from './RTCStatsReport.js';

const TRANSPORT_ID = 'T01';

interface CertificateInfo {
  fingerprint: string;
  base64: string;
  /** The remote's DER parses as X.509 (an unparsable one gets an id but no certificate entry). */
  valid: boolean;
}

// Certificates do not change during a connection: hash, encode and parse each once (parsing was
// most of getStats' cost, bench/stats-getstats.ts).
const certificateInfo = new WeakMap<Uint8Array, CertificateInfo>();

function certInfo(der: Uint8Array): CertificateInfo {
  let info = certificateInfo.get(der);
  if (!info) {
    let valid = true;
    try { new X509Certificate(der); } catch { valid = false; }
    info = {
      fingerprint: createHash('sha256').update(der).digest('hex').toUpperCase().match(/../g)!.join(':'),
      base64: Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString('base64'), valid,
    };
    certificateInfo.set(der, info);
  }
  return info;
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
      const c = certInfo(certificateMaterial(st.certificate).certificateDer);
      t['localCertificateId'] = `CF${c.fingerprint}`;
      transport.push({ id: `CF${c.fingerprint}`, type: 'certificate', timestamp: now, fingerprint: c.fingerprint, fingerprintAlgorithm: 'sha-256', base64Certificate: c.base64 });
    }
    for (const der of bundle.remoteCertificates()) {
      const c = certInfo(der);
      if (!c.valid) continue; // no entry to reference (the DTLS layer rejects such a peer anyway)
      t['remoteCertificateId'] = `CF${c.fingerprint}`;
      transport.push({ id: `CF${c.fingerprint}`, type: 'certificate', timestamp: now, fingerprint: c.fingerprint, fingerprintAlgorithm: 'sha-256', base64Certificate: c.base64 });
    }
    // webrtc-stats §8.16: the timestamps we hold are on the peer connection's clock.
    const at = (clockMs: number): number => now - (core.clock.now() - clockMs);
    const selected = bundle.selectedPair;
    const pairs = ts.candidatePairs ?? (selected ? [selectedOnly(selected, ts)] : []);
    // The send-side bandwidth estimate (TWCC + loss, @rivulet/rtp) once media has been sent.
    const rtpSession = existingSession(core);
    const bitrate = rtpSession && [...st.transceivers].some((x) => senderInternals.state(x.sender).pipeline)
      ? rtpSession.interceptors.bandwidth.targetBitrate : undefined;
    const ice = iceSection(pairs, { local: ts.localCandidates ?? [], remote: ts.remoteCandidates ?? [] }, now, at, TRANSPORT_ID, bitrate);
    if (ice.selectedPairId !== undefined) t['selectedCandidatePairId'] = ice.selectedPairId;
    if (ts.selectedCandidatePairChanges !== undefined) t['selectedCandidatePairChanges'] = ts.selectedCandidatePairChanges;
    if (ts.tlsVersion !== undefined) t['tlsVersion'] = ts.tlsVersion;
    if (ts.dtlsCipher !== undefined) t['dtlsCipher'] = ts.dtlsCipher;
    if (ts.srtpCipher !== undefined) t['srtpCipher'] = ts.srtpCipher;
    transport.push(...ice.entries);
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
            packetsSent: x.packetsSent, bytesSent: x.bytesSent, headerBytesSent: x.headerBytesSent, retransmittedPacketsSent: x.retransmittedPacketsSent,
            retransmittedBytesSent: x.retransmittedBytesSent, nackCount: x.nackCount, pliCount: x.pliCount, firCount: x.firCount,
          });
          if (x.roundTripTimeMs !== undefined) {
            // webrtc-stats: what the remote reported about this stream (RTCP RR/SR report blocks).
            const rid = `RI${o.id.slice(1)}`;
            o['remoteId'] = rid;
            out.push({
              // Its timestamp: when the report block arrived (webrtc-stats §8.6).
              id: rid, type: 'remote-inbound-rtp', timestamp: x.remoteReportAtMs === undefined ? now : now - (core.clock.now() - x.remoteReportAtMs), ssrc: stream.ssrc, kind: s.kind, transportId: TRANSPORT_ID,
              localId: o.id, roundTripTime: x.roundTripTimeMs / 1000, packetsLost: x.remotePacketsLost ?? 0,
              fractionLost: (x.remoteFractionLost ?? 0) / 256, ...(o['codecId'] ? { codecId: o['codecId'] } : {}),
              ...(x.remoteJitterSeconds !== undefined ? { jitter: x.remoteJitterSeconds } : {}),
              reportsReceived: x.reportsReceived, roundTripTimeMeasurements: x.roundTripTimeMeasurements,
              totalRoundTripTime: x.totalRoundTripTimeMs / 1000,
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
          Object.assign(i, {
            packetsReceived: x.packetsReceived, bytesReceived: x.bytesReceived, headerBytesReceived: x.headerBytesReceived,
            nackCount: x.nackCount, pliCount: x.pliCount, firCount: x.firCount,
          });
          if (x.packetsLost !== undefined) i['packetsLost'] = x.packetsLost;
          if (x.jitterSeconds !== undefined) i['jitter'] = x.jitterSeconds;
          // Video: complete frames and key frames as the codec's depayloader reads the packets.
          if (x.framesReceived !== undefined) i['framesReceived'] = x.framesReceived;
          if (x.keyFramesReceived !== undefined) i['keyFramesReceived'] = x.keyFramesReceived;
          const sr = x.remoteSender;
          if (sr) {
            // webrtc-stats §8.8 remote-outbound-rtp: the sender's own view from its latest SR (RFC 3550 §6.4.1).
            // Its timestamp is when that SR arrived; remoteTimestamp is the SR's NTP time on the sender's clock.
            const rid = `RO${i.id.slice(1)}`;
            i['remoteId'] = rid;
            const ro: RTCStats = {
              id: rid, type: 'remote-outbound-rtp', timestamp: now - (core.clock.now() - sr.arrivalMs), ssrc, kind: s.kind,
              transportId: TRANSPORT_ID, localId: i.id, packetsSent: sr.packetsSent, bytesSent: sr.octetsSent,
              remoteTimestamp: sr.remoteTimeMs, reportsSent: sr.reportsReceived,
            };
            if (i['codecId'] !== undefined) ro['codecId'] = i['codecId'];
            // Our round trip to this sender from its RFC 3611 DLRR answers to our RRTRs.
            const rt = x.receiverRoundTrip;
            if (rt?.roundTripTimeMs !== undefined) ro['roundTripTime'] = rt.roundTripTimeMs / 1000;
            ro['totalRoundTripTime'] = (rt?.totalRoundTripTimeMs ?? 0) / 1000;
            ro['roundTripTimeMeasurements'] = rt?.roundTripTimeMeasurements ?? 0;
            out.push(ro);
          }
        }
        out.push(i);
      }
      referenced.add('transport');
    }
  }
  out.push(...codecs.values());
  if (selector === null) {
    for (const { id, channel: dc } of trackedDataChannels(st)) {
      const h = dataChannelInternals.handle(dc);
      out.push({
        id, type: 'data-channel', timestamp: now, label: dc.label, protocol: dc.protocol,
        dataChannelIdentifier: dc.id ?? undefined, state: dc.readyState, messagesSent: h?.messagesSent ?? 0,
        bytesSent: h?.bytesSent ?? 0, messagesReceived: h?.messagesReceived ?? 0, bytesReceived: h?.bytesReceived ?? 0,
      });
    }
    const dcCounts = dataChannelCounts(st);
    out.unshift({ id: 'P', type: 'peer-connection', timestamp: now, dataChannelsOpened: dcCounts.opened, dataChannelsClosed: dcCounts.closed });
    out.push(...transport);
  } else if (referenced.has('transport')) {
    out.push(...transport);
  }
  return createStatsReport(out);
}

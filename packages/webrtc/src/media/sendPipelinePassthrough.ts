/**
 * Passthrough of forwarded RTP (an SFU's remote track sent on): the packet keeps its payload,
 * marker and CSRCs and gets our SSRC, payload type, MID/RID extensions, and sequence numbers and
 * timestamps continued from what this stream sent before (RFC 3550 §5.1), across source
 * switches (replaceTrack), restarted sources and late packets (retransmissions the receiver
 * recovered, reordering).
 */
import { seqLessThan16 } from '@rivulet/common';
import { RtpPacket } from '@rivulet/rtp';
import type { RTCRtpEncodingParameters } from '../transceiver/parameters.js';
import type { StreamCursor, StreamWriter } from './sendPipelineStreams.js';

/** A packet this far behind the newest is a restarted source, not a late one (a repair is at most ~1 s late). */
const MAX_MISORDER = 1000;
/** Another input SSRC takes an encoding over only after this much silence from the current one. */
const LOCK_MS = 500;

/**
 * The stream a forwarded packet goes to: the first active encoding, or with simulcast the active
 * encoding whose rid equals one of the packet's extension values (a forwarded layer keeps its
 * layer). -1 for none.
 */
export function forwardedStreamIndex(
  cursors: readonly StreamCursor[], encodings: readonly RTCRtpEncodingParameters[], simulcast: boolean, p: RtpPacket,
): number {
  let i = encodings.findIndex((e) => e.active !== false);
  if (simulcast) {
    for (const e of p.extensions) {
      const v = e.data.toString('ascii');
      const j = cursors.findIndex((c, k) => c.rid === v && encodings[k]?.active !== false);
      if (j >= 0) { i = j; break; }
    }
  }
  return i;
}

/** Rewrites and sends forwarded packet `inP` on stream c, or drops it (another source holds c, or it is too late). */
export function forwardRtp(c: StreamCursor, inP: RtpPacket, writer: StreamWriter): void {
  // One input stream per encoding: a forwarded simulcast track (several SSRCs) sent without
  // rids keeps the layer it saw first; another SSRC takes over only after 500 ms of silence
  // (a restarted source) or when the track is replaced (retarget()).
  const nowMs = performance.now();
  if (c.lockedSsrc !== undefined && c.lockedSsrc !== inP.ssrc && nowMs - c.lockedAt < LOCK_MS) return;
  c.lockedSsrc = inP.ssrc;
  c.lockedAt = nowMs;
  // Far behind the newest packet of this source: a restart, not a late packet.
  const restarted = c.lastInSsrc === inP.ssrc && ((c.highestInSeq - inP.sequenceNumber) & 0xffff) > MAX_MISORDER
    && seqLessThan16(inP.sequenceNumber, c.highestInSeq);
  if (c.lastInSsrc !== inP.ssrc || c.seqOffset === undefined || c.tsOffset === undefined || restarted) {
    // A new source (first packet, or replaceTrack): continue our numbering after the last packet sent.
    c.lastInSsrc = inP.ssrc;
    c.seqOffset = (c.seq - inP.sequenceNumber) & 0xffff;
    c.tsOffset = ((c.lastOutTs + 3000) - inP.timestamp) >>> 0;
    c.firstInSeq = c.highestInSeq = inP.sequenceNumber;
  } else if (seqLessThan16(c.highestInSeq, inP.sequenceNumber)) {
    c.highestInSeq = inP.sequenceNumber;
  } else if (seqLessThan16(inP.sequenceNumber, c.firstInSeq)) {
    // A late packet (e.g. a retransmission the receiver recovered) from before this source was
    // joined: its rewritten number would repeat one the previous source already used.
    return;
  }
  // Older than the newest (reordered, or repaired by RTX): same offsets, but the numbering a
  // later source continues from stays after the newest packet (RFC 3550 §5.1).
  const latest = inP.sequenceNumber === c.highestInSeq;
  const out = new RtpPacket({
    payloadType: writer.payloadType, sequenceNumber: (inP.sequenceNumber + c.seqOffset) & 0xffff,
    timestamp: (inP.timestamp + c.tsOffset) >>> 0, ssrc: c.ssrc, marker: inP.marker, csrcs: inP.csrcs,
    extensions: writer.extensions(c, writer.useRid), payload: inP.payload,
  });
  if (latest) {
    c.seq = (out.sequenceNumber + 1) & 0xffff;
    c.lastOutSeq = out.sequenceNumber;
    c.lastOutTs = out.timestamp;
    c.lastOutAt = performance.now();
  }
  writer.emit(out, inP.payload.length);
}

/**
 * The send side of one RTCRtpSender: takes what its track delivers and
 * emits RTP through the transport.
 * - Frames are payloaded with the negotiated codec's payloader (@rivulet/rtp)
 *   and timestamped on the codec clock from the frame's microseconds.
 * - RTP (passthrough, e.g. a remote track forwarded by an SFU) is rewritten:
 *   our SSRC and payload type, sequence numbers and timestamps continued
 *   across source switches (replaceTrack), our MID/RID header extensions.
 * Simulcast: frames go to the first active encoding; forwarded RTP goes to
 * the encoding whose rid matches the packet's rid extension.
 */
import { seqLessThan16 } from '@rivulet/common';
import { RtpPacket, createPayloader, type Payloader } from '@rivulet/rtp';
import { randomBytes } from 'node:crypto';
import type { EncodedFrame } from './frames.js';
import { BlackVideo, supportsBlackFrames } from './disabledVideo.js';
import { trackInternals } from './MediaStreamTrack.js';
import type { NegotiatedSend, SenderState } from '../transceiver/RTCRtpSender.js';
import type { RTCRtpEncodingParameters } from '../transceiver/parameters.js';

export interface SendPipeline {
  updateEncodings(encodings: RTCRtpEncodingParameters[]): void;
  /** Re-subscribes to the sender's current track (after replaceTrack). */
  retarget(): void;
  stop(): void;
  readonly packetsSent: number;
  readonly bytesSent: number;
  readonly framesSent: number;
  /** Frames dropped because the source declared another codec than the negotiated one. */
  readonly framesDroppedCodecMismatch: number;
  /** Video delta frames dropped after replaceTrack or re-enabling, until the next key frame. */
  readonly framesDroppedAwaitingKeyframe: number;
  /** Black frames sent for a disabled video track (VP8, H.264; disabledVideo.ts). Included in framesSent. */
  readonly blackFramesSent: number;
  /** The RTP timestamp "now" on the first stream (last one sent, advanced by elapsed time). */
  currentTimestamp(): number;
  /** Sends a packet in the first stream's SSRC and sequence space (RFC 4733 events share both). */
  sendOnMainStream(payloadType: number, payload: Buffer, marker: boolean, timestamp: number): void;
}

const MID_URI = 'urn:ietf:params:rtp-hdrext:sdes:mid';
/** Passthrough: a packet this far behind the newest is a restarted source, not a late one (a repair is at most ~1 s late). */
const MAX_MISORDER = 1000;
const RID_URI = 'urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id';

interface StreamCursor {
  ssrc: number;
  rid: string | undefined;
  seq: number;
  /** RTP timestamp base for frames. */
  tsBase: number;
  firstUs: number | undefined;
  /** Passthrough rebasing: input → output offsets, reset when the source changes. */
  seqOffset: number | undefined;
  tsOffset: number | undefined;
  lastOutSeq: number;
  lastOutTs: number;
  lastInSsrc: number | undefined;
  /** Passthrough: input sequence number where the current source was joined, and its newest. */
  firstInSeq: number;
  highestInSeq: number;
  lockedSsrc: number | undefined;
  lockedAt: number;
  /** performance.now() of the last packet sent. */
  lastOutAt: number;
}

/** 20 ms of silence per codec: an Opus CELT-only 20 ms silence frame (RFC 6716 §3.1, TOC 0xF8), G.711 silence samples. */
function silencePayload(mimeType: string): Buffer | undefined {
  switch (mimeType.toLowerCase()) {
    case 'audio/opus': return Buffer.from([0xf8, 0xff, 0xfe]);
    case 'audio/pcmu': return Buffer.alloc(160, 0xff);
    case 'audio/pcma': return Buffer.alloc(160, 0xd5);
    default: return undefined;
  }
}

function rand16(): number { return randomBytes(2).readUInt16BE(0); }
function rand32(): number { return randomBytes(4).readUInt32BE(0); }

export function createSendPipeline(s: SenderState, send: (packet: RtpPacket) => void): SendPipeline {
  const n = s.negotiated!;
  const codec = n.codecs[0]!;
  const midId = n.headerExtensions.find((h) => h.uri === MID_URI)?.id;
  const ridId = n.headerExtensions.find((h) => h.uri === RID_URI)?.id;
  let payloader: Payloader | undefined;
  try {
    payloader = createPayloader(codec.mimeType.split('/')[1]!);
  } catch {
    payloader = undefined; // passthrough still works for codecs we cannot payload
  }
  const cursors: StreamCursor[] = s.streams.map((x) => ({
    ssrc: x.ssrc, rid: x.rid, seq: rand16(), tsBase: rand32(), firstUs: undefined, seqOffset: undefined,
    tsOffset: undefined, lastOutSeq: 0, lastOutTs: 0, lastInSsrc: undefined, firstInSeq: 0, highestInSeq: 0, lockedSsrc: undefined, lockedAt: 0, lastOutAt: performance.now(),
  }));
  let encodings = s.encodings;
  let unsubscribe: (() => void) | null = null;
  const stats = { packetsSent: 0, bytesSent: 0, framesSent: 0, framesDroppedCodecMismatch: 0, framesDroppedAwaitingKeyframe: 0, blackFramesSent: 0 };
  // After replaceTrack or re-enabling, a video delta frame references pictures the receiver never
  // got (a browser's encoder runs on, sending black frames while disabled; our sources are
  // encoded already): wait for a key frame and ask the source for one.
  let awaitKeyframe = false;
  let keyframeRequested = false;
  const gap = () => {
    if (s.kind !== 'video') return;
    awaitKeyframe = true;
    keyframeRequested = false;
  };

  // webrtc-pc §5.2 (RTCRtpSender): a disabled audio track is sent as silence, as browsers do,
  // so the receiver's playout and its RTCP keep running. One 20 ms packet every 20 ms.
  const silence = silencePayload(codec.mimeType);
  let silenceTimer: { cancel(): void } | undefined;
  /** Re-anchors the frame timeline after the last packet sent, plus the time since (RFC 3550 §5.1). */
  const continueTimeline = () => {
    const now = performance.now();
    for (const c of cursors) {
      if (c.firstUs === undefined) continue;
      c.tsBase = (c.lastOutTs + Math.max(1, Math.round(((now - c.lastOutAt) * codec.clockRate) / 1000))) >>> 0;
      c.firstUs = undefined;
    }
  };
  const sendSilence = () => {
    // Only while the sender's track is live and disabled: an ended track sends nothing.
    if (!s.track || s.track.readyState !== 'live' || s.track.enabled) {
      silenceTimer = undefined;
      return;
    }
    silenceTimer = s.ctx.clock.setTimeout(sendSilence, 20);
    const i = activeIndex();
    if (i < 0 || !silence) return;
    const c = cursors[i]!;
    // First packet ever on this stream: start at the random base; otherwise 20 ms after the last.
    const ts = c.firstUs === undefined && c.lastInSsrc === undefined && stats.packetsSent === 0
      ? c.tsBase
      : (c.lastOutTs + Math.round((20 * codec.clockRate) / 1000)) >>> 0;
    const p = new RtpPacket({
      payloadType: codec.payloadType, sequenceNumber: c.seq, timestamp: ts, ssrc: c.ssrc, marker: false,
      extensions: extensionsFor(c, n.rids.length > 0), payload: silence,
    });
    c.seq = (c.seq + 1) & 0xffff;
    c.lastOutSeq = p.sequenceNumber;
    c.lastOutTs = ts;
    c.lastOutAt = performance.now();
    c.firstUs = c.firstUs ?? 0; // the timeline now has a history: the next frame continues it
    emit(p, silence.length);
  };
  // mediacapture-streams §4.3.1: a disabled video track renders black frames, and the sender
  // sends them (VP8, H.264): a key frame at once, then repeats at the source's frame rate,
  // continuing the sequence numbers and RTP timestamps. Other video codecs send nothing.
  const black = s.kind === 'video' && payloader && supportsBlackFrames(codec.mimeType) ? new BlackVideo(codec.mimeType, codec.sdpFmtpLine) : undefined;
  // H.264 black frames have their own payloader: the frames' one keeps the source's SPS/PPS to insert.
  const blackPayloader = black?.mimeType.toLowerCase() === 'video/h264' ? createPayloader('H264') : payloader;
  let blackTimer: { cancel(): void } | undefined;
  let blackInPeriod = 0;
  /** Black frames were sent since the last source frame: the next one must not go back in RTP time. */
  let afterBlack = false;
  const sendBlack = () => {
    if (!s.track || s.track.readyState !== 'live' || s.track.enabled || !black || !blackPayloader) {
      blackTimer = undefined;
      return;
    }
    const settings = trackInternals.source(s.track).settings;
    const intervalMs = 1000 / black.frameRate(settings);
    blackTimer = s.ctx.clock.setTimeout(sendBlack, intervalMs);
    const i = activeIndex();
    if (i < 0) return;
    const c = cursors[i]!;
    const f = black.next(settings);
    // The first black frame follows the last packet by the time elapsed since; later ones by one interval.
    const stepMs = blackInPeriod++ === 0 ? performance.now() - c.lastOutAt : intervalMs;
    const ts = c.firstUs === undefined && c.lastInSsrc === undefined && stats.packetsSent === 0
      ? c.tsBase
      : (c.lastOutTs + Math.max(1, Math.round((stepMs * codec.clockRate) / 1000))) >>> 0;
    afterBlack = true;
    sendPayloads(c, ts, blackPayloader.payload(f.data));
    stats.blackFramesSent++;
  };
  const paused = () => {
    if (s.kind === 'video') {
      if (!black || blackTimer) return;
      blackInPeriod = 0;
      black.requestKeyframe();
      sendBlack();
      return;
    }
    if (!silence || silenceTimer) return;
    sendSilence();
  };
  const stopSilence = () => {
    silenceTimer?.cancel();
    silenceTimer = undefined;
    blackTimer?.cancel();
    blackTimer = undefined;
  };
  const resumed = () => {
    if (silenceTimer) {
      stopSilence();
      continueTimeline();
    }
    // After black frames the source's own timeline continues (its clock ran on while disabled),
    // unless that would go back in RTP time: onFrame checks (afterBlack).
    stopSilence();
    gap();
  };
  /** A receiver asked for a key frame (PLI/FIR reach the track's source): while black, send one now. */
  const onKeyframeRequest = () => {
    if (!blackTimer || !black) return;
    blackTimer.cancel();
    blackTimer = undefined;
    black.requestKeyframe();
    sendBlack();
  };
  // A source that declares its codec must match the negotiated one: we never transcode, and
  // sending H.264 labelled as VP8 would only produce garbage at the receiver.
  let codecMismatch = false;
  const midBuf = Buffer.from(n.mid, 'ascii');

  const extensionsFor = (c: StreamCursor, useRid: boolean) => {
    const exts: { id: number; data: Buffer }[] = [];
    if (midId !== undefined) exts.push({ id: midId, data: midBuf });
    if (useRid && ridId !== undefined && c.rid !== undefined) exts.push({ id: ridId, data: Buffer.from(c.rid, 'ascii') });
    return exts;
  };

  // Each packet is a fresh object: the NACK responder keeps a reference for retransmission.
  const emit = (p: RtpPacket, payloadBytes: number) => {
    stats.packetsSent++;
    stats.bytesSent += payloadBytes;
    send(p);
  };

  const activeIndex = () => encodings.findIndex((e) => e.active !== false);

  const onFrame = (frame: EncodedFrame) => {
    if (codecMismatch) {
      stats.framesDroppedCodecMismatch++;
      return;
    }
    if (!payloader) return;
    const i = activeIndex();
    if (i < 0) return;
    if (awaitKeyframe) {
      if (!frame.keyframe) {
        stats.framesDroppedAwaitingKeyframe++;
        if (!keyframeRequested && s.track) {
          keyframeRequested = true;
          trackInternals.source(s.track).requestKeyframe();
        }
        return;
      }
      awaitKeyframe = false;
    }
    const c = cursors[i]!;
    c.firstUs ??= frame.timestamp;
    let ts = (c.tsBase + Math.round(((frame.timestamp - c.firstUs) * codec.clockRate) / 1e6)) >>> 0;
    if (afterBlack) {
      afterBlack = false;
      if (((ts - c.lastOutTs) | 0) <= 0) {
        // Not after the last black frame (RFC 3550 §5.1: timestamps advance): re-anchor there.
        continueTimeline();
        c.firstUs = frame.timestamp;
        ts = c.tsBase;
      }
    }
    black?.observe(frame); // the size and rate black frames are made at
    sendPayloads(c, ts, payloader.payload(Buffer.from(frame.data.buffer, frame.data.byteOffset, frame.data.byteLength)));
  };

  /** One frame's payloads on stream c at RTP time ts: consecutive sequence numbers, marker from the payloader. */
  const sendPayloads = (c: StreamCursor, ts: number, payloads: { payload: Buffer; marker: boolean }[]) => {
    for (const pl of payloads) {
      const p = new RtpPacket({
        payloadType: codec.payloadType, sequenceNumber: c.seq, timestamp: ts, ssrc: c.ssrc, marker: pl.marker,
        extensions: extensionsFor(c, n.rids.length > 0), payload: pl.payload,
      });
      c.seq = (c.seq + 1) & 0xffff;
      c.lastOutSeq = p.sequenceNumber;
      c.lastOutTs = ts;
      c.lastOutAt = performance.now();
      emit(p, pl.payload.length);
    }
    stats.framesSent++;
  };

  const onRtp = (raw: Uint8Array) => {
    const buf = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
    const inP = RtpPacket.tryParse(buf);
    if (!inP) return;
    let i = activeIndex();
    if (n.rids.length > 0) {
      // Forwarded simulcast keeps its layer: match the incoming rid extension by value.
      for (const e of inP.extensions) {
        const v = e.data.toString('ascii');
        const j = cursors.findIndex((c, k) => c.rid === v && encodings[k]?.active !== false);
        if (j >= 0) { i = j; break; }
      }
    }
    if (i < 0) return;
    const c = cursors[i]!;
    // One input stream per encoding: a forwarded simulcast track (several SSRCs) sent without
    // rids keeps the layer it saw first; another SSRC takes over only after 500 ms of silence
    // (a restarted source) or when the track is replaced (retarget()).
    const nowMs = performance.now();
    if (c.lockedSsrc !== undefined && c.lockedSsrc !== inP.ssrc && nowMs - c.lockedAt < 500) return;
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
      payloadType: codec.payloadType, sequenceNumber: (inP.sequenceNumber + c.seqOffset) & 0xffff,
      timestamp: (inP.timestamp + c.tsOffset) >>> 0, ssrc: c.ssrc, marker: inP.marker, csrcs: inP.csrcs,
      extensions: extensionsFor(c, n.rids.length > 0), payload: inP.payload,
    });
    if (latest) {
      c.seq = (out.sequenceNumber + 1) & 0xffff;
      c.lastOutSeq = out.sequenceNumber;
      c.lastOutTs = out.timestamp;
      c.lastOutAt = performance.now();
    }
    emit(out, inP.payload.length);
  };

  const subscribe = (retarget: boolean) => {
    for (const c of cursors) c.lockedSsrc = undefined;
    stopSilence();
    if (retarget) {
      // A new track's frames carry their own clock (often from 0): continue our RTP timeline so
      // timestamps never run backwards.
      continueTimeline();
      gap();
      black?.forgetSource(); // black frames take the new source's size and rate
    }
    unsubscribe?.();
    unsubscribe = null;
    if (s.track && s.track.readyState === 'live') {
      const source = trackInternals.source(s.track);
      const declared = source.mimeType;
      codecMismatch = declared !== undefined && declared.toLowerCase() !== codec.mimeType.toLowerCase();
      const removeSink = trackInternals.addSink(s.track, { frame: onFrame, rtp: onRtp, paused, resumed });
      const removeKeyframeListener = black ? source.onKeyframeRequest(onKeyframeRequest) : undefined;
      unsubscribe = () => {
        removeSink();
        removeKeyframeListener?.();
      };
      if (!s.track.enabled) paused();
    }
  };
  subscribe(false);

  return {
    updateEncodings(e) { encodings = e; },
    retarget: () => subscribe(true),
    stop() {
      stopSilence();
      unsubscribe?.();
      unsubscribe = null;
    },
    get packetsSent() { return stats.packetsSent; },
    get bytesSent() { return stats.bytesSent; },
    get framesSent() { return stats.framesSent; },
    get framesDroppedCodecMismatch() { return stats.framesDroppedCodecMismatch; },
    get framesDroppedAwaitingKeyframe() { return stats.framesDroppedAwaitingKeyframe; },
    get blackFramesSent() { return stats.blackFramesSent; },
    currentTimestamp() {
      const c = cursors[0]!;
      return (c.lastOutTs + Math.round(((performance.now() - c.lastOutAt) * codec.clockRate) / 1000)) >>> 0;
    },
    sendOnMainStream(payloadType, payload, marker, timestamp) {
      const c = cursors[0]!;
      const p = new RtpPacket({
        payloadType, sequenceNumber: c.seq, timestamp, ssrc: c.ssrc, marker, extensions: extensionsFor(c, false), payload,
      });
      c.seq = (c.seq + 1) & 0xffff;
      c.lastOutSeq = p.sequenceNumber;
      emit(p, payload.length);
    },
  };
}

export type { NegotiatedSend };

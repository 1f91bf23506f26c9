/**
 * The send side of one RTCRtpSender: takes what its track delivers and
 * emits RTP through the transport.
 * - Frames are payloaded with the negotiated codec's payloader (@rivulet/rtp)
 *   and timestamped on the codec clock from the frame's microseconds.
 * - RTP (passthrough, e.g. a remote track forwarded by an SFU) is rewritten:
 *   our SSRC and payload type, sequence numbers and timestamps continued
 *   across source switches (replaceTrack), our MID/RID header extensions
 *   (sendPipelinePassthrough.ts).
 * - A disabled track sends silence or black frames (sendPipelineDisabled.ts).
 * Simulcast: frames go to the first active encoding; forwarded RTP goes to
 * the encoding whose rid matches the packet's rid extension.
 * Streams, numbering and counters: sendPipelineStreams.ts.
 */
import { RtpPacket, createPayloader, type Payloader } from '@rivulet/rtp';
import type { EncodedFrame } from './frames.js';
import { trackInternals } from './MediaStreamTrack.js';
import { DisabledTrackSending } from './sendPipelineDisabled.js';
import { forwardRtp, forwardedStreamIndex } from './sendPipelinePassthrough.js';
import { StreamWriter, continueTimeline, createCursor } from './sendPipelineStreams.js';
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

export function createSendPipeline(s: SenderState, send: (packet: RtpPacket) => void): SendPipeline {
  const n = s.negotiated!;
  const codec = n.codecs[0]!;
  let payloader: Payloader | undefined;
  try {
    payloader = createPayloader(codec.mimeType.split('/')[1]!);
  } catch {
    payloader = undefined; // passthrough still works for codecs we cannot payload
  }
  const cursors = s.streams.map((x) => createCursor(x.ssrc, x.rid));
  const writer = new StreamWriter(n, send);
  const stats = writer.stats;
  let encodings = s.encodings;
  let unsubscribe: (() => void) | null = null;
  const activeIndex = () => encodings.findIndex((e) => e.active !== false);
  const disabled = new DisabledTrackSending(s, codec, cursors, writer, activeIndex, payloader);
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
  const paused = () => disabled.start();
  const resumed = () => {
    const silent = disabled.sendingSilence;
    disabled.stop();
    if (silent) continueTimeline(cursors, codec.clockRate);
    // After black frames the source's own timeline continues (its clock ran on while disabled),
    // unless that would go back in RTP time: onFrame checks (afterBlack).
    gap();
  };
  // A source that declares its codec must match the negotiated one: we never transcode, and
  // sending H.264 labelled as VP8 would only produce garbage at the receiver.
  let codecMismatch = false;

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
    if (disabled.afterBlack) {
      disabled.afterBlack = false;
      if (((ts - c.lastOutTs) | 0) <= 0) {
        // Not after the last black frame (RFC 3550 §5.1: timestamps advance): re-anchor there.
        continueTimeline(cursors, codec.clockRate);
        c.firstUs = frame.timestamp;
        ts = c.tsBase;
      }
    }
    disabled.observe(frame);
    writer.writeFrame(c, ts, payloader.payload(Buffer.from(frame.data.buffer, frame.data.byteOffset, frame.data.byteLength)));
  };

  const onRtp = (raw: Uint8Array) => {
    const inP = RtpPacket.tryParse(Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength));
    if (!inP) return;
    const i = forwardedStreamIndex(cursors, encodings, n.rids.length > 0, inP);
    if (i < 0) return;
    forwardRtp(cursors[i]!, inP, writer);
  };

  const subscribe = (retarget: boolean) => {
    for (const c of cursors) c.lockedSsrc = undefined;
    disabled.stop();
    if (retarget) {
      // A new track's frames carry their own clock (often from 0): continue our RTP timeline so
      // timestamps never run backwards.
      continueTimeline(cursors, codec.clockRate);
      gap();
      disabled.forgetSource();
    }
    unsubscribe?.();
    unsubscribe = null;
    if (s.track && s.track.readyState === 'live') {
      const source = trackInternals.source(s.track);
      const declared = source.mimeType;
      codecMismatch = declared !== undefined && declared.toLowerCase() !== codec.mimeType.toLowerCase();
      const removeSink = trackInternals.addSink(s.track, { frame: onFrame, rtp: onRtp, paused, resumed });
      const removeKeyframeListener = disabled.hasBlackFrames ? source.onKeyframeRequest(() => disabled.onKeyframeRequest()) : undefined;
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
      disabled.stop();
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
        payloadType, sequenceNumber: c.seq, timestamp, ssrc: c.ssrc, marker, extensions: writer.extensions(c, false), payload,
      });
      c.seq = (c.seq + 1) & 0xffff;
      c.lastOutSeq = p.sequenceNumber;
      writer.emit(p, payload.length);
    },
  };
}

export type { NegotiatedSend };

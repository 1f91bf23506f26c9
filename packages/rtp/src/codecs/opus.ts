import { Counters } from '@rivulet/common';
import {
  checkMaxPayloadSize,
  type DepayloadDropReason,
  type DepayloadedFrame,
  type Depayloader,
  type PacketInfo,
  type Payloader,
  type RtpPacketLike,
  type RtpPayload,
} from './types.js';

export interface OpusPayloaderOptions {
  /** Maximum RTP payload size in bytes; default 1200. */
  maxPayloadSize?: number;
}

/**
 * RFC 7587 §4.2: exactly one Opus packet per RTP packet, never fragmented
 * (an Opus packet is at most 1275 bytes per frame, well under an MTU). The
 * marker bit is left to the sender (§4.1: first packet of a talkspurt), so it
 * is false here. An oversized packet is a caller error.
 */
export class OpusPayloader implements Payloader {
  readonly maxPayloadSize: number;

  constructor(options: OpusPayloaderOptions = {}) {
    this.maxPayloadSize = checkMaxPayloadSize('Opus', options.maxPayloadSize ?? 1200, 1);
  }

  payload(frame: Buffer): RtpPayload[] {
    if (frame.length === 0) return [];
    if (frame.length > this.maxPayloadSize) {
      throw new RangeError(
        `Opus payloader: packet of ${frame.length} bytes exceeds maxPayloadSize ${this.maxPayloadSize}; RFC 7587 forbids fragmentation, lower the encoder bitrate or frame size`,
      );
    }
    return [{ payload: frame, marker: false }];
  }
}

/** RFC 7587 depayloader: the payload is the Opus packet; every packet is a frame. */
export class OpusDepayloader implements Depayloader {
  readonly codec = 'opus';
  readonly packetIsFrame = true;
  readonly independentFrames = true;
  readonly counters = new Counters<DepayloadDropReason>();

  inspect(payload: Buffer): PacketInfo | undefined {
    // RFC 6716 §3.1: an Opus packet has at least the TOC byte.
    if (payload.length < 1) {
      this.counters.inc('malformedPacket');
      return undefined;
    }
    return { frameStart: true, keyframe: true };
  }

  depayload(packets: readonly RtpPacketLike[]): DepayloadedFrame | undefined {
    if (packets.length !== 1 || packets[0]!.payload.length < 1) {
      this.counters.inc(packets.length === 0 ? 'emptyFrame' : 'malformedFrame');
      return undefined;
    }
    return { data: packets[0]!.payload, timestamp: packets[0]!.timestamp, keyframe: true };
  }
}

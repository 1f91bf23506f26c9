import { Counters } from '@rivulet/common';
import { H264NalType, joinAnnexB } from './h264Nal.js';
import type { DepayloadDropReason, DepayloadedFrame, Depayloader, PacketInfo, RtpPacketLike } from './types.js';

/**
 * RFC 6184 depayloader for packetization-mode 0 and 1: single NAL unit
 * packets (§5.6), STAP-A (§5.7.1) and FU-A (§5.8). STAP-B, MTAP and FU-B
 * belong to interleaved mode, which we never negotiate: dropped and counted.
 * Output is an Annex B access unit with 4-byte start codes.
 */
export interface H264DepayloaderOptions {
  /**
   * Put the last SPS/PPS seen (or given by setParameterSets, e.g. from SDP
   * sprop-parameter-sets, RFC 6184 §8.1) ahead of an IDR access unit that
   * arrives without them, so a recorder or decoder starting there can decode
   * (default false: output is exactly what was sent).
   */
  insertParameterSets?: boolean;
}

export class H264Depayloader implements Depayloader {
  readonly codec = 'h264';
  readonly packetIsFrame = false;
  readonly independentFrames = false;
  readonly counters = new Counters<DepayloadDropReason>();
  private sps: Buffer | undefined;
  private pps: Buffer | undefined;
  private readonly insertParameterSets: boolean;

  constructor(options: H264DepayloaderOptions = {}) {
    this.insertParameterSets = options.insertParameterSets ?? false;
  }

  /**
   * Provides SPS and PPS known out of band (SDP sprop-parameter-sets, base64
   * decoded). Throws when either is not a NAL unit of the right type.
   */
  setParameterSets(sps: Buffer, pps: Buffer): void {
    if (sps.length < 2 || (sps[0]! & 0x9f) !== H264NalType.Sps) {
      throw new Error(`H264Depayloader.setParameterSets: sps must be an SPS NAL unit (type 7), got first byte 0x${(sps[0] ?? 0).toString(16)}`);
    }
    if (pps.length < 2 || (pps[0]! & 0x9f) !== H264NalType.Pps) {
      throw new Error(`H264Depayloader.setParameterSets: pps must be a PPS NAL unit (type 8), got first byte 0x${(pps[0] ?? 0).toString(16)}`);
    }
    this.sps = Buffer.from(sps);
    this.pps = Buffer.from(pps);
  }

  inspect(payload: Buffer): PacketInfo | undefined {
    if (payload.length < 1 || payload[0]! & 0x80) return this.bad('malformedPacket');
    const type = payload[0]! & 0x1f;
    if (type >= 1 && type <= 23) return { frameStart: true, keyframe: isKeyNal(type) };
    if (type === H264NalType.StapA) {
      let keyframe = false;
      let off = 1;
      while (off < payload.length) {
        if (off + 2 > payload.length) return this.bad('malformedPacket');
        const size = payload.readUInt16BE(off);
        if (size === 0 || off + 2 + size > payload.length) return this.bad('malformedPacket');
        if (isKeyNal(payload[off + 2]! & 0x1f)) keyframe = true;
        off += 2 + size;
      }
      if (off === 1) return this.bad('malformedPacket');
      return { frameStart: true, keyframe };
    }
    if (type === H264NalType.FuA) {
      if (payload.length < 3) return this.bad('malformedPacket');
      const start = (payload[1]! & 0x80) !== 0;
      return { frameStart: start, keyframe: start && isKeyNal(payload[1]! & 0x1f) };
    }
    return this.bad(type === 0 || type >= 30 ? 'malformedPacket' : 'unsupportedPacket');
  }

  depayload(packets: readonly RtpPacketLike[]): DepayloadedFrame | undefined {
    if (packets.length === 0) return this.bad('emptyFrame');
    const nals: Buffer[] = [];
    let fu: Buffer[] | undefined;
    for (const packet of packets) {
      const p = packet.payload;
      if (p.length < 1 || p[0]! & 0x80) return this.bad('malformedPacket');
      const type = p[0]! & 0x1f;
      if (type !== H264NalType.FuA && fu) return this.bad('malformedFrame'); // FU-A cut short
      if (type >= 1 && type <= 23) {
        nals.push(p);
      } else if (type === H264NalType.StapA) {
        let off = 1;
        if (p.length < 4) return this.bad('malformedPacket');
        while (off < p.length) {
          if (off + 2 > p.length) return this.bad('malformedPacket');
          const size = p.readUInt16BE(off);
          if (size === 0 || off + 2 + size > p.length) return this.bad('malformedPacket');
          nals.push(p.subarray(off + 2, off + 2 + size));
          off += 2 + size;
        }
      } else if (type === H264NalType.FuA) {
        if (p.length < 3) return this.bad('malformedPacket');
        const start = (p[1]! & 0x80) !== 0;
        const end = (p[1]! & 0x40) !== 0;
        if (start === !!fu) return this.bad('malformedFrame'); // a start inside a fragment, or a middle without one
        if (start) {
          // §5.8: the NAL header is F|NRI from the indicator and the type from the FU header.
          fu = [Buffer.from([(p[0]! & 0xe0) | (p[1]! & 0x1f)])];
        }
        fu!.push(p.subarray(2));
        if (end) {
          nals.push(Buffer.concat(fu!));
          fu = undefined;
        }
      } else {
        return this.bad(type === 0 || type >= 30 ? 'malformedPacket' : 'unsupportedPacket');
      }
    }
    if (fu || nals.length === 0) return this.bad('malformedFrame');
    let firstIdr = -1;
    let hasSps = false;
    let hasPps = false;
    nals.forEach((nal, i) => {
      const type = nal[0]! & 0x1f;
      if (type === H264NalType.Sps) {
        hasSps = true;
        this.sps = Buffer.from(nal);
      } else if (type === H264NalType.Pps) {
        hasPps = true;
        this.pps = Buffer.from(nal);
      } else if (type === H264NalType.Idr && firstIdr < 0) {
        firstIdr = i;
      }
    });
    if (firstIdr >= 0 && this.insertParameterSets && this.sps && this.pps && (!hasSps || !hasPps)) {
      nals.splice(firstIdr, 0, ...(hasSps ? [] : [this.sps]), ...(hasPps ? [] : [this.pps]));
    }
    // A keyframe is an IDR access unit whose SPS and PPS the decoder has (in it, or seen before).
    const keyframe = firstIdr >= 0 && this.sps !== undefined && this.pps !== undefined;
    return { data: joinAnnexB(nals), timestamp: packets[0]!.timestamp, keyframe };
  }

  private bad(reason: DepayloadDropReason): undefined {
    this.counters.inc(reason);
    return undefined;
  }
}

function isKeyNal(type: number): boolean {
  return type === H264NalType.Idr || type === H264NalType.Sps;
}

import { Counters } from '@rivulet/common';
import { H264NalType, h264NalType, splitAnnexB } from './h264Nal.js';
import { checkMaxPayloadSize, type Payloader, type RtpPayload } from './types.js';

export interface H264PayloaderOptions {
  /** Maximum RTP payload size in bytes; default 1200. */
  maxPayloadSize?: number;
  /**
   * Insert the last seen SPS/PPS ahead of an IDR that arrives without them,
   * so a receiver joining at any keyframe can decode (default true).
   */
  insertParameterSets?: boolean;
  /**
   * RFC 6184 §6.2 packetization-mode (default 1). Mode 0 sends only single NAL
   * unit packets: a NAL unit larger than maxPayloadSize cannot be sent and is
   * dropped and counted ('nalUnitTooLargeForMode0'); encode with slices that fit.
   */
  packetizationMode?: 0 | 1;
}

export type H264PayloaderEvent =
  | 'parameterSetsInserted'
  | 'idrWithoutParameterSets'
  | 'forbiddenBitDropped'
  | 'nalUnitTooLargeForMode0';

/**
 * RFC 6184 payloader, packetization-mode=1 (non-interleaved): a NAL unit that
 * fits goes alone (§5.6) or aggregated with its small neighbours into a STAP-A
 * (§5.7.1); a larger one is split into FU-A fragments (§5.8). The marker bit
 * is set on the last packet of the access unit (§5.1).
 */
export class H264Payloader implements Payloader {
  readonly maxPayloadSize: number;
  readonly counters = new Counters<H264PayloaderEvent>();
  private readonly insertParameterSets: boolean;
  readonly packetizationMode: 0 | 1;
  private sps: Buffer | undefined;
  private pps: Buffer | undefined;

  constructor(options: H264PayloaderOptions = {}) {
    this.maxPayloadSize = checkMaxPayloadSize('H.264', options.maxPayloadSize ?? 1200, 3);
    this.insertParameterSets = options.insertParameterSets ?? true;
    const mode = options.packetizationMode ?? 1;
    if (mode !== 0 && mode !== 1) {
      throw new RangeError(`H.264 payloader: packetizationMode must be 0 or 1 (interleaved mode 2 is not supported), got ${String(mode)}`);
    }
    this.packetizationMode = mode;
  }

  /** Payloads one access unit given as an Annex B byte string. */
  payload(frame: Buffer): RtpPayload[] {
    return this.payloadNalUnits(splitAnnexB(frame));
  }

  /** Payloads one access unit given as NAL units without start codes. */
  payloadNalUnits(input: readonly Buffer[]): RtpPayload[] {
    const nals: Buffer[] = [];
    let hasSps = false;
    let hasPps = false;
    let firstIdr = -1;
    for (const nal of input) {
      if (nal.length === 0) continue;
      if (nal[0]! & 0x80) {
        this.counters.inc('forbiddenBitDropped'); // forbidden_zero_bit set: not a valid NAL unit
        continue;
      }
      const type = h264NalType(nal);
      if (type === H264NalType.Sps) {
        hasSps = true;
        this.sps = Buffer.from(nal);
      } else if (type === H264NalType.Pps) {
        hasPps = true;
        this.pps = Buffer.from(nal);
      } else if (type === H264NalType.Idr && firstIdr < 0) {
        firstIdr = nals.length;
      }
      nals.push(nal);
    }
    if (firstIdr >= 0 && this.insertParameterSets && (!hasSps || !hasPps)) {
      if (this.sps && this.pps) {
        const missing: Buffer[] = [];
        if (!hasSps) missing.push(this.sps);
        if (!hasPps) missing.push(this.pps);
        nals.splice(firstIdr, 0, ...missing);
        this.counters.inc('parameterSetsInserted');
      } else {
        this.counters.inc('idrWithoutParameterSets');
      }
    }
    return this.packetize(nals);
  }

  private packetize(nals: readonly Buffer[]): RtpPayload[] {
    const mtu = this.maxPayloadSize;
    const out: RtpPayload[] = [];
    let i = 0;
    while (i < nals.length) {
      const nal = nals[i]!;
      if (this.packetizationMode === 0) {
        if (nal.length > mtu) this.counters.inc('nalUnitTooLargeForMode0');
        else out.push({ payload: Buffer.from(nal), marker: false });
        i++;
        continue;
      }
      if (nal.length > mtu) {
        this.fragment(nal, out);
        i++;
        continue;
      }
      // Gather following NAL units while a STAP-A (1-byte header, 2-byte sizes) still fits.
      let j = i + 1;
      let size = 1 + 2 + nal.length;
      while (j < nals.length && size + 2 + nals[j]!.length <= mtu) {
        size += 2 + nals[j]!.length;
        j++;
      }
      if (j === i + 1) {
        out.push({ payload: Buffer.from(nal), marker: false });
      } else {
        const payload = Buffer.allocUnsafe(size);
        let f = 0;
        let nri = 0;
        let off = 1;
        for (let k = i; k < j; k++) {
          const n = nals[k]!;
          f |= n[0]! & 0x80;
          nri = Math.max(nri, n[0]! & 0x60); // §5.7.1: NRI is the maximum of the aggregated units
          payload.writeUInt16BE(n.length, off);
          n.copy(payload, off + 2);
          off += 2 + n.length;
        }
        payload[0] = f | nri | H264NalType.StapA;
        out.push({ payload, marker: false });
      }
      i = j;
    }
    if (out.length > 0) out[out.length - 1]!.marker = true;
    return out;
  }

  /** RFC 6184 §5.8 FU-A: the NAL header is split into the FU indicator and FU header. */
  private fragment(nal: Buffer, out: RtpPayload[]): void {
    const indicator = (nal[0]! & 0xe0) | H264NalType.FuA;
    const type = nal[0]! & 0x1f;
    const chunk = this.maxPayloadSize - 2;
    for (let off = 1; off < nal.length; off += chunk) {
      const end = Math.min(nal.length, off + chunk);
      const payload = Buffer.allocUnsafe(2 + end - off);
      payload[0] = indicator;
      payload[1] = type | (off === 1 ? 0x80 : 0) | (end === nal.length ? 0x40 : 0);
      nal.copy(payload, 2, off, end);
      out.push({ payload, marker: false });
    }
  }
}

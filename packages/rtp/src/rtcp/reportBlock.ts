import type { ByteReader, ByteWriter } from '@rivulet/common';
import { checkInt, checkUint } from './header.js';

/** RFC 3550 §6.4.1 reception report block (24 bytes). */
export interface RtcpReportBlock {
  ssrc: number;
  /** Fraction lost since the previous report, as an 8-bit fixed point (lost/expected * 256). */
  fractionLost: number;
  /** Cumulative number of packets lost: a signed 24-bit value (duplicates can make it negative). */
  packetsLost: number;
  /** Extended highest sequence number received (cycles << 16 | seq). */
  highestSequence: number;
  /** Interarrival jitter in timestamp units. */
  jitter: number;
  /** Middle 32 bits of the NTP timestamp of the last SR (LSR). */
  lastSr: number;
  /** Delay since the last SR in 1/65536 s (DLSR). */
  delaySinceLastSr: number;
}

export const REPORT_BLOCK_SIZE = 24;

export function readReportBlock(r: ByteReader): RtcpReportBlock {
  const ssrc = r.u32();
  const fractionLost = r.u8();
  const lost24 = r.u24();
  return {
    ssrc,
    fractionLost,
    packetsLost: lost24 & 0x800000 ? lost24 - 0x1000000 : lost24,
    highestSequence: r.u32(),
    jitter: r.u32(),
    lastSr: r.u32(),
    delaySinceLastSr: r.u32(),
  };
}

export function writeReportBlock(w: ByteWriter, b: RtcpReportBlock): void {
  checkUint('report block ssrc', b.ssrc, 32);
  checkUint('report block fractionLost', b.fractionLost, 8);
  checkInt('report block packetsLost', b.packetsLost, 24);
  checkUint('report block highestSequence', b.highestSequence, 32);
  checkUint('report block jitter', b.jitter, 32);
  checkUint('report block lastSr', b.lastSr, 32);
  checkUint('report block delaySinceLastSr', b.delaySinceLastSr, 32);
  w.u32(b.ssrc).u8(b.fractionLost).u24(b.packetsLost & 0xffffff).u32(b.highestSequence).u32(b.jitter).u32(b.lastSr).u32(b.delaySinceLastSr);
}

export function readReportBlocks(r: ByteReader, count: number): RtcpReportBlock[] {
  const out: RtcpReportBlock[] = [];
  for (let i = 0; i < count; i++) out.push(readReportBlock(r));
  return out;
}

export function checkReportCount(what: string, n: number): void {
  if (n > 31) throw new Error(`${what} can carry at most 31 report blocks, got ${n}`);
}

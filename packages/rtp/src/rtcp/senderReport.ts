import { ByteReader, type ByteWriter } from '@rivulet/common';
import { type RtcpReportBlock, checkReportCount, readReportBlocks, writeReportBlock } from './reportBlock.js';
import { checkUint } from './header.js';

/** RFC 3550 §6.4.1 sender report (PT 200). */
export interface RtcpSenderReport {
  kind: 'sr';
  ssrc: number;
  /** 64-bit NTP timestamp (seconds since 1900 << 32 | fraction). */
  ntpTimestamp: bigint;
  rtpTimestamp: number;
  packetCount: number;
  octetCount: number;
  reports: RtcpReportBlock[];
  /** Profile-specific extension bytes after the report blocks (RFC 3550 §6.4.1), if any. */
  profileExtension?: Buffer;
}

export function parseSenderReport(count: number, body: Buffer): RtcpSenderReport {
  const r = new ByteReader(body);
  const p: RtcpSenderReport = {
    kind: 'sr',
    ssrc: r.u32(),
    ntpTimestamp: r.u64(),
    rtpTimestamp: r.u32(),
    packetCount: r.u32(),
    octetCount: r.u32(),
    reports: [],
  };
  p.reports = readReportBlocks(r, count);
  if (r.remaining > 0) p.profileExtension = r.rest();
  return p;
}

export function writeSenderReport(p: RtcpSenderReport, w: ByteWriter): number {
  checkUint('SR ssrc', p.ssrc, 32);
  if (p.ntpTimestamp < 0n || p.ntpTimestamp > 0xffffffffffffffffn) throw new Error(`SR ntpTimestamp must be a uint64, got ${p.ntpTimestamp}`);
  checkUint('SR rtpTimestamp', p.rtpTimestamp, 32);
  checkUint('SR packetCount', p.packetCount, 32);
  checkUint('SR octetCount', p.octetCount, 32);
  checkReportCount('SR', p.reports.length);
  w.u32(p.ssrc).u64(p.ntpTimestamp).u32(p.rtpTimestamp).u32(p.packetCount).u32(p.octetCount);
  for (const b of p.reports) writeReportBlock(w, b);
  if (p.profileExtension) {
    if (p.profileExtension.length % 4 !== 0) throw new Error(`SR profileExtension must be a multiple of 4 bytes, got ${p.profileExtension.length}`);
    w.bytes(p.profileExtension);
  }
  return p.reports.length;
}

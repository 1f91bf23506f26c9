import { ByteReader, type ByteWriter } from '@rivulet/common';
import { type RtcpReportBlock, checkReportCount, readReportBlocks, writeReportBlock } from './reportBlock.js';
import { checkUint } from './header.js';

/** RFC 3550 §6.4.2 receiver report (PT 201). */
export interface RtcpReceiverReport {
  kind: 'rr';
  ssrc: number;
  reports: RtcpReportBlock[];
  /** Profile-specific extension bytes after the report blocks, if any. */
  profileExtension?: Buffer;
}

export function parseReceiverReport(count: number, body: Buffer): RtcpReceiverReport {
  const r = new ByteReader(body);
  const ssrc = r.u32();
  const p: RtcpReceiverReport = { kind: 'rr', ssrc, reports: readReportBlocks(r, count) };
  if (r.remaining > 0) p.profileExtension = r.rest();
  return p;
}

export function writeReceiverReport(p: RtcpReceiverReport, w: ByteWriter): number {
  checkUint('RR ssrc', p.ssrc, 32);
  checkReportCount('RR', p.reports.length);
  w.u32(p.ssrc);
  for (const b of p.reports) writeReportBlock(w, b);
  if (p.profileExtension) {
    if (p.profileExtension.length % 4 !== 0) throw new Error(`RR profileExtension must be a multiple of 4 bytes, got ${p.profileExtension.length}`);
    w.bytes(p.profileExtension);
  }
  return p.reports.length;
}

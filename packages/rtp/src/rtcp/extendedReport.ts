import { ByteReader, type ByteWriter, ParseError } from '@rivulet/common';
import { checkUint } from './header.js';

/** RFC 3611 §4.4 Receiver Reference Time report block (BT 4). */
export interface XrReceiverReferenceTime {
  type: 'rrt';
  ntpTimestamp: bigint;
}

/** RFC 3611 §4.5 DLRR sub-block. */
export interface XrDlrrItem {
  ssrc: number;
  /** Middle 32 bits of the NTP timestamp of the last RRT block received (LRR). */
  lastRr: number;
  /** Delay since that RRT in 1/65536 s (DLRR). */
  delaySinceLastRr: number;
}

/** RFC 3611 §4.5 DLRR report block (BT 5). */
export interface XrDlrr {
  type: 'dlrr';
  items: XrDlrrItem[];
}

/** Any other block type, kept as raw bytes. */
export interface XrUnknownBlock {
  type: 'unknown';
  blockType: number;
  typeSpecific: number;
  data: Buffer;
}

export type XrBlock = XrReceiverReferenceTime | XrDlrr | XrUnknownBlock;

/** RFC 3611 §2 extended report (PT 207). */
export interface RtcpExtendedReport {
  kind: 'xr';
  ssrc: number;
  blocks: XrBlock[];
}

export function parseExtendedReport(body: Buffer): RtcpExtendedReport {
  const r = new ByteReader(body);
  const ssrc = r.u32();
  const blocks: XrBlock[] = [];
  while (r.remaining >= 4) {
    const blockType = r.u8();
    const typeSpecific = r.u8();
    // RFC 3611 §3: block length in 32-bit words minus one, counting the 4-byte block header.
    const data = r.bytes(r.u16() * 4);
    if (blockType === 4) {
      if (data.length !== 8) throw new ParseError(`XR RRT block must be 8 bytes, got ${data.length}`);
      blocks.push({ type: 'rrt', ntpTimestamp: data.readBigUInt64BE(0) });
    } else if (blockType === 5) {
      if (data.length % 12 !== 0) throw new ParseError(`XR DLRR block must be a multiple of 12 bytes, got ${data.length}`);
      const items: XrDlrrItem[] = [];
      for (let o = 0; o < data.length; o += 12) {
        items.push({ ssrc: data.readUInt32BE(o), lastRr: data.readUInt32BE(o + 4), delaySinceLastRr: data.readUInt32BE(o + 8) });
      }
      blocks.push({ type: 'dlrr', items });
    } else {
      blocks.push({ type: 'unknown', blockType, typeSpecific, data });
    }
  }
  return { kind: 'xr', ssrc, blocks };
}

export function writeExtendedReport(p: RtcpExtendedReport, w: ByteWriter): number {
  checkUint('XR ssrc', p.ssrc, 32);
  w.u32(p.ssrc);
  for (const b of p.blocks) {
    if (b.type === 'rrt') {
      if (b.ntpTimestamp < 0n || b.ntpTimestamp > 0xffffffffffffffffn) throw new Error(`XR RRT ntpTimestamp must be a uint64, got ${b.ntpTimestamp}`);
      w.u8(4).u8(0).u16(2).u64(b.ntpTimestamp);
    } else if (b.type === 'dlrr') {
      checkUint('XR DLRR block length', b.items.length * 3, 16);
      w.u8(5).u8(0).u16(b.items.length * 3);
      for (const it of b.items) {
        checkUint('XR DLRR ssrc', it.ssrc, 32);
        checkUint('XR DLRR lastRr', it.lastRr, 32);
        checkUint('XR DLRR delaySinceLastRr', it.delaySinceLastRr, 32);
        w.u32(it.ssrc).u32(it.lastRr).u32(it.delaySinceLastRr);
      }
    } else {
      checkUint('XR block type', b.blockType, 8);
      checkUint('XR type-specific byte', b.typeSpecific, 8);
      if (b.data.length % 4 !== 0) throw new Error(`XR block ${b.blockType} data must be a multiple of 4 bytes, got ${b.data.length}`);
      w.u8(b.blockType).u8(b.typeSpecific).u16(b.data.length / 4).bytes(b.data);
    }
  }
  return 0;
}

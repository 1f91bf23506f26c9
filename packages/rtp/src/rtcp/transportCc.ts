import { ByteReader, type ByteWriter, ParseError } from '@rivulet/common';
import { checkInt, checkUint } from './header.js';

/**
 * draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1 transport-wide
 * congestion control feedback (RTPFB, FMT 15).
 */

/** §3.1.1 packet status symbols. */
export const TwccStatus = {
  NotReceived: 0,
  SmallDelta: 1,
  LargeDelta: 2,
  /** "Packet received, w/o recv delta" — reserved in -01; parsed, carries no delta. */
  ReceivedNoDelta: 3,
} as const;

/** §3.1.3 run length chunk: T=0, 2-bit symbol, 13-bit run length. */
export interface TwccRunLengthChunk {
  type: 'runLength';
  status: number;
  runLength: number;
}

/** §3.1.4 status vector chunk: T=1, S=0 → 14 one-bit symbols, S=1 → 7 two-bit symbols. */
export interface TwccStatusVectorChunk {
  type: 'statusVector';
  symbolSize: 1 | 2;
  /** Up to 14 (1-bit) or 7 (2-bit) symbols; missing trailing symbols are written as 0. */
  symbols: number[];
}

export type TwccChunk = TwccRunLengthChunk | TwccStatusVectorChunk;

export interface RtcpTransportCc {
  kind: 'twcc';
  senderSsrc: number;
  mediaSsrc: number;
  baseSequenceNumber: number;
  packetStatusCount: number;
  /** 24-bit reference time in multiples of 64 ms (read unsigned, as on the wire). */
  referenceTime: number;
  /** 8-bit feedback packet count. */
  feedbackPacketCount: number;
  chunks: TwccChunk[];
  /** Receive deltas in 250 µs ticks, one per packet with status 1 (0..255) or 2 (-32768..32767). */
  recvDeltas: number[];
}

export const TWCC_FMT = 15;

/** Per-packet statuses of the first `count` packets described by the chunks. */
export function twccStatuses(chunks: readonly TwccChunk[], count: number): number[] {
  const out: number[] = [];
  for (const c of chunks) {
    if (out.length >= count) break;
    if (c.type === 'runLength') {
      for (let i = 0; i < c.runLength && out.length < count; i++) out.push(c.status);
    } else {
      const n = c.symbolSize === 1 ? 14 : 7;
      for (let i = 0; i < n && out.length < count; i++) out.push(c.symbols[i] ?? 0);
    }
  }
  return out;
}

export function parseTransportCc(body: Buffer): RtcpTransportCc {
  const r = new ByteReader(body);
  const senderSsrc = r.u32();
  const mediaSsrc = r.u32();
  const baseSequenceNumber = r.u16();
  const packetStatusCount = r.u16();
  const referenceTime = r.u24();
  const feedbackPacketCount = r.u8();
  const chunks: TwccChunk[] = [];
  const statuses: number[] = [];
  while (statuses.length < packetStatusCount) {
    const v = r.u16();
    if ((v & 0x8000) === 0) {
      const status = (v >> 13) & 3;
      const runLength = v & 0x1fff;
      if (runLength === 0) throw new ParseError('TWCC run length chunk with run length 0');
      chunks.push({ type: 'runLength', status, runLength });
      for (let i = 0; i < runLength && statuses.length < packetStatusCount; i++) statuses.push(status);
    } else if ((v & 0x4000) === 0) {
      const symbols: number[] = [];
      for (let i = 13; i >= 0; i--) symbols.push((v >> i) & 1);
      chunks.push({ type: 'statusVector', symbolSize: 1, symbols });
      for (let i = 0; i < 14 && statuses.length < packetStatusCount; i++) statuses.push(symbols[i]!);
    } else {
      const symbols: number[] = [];
      for (let i = 12; i >= 0; i -= 2) symbols.push((v >> i) & 3);
      chunks.push({ type: 'statusVector', symbolSize: 2, symbols });
      for (let i = 0; i < 7 && statuses.length < packetStatusCount; i++) statuses.push(symbols[i]!);
    }
  }
  const recvDeltas: number[] = [];
  for (const s of statuses) {
    if (s === TwccStatus.SmallDelta) recvDeltas.push(r.u8());
    else if (s === TwccStatus.LargeDelta) {
      const d = r.u16();
      recvDeltas.push(d & 0x8000 ? d - 0x10000 : d);
    }
  }
  // Anything left is zero padding to the 32-bit boundary (§3.1).
  return { kind: 'twcc', senderSsrc, mediaSsrc, baseSequenceNumber, packetStatusCount, referenceTime, feedbackPacketCount, chunks, recvDeltas };
}

export function writeTransportCc(p: RtcpTransportCc, w: ByteWriter): number {
  checkUint('TWCC senderSsrc', p.senderSsrc, 32);
  checkUint('TWCC mediaSsrc', p.mediaSsrc, 32);
  checkUint('TWCC baseSequenceNumber', p.baseSequenceNumber, 16);
  checkUint('TWCC packetStatusCount', p.packetStatusCount, 16);
  checkUint('TWCC referenceTime', p.referenceTime, 24);
  checkUint('TWCC feedbackPacketCount', p.feedbackPacketCount, 8);
  const statuses = twccStatuses(p.chunks, p.packetStatusCount);
  if (statuses.length < p.packetStatusCount) {
    throw new Error(`TWCC chunks describe ${statuses.length} packets but packetStatusCount is ${p.packetStatusCount}`);
  }
  const needDeltas = statuses.filter((s) => s === 1 || s === 2).length;
  if (needDeltas !== p.recvDeltas.length) {
    throw new Error(`TWCC statuses need ${needDeltas} receive deltas, got ${p.recvDeltas.length}`);
  }
  w.u32(p.senderSsrc).u32(p.mediaSsrc).u16(p.baseSequenceNumber).u16(p.packetStatusCount).u24(p.referenceTime).u8(p.feedbackPacketCount);
  for (const c of p.chunks) {
    if (c.type === 'runLength') {
      checkUint('TWCC run length status', c.status, 2);
      if (c.runLength < 1 || c.runLength > 0x1fff || !Number.isInteger(c.runLength)) {
        throw new Error(`TWCC run length must be 1..8191, got ${c.runLength}`);
      }
      w.u16((c.status << 13) | c.runLength);
    } else {
      const n = c.symbolSize === 1 ? 14 : 7;
      if (c.symbolSize !== 1 && c.symbolSize !== 2) throw new Error(`TWCC symbolSize must be 1 or 2, got ${String(c.symbolSize)}`);
      if (c.symbols.length > n) throw new Error(`TWCC ${c.symbolSize}-bit status vector holds ${n} symbols, got ${c.symbols.length}`);
      let v = 0x8000 | (c.symbolSize === 2 ? 0x4000 : 0);
      for (let i = 0; i < n; i++) {
        const s = c.symbols[i] ?? 0;
        checkUint('TWCC status symbol', s, c.symbolSize);
        v |= s << (c.symbolSize === 1 ? 13 - i : 12 - 2 * i);
      }
      w.u16(v);
    }
  }
  let k = 0;
  for (const s of statuses) {
    if (s === TwccStatus.SmallDelta) {
      const d = p.recvDeltas[k++]!;
      checkUint('TWCC small receive delta', d, 8);
      w.u8(d);
    } else if (s === TwccStatus.LargeDelta) {
      const d = p.recvDeltas[k++]!;
      checkInt('TWCC large receive delta', d, 16);
      w.u16(d & 0xffff);
    }
  }
  return TWCC_FMT;
}

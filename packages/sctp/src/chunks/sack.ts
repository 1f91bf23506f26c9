import { ParseError } from '@rivulet/common';
import type { ChunkCodec } from './codec.js';
import type { SackChunk } from './types.js';

/**
 * SACK (RFC 9260 §3.3.4): cumulative TSN ack, a_rwnd, gap ack blocks as
 * 16-bit offsets from the cumulative ack, then duplicate TSNs.
 */
export const sackCodec: ChunkCodec<SackChunk> = {
  parse(_flags, value) {
    if (value.length < 12) throw new ParseError(`SACK value of ${value.length} bytes is shorter than 12`);
    const numGaps = value.readUInt16BE(8);
    const numDups = value.readUInt16BE(10);
    const need = 12 + numGaps * 4 + numDups * 4;
    if (value.length < need) {
      throw new ParseError(`SACK announces ${numGaps} gap blocks and ${numDups} duplicates (${need} bytes), has ${value.length}`);
    }
    const gapBlocks = new Array<{ start: number; end: number }>(numGaps);
    let off = 12;
    for (let i = 0; i < numGaps; i++, off += 4) {
      gapBlocks[i] = { start: value.readUInt16BE(off), end: value.readUInt16BE(off + 2) };
    }
    const duplicateTsns = new Array<number>(numDups);
    for (let i = 0; i < numDups; i++, off += 4) duplicateTsns[i] = value.readUInt32BE(off);
    return { type: 3, cumTsnAck: value.readUInt32BE(0), aRwnd: value.readUInt32BE(4), gapBlocks, duplicateTsns };
  },
  flags: () => 0,
  valueLength: (c) => 12 + 4 * c.gapBlocks.length + 4 * c.duplicateTsns.length,
  writeValue(c, buf, off) {
    buf.writeUInt32BE(c.cumTsnAck >>> 0, off);
    buf.writeUInt32BE(c.aRwnd >>> 0, off + 4);
    buf.writeUInt16BE(c.gapBlocks.length, off + 8);
    buf.writeUInt16BE(c.duplicateTsns.length, off + 10);
    off += 12;
    for (const g of c.gapBlocks) {
      buf.writeUInt16BE(g.start, off);
      buf.writeUInt16BE(g.end, off + 2);
      off += 4;
    }
    for (const d of c.duplicateTsns) {
      buf.writeUInt32BE(d >>> 0, off);
      off += 4;
    }
  },
};

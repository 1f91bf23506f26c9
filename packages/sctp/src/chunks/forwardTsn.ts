import { ParseError } from '@rivulet/common';
import type { ChunkCodec } from './codec.js';
import type { ForwardTsnChunk } from './types.js';

/**
 * FORWARD TSN (RFC 3758 §3.2): the new cumulative TSN, then (stream, SSN)
 * pairs naming the largest skipped SSN of each ordered stream so the
 * receiver can move past abandoned ordered messages.
 */
export const forwardTsnCodec: ChunkCodec<ForwardTsnChunk> = {
  parse(_flags, value) {
    if (value.length < 4 || (value.length - 4) % 4 !== 0) {
      throw new ParseError(`FORWARD TSN value of ${value.length} bytes is not 4 + 4n`);
    }
    const streams: { streamId: number; ssn: number }[] = [];
    for (let off = 4; off < value.length; off += 4) {
      streams.push({ streamId: value.readUInt16BE(off), ssn: value.readUInt16BE(off + 2) });
    }
    return { type: 192, newCumulativeTsn: value.readUInt32BE(0), streams };
  },
  flags: () => 0,
  valueLength: (c) => 4 + 4 * c.streams.length,
  writeValue(c, buf, off) {
    buf.writeUInt32BE(c.newCumulativeTsn >>> 0, off);
    off += 4;
    for (const s of c.streams) {
      buf.writeUInt16BE(s.streamId, off);
      buf.writeUInt16BE(s.ssn, off + 2);
      off += 4;
    }
  },
};

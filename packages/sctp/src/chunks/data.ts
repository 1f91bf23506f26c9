import { ParseError } from '@rivulet/common';
import type { ChunkCodec } from './codec.js';
import type { DataChunk } from './types.js';

/**
 * DATA (RFC 9260 §3.3.1): flags I(3) U(2) B(1) E(0); TSN, stream id,
 * stream sequence number, payload protocol identifier, user data. A DATA
 * chunk without user data is a protocol error (§6.2: "No User Data").
 */
export const DATA_HEADER_LENGTH = 16;

/** Reads a DATA chunk whose header starts at `off` and whose bytes end at `end`. */
export function parseDataAt(buf: Buffer, off: number, end: number, flags: number): DataChunk {
  if (end - off < 16) throw new ParseError(`DATA chunk value of ${end - off - 4} bytes is shorter than 12`);
  return {
    type: 0,
    immediate: (flags & 0x08) !== 0,
    unordered: (flags & 0x04) !== 0,
    beginning: (flags & 0x02) !== 0,
    ending: (flags & 0x01) !== 0,
    tsn: buf.readUInt32BE(off + 4),
    streamId: buf.readUInt16BE(off + 8),
    ssn: buf.readUInt16BE(off + 10),
    ppid: buf.readUInt32BE(off + 12),
    userData: buf.subarray(off + 16, end),
  };
}

export const dataCodec: ChunkCodec<DataChunk> = {
  parse(flags, value) {
    // `value` starts 4 bytes into the chunk; parseDataAt wants the chunk's start.
    return parseDataAt(value, -4, value.length, flags);
  },
  flags(c) {
    return (c.immediate ? 8 : 0) | (c.unordered ? 4 : 0) | (c.beginning ? 2 : 0) | (c.ending ? 1 : 0);
  },
  valueLength(c) {
    return 12 + c.userData.length;
  },
  writeValue(c, buf, off) {
    buf.writeUInt32BE(c.tsn >>> 0, off);
    buf.writeUInt16BE(c.streamId, off + 4);
    buf.writeUInt16BE(c.ssn, off + 6);
    buf.writeUInt32BE(c.ppid >>> 0, off + 8);
    c.userData.copy(buf, off + 12);
  },
};

import { ParseError } from '@rivulet/common';
import type { ChunkCodec } from './codec.js';
import type { DataChunk } from './types.js';

/**
 * DATA (RFC 9260 §3.3.1): flags I(3) U(2) B(1) E(0); TSN, stream id,
 * stream sequence number, payload protocol identifier, user data. A DATA
 * chunk without user data is a protocol error (§6.2: "No User Data").
 */
export const DATA_HEADER_LENGTH = 16;

export const dataCodec: ChunkCodec<DataChunk> = {
  parse(flags, value) {
    if (value.length < 12) throw new ParseError(`DATA chunk value of ${value.length} bytes is shorter than 12`);
    return {
      type: 0,
      immediate: (flags & 0x08) !== 0,
      unordered: (flags & 0x04) !== 0,
      beginning: (flags & 0x02) !== 0,
      ending: (flags & 0x01) !== 0,
      tsn: value.readUInt32BE(0),
      streamId: value.readUInt16BE(4),
      ssn: value.readUInt16BE(6),
      ppid: value.readUInt32BE(8),
      userData: value.subarray(12),
    };
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

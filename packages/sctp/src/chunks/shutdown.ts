import { ParseError } from '@rivulet/common';
import type { ChunkCodec } from './codec.js';
import type { ShutdownChunk } from './types.js';

/** SHUTDOWN (RFC 9260 §3.3.8): the cumulative TSN ack, nothing else. */
export const shutdownCodec: ChunkCodec<ShutdownChunk> = {
  parse(_flags, value) {
    if (value.length < 4) throw new ParseError(`SHUTDOWN value of ${value.length} bytes is shorter than 4`);
    return { type: 7, cumTsnAck: value.readUInt32BE(0) };
  },
  flags: () => 0,
  valueLength: () => 4,
  writeValue: (c, buf, off) => void buf.writeUInt32BE(c.cumTsnAck >>> 0, off),
};

import type { ChunkCodec } from './codec.js';
import { parseTlvs, tlvsLength, writeTlvs } from './tlv.js';
import type { AbortChunk } from './types.js';

/**
 * ABORT (RFC 9260 §3.3.7): T flag (bit 0) set when the verification tag is
 * reflected, followed by zero or more error causes.
 */
export const abortCodec: ChunkCodec<AbortChunk> = {
  parse: (flags, value) => ({ type: 6, reflected: (flags & 1) !== 0, causes: parseTlvs(value) }),
  flags: (c) => (c.reflected ? 1 : 0),
  valueLength: (c) => tlvsLength(c.causes),
  writeValue: (c, buf, off) => void writeTlvs(c.causes, buf, off),
};

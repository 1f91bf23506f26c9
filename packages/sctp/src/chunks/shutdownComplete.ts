import type { ChunkCodec } from './codec.js';
import type { ShutdownCompleteChunk } from './types.js';

/** SHUTDOWN COMPLETE (RFC 9260 §3.3.13): T flag only, as for ABORT. */
export const shutdownCompleteCodec: ChunkCodec<ShutdownCompleteChunk> = {
  parse: (flags) => ({ type: 14, reflected: (flags & 1) !== 0 }),
  flags: (c) => (c.reflected ? 1 : 0),
  valueLength: () => 0,
  writeValue: () => undefined,
};

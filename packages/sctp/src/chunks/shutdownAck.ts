import type { ChunkCodec } from './codec.js';
import type { ShutdownAckChunk } from './types.js';

/** SHUTDOWN ACK (RFC 9260 §3.3.9): no value. */
export const shutdownAckCodec: ChunkCodec<ShutdownAckChunk> = {
  parse: () => ({ type: 8 }),
  flags: () => 0,
  valueLength: () => 0,
  writeValue: () => undefined,
};

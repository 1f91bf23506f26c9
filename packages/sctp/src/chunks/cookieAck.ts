import type { ChunkCodec } from './codec.js';
import type { CookieAckChunk } from './types.js';

/** COOKIE ACK (RFC 9260 §3.3.12): no value. */
export const cookieAckCodec: ChunkCodec<CookieAckChunk> = {
  parse: () => ({ type: 11 }),
  flags: () => 0,
  valueLength: () => 0,
  writeValue: () => undefined,
};

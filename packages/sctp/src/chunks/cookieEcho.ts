import type { ChunkCodec } from './codec.js';
import type { CookieEchoChunk } from './types.js';

/** COOKIE ECHO (RFC 9260 §3.3.11): the state cookie from the INIT ACK, verbatim. */
export const cookieEchoCodec: ChunkCodec<CookieEchoChunk> = {
  parse: (_flags, value) => ({ type: 10, cookie: value }),
  flags: () => 0,
  valueLength: (c) => c.cookie.length,
  writeValue: (c, buf, off) => void c.cookie.copy(buf, off),
};

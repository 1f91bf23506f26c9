import type { UnknownChunk } from './types.js';

/**
 * PAD chunk (RFC 4820 §3): type 0x84, flags 0, then any number of padding bytes that the
 * receiver discards. The two high bits of 0x84 are 10 (RFC 9260 §3.2: skip the chunk and go on
 * processing the packet, no error report), so a peer that does not know PAD still processes the
 * rest of the packet. RFC 8899 §6.2.1.2 bundles it with a HEARTBEAT to make a PLPMTU probe of an
 * exact size.
 *
 * It has no codec of its own: it travels as the generic 'unknown' chunk form, which
 * writeChunk() serializes verbatim and parseChunkAt() produces for type 0x84.
 */
export const PAD_CHUNK_TYPE = 0x84;

/** Header bytes of a PAD chunk (type, flags, length). */
export const PAD_HEADER_LENGTH = 4;

/**
 * A PAD chunk occupying exactly `totalLength` bytes in a packet (header included). The length
 * must be a multiple of 4 so no trailing chunk padding is added (RFC 9260 §3.2).
 */
export function padChunk(totalLength: number): UnknownChunk {
  if (!Number.isInteger(totalLength) || totalLength < PAD_HEADER_LENGTH || totalLength % 4 !== 0 || totalLength > 0xffff) {
    throw new RangeError(`padChunk: total length ${totalLength} must be a multiple of 4 in [4, 65532]`);
  }
  return { type: 'unknown', code: PAD_CHUNK_TYPE, flags: 0, value: Buffer.alloc(totalLength - PAD_HEADER_LENGTH) };
}

import type { Chunk } from './types.js';

/**
 * The contract every chunk file implements. The chunk header (type, flags,
 * length; RFC 9260 §3.2) is handled once in chunk.ts; a codec deals with the
 * flags byte and the value only, and writes straight into the packet buffer
 * so that assembling a packet costs one allocation.
 */
export interface ChunkCodec<C extends Chunk> {
  /** Parses a chunk value (without header and padding); throws ParseError. */
  parse(flags: number, value: Buffer): C;
  flags(chunk: C): number;
  /** Length of the value in bytes, without the 4-byte header and padding. */
  valueLength(chunk: C): number;
  /** Writes the value at `off`; the caller has reserved valueLength bytes. */
  writeValue(chunk: C, buf: Buffer, off: number): void;
}

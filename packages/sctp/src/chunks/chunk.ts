import { ParseError } from '@rivulet/common';
import { abortCodec } from './abort.js';
import type { ChunkCodec } from './codec.js';
import { cookieAckCodec } from './cookieAck.js';
import { cookieEchoCodec } from './cookieEcho.js';
import { dataCodec, parseDataAt } from './data.js';
import { errorCodec } from './error.js';
import { forwardTsnCodec } from './forwardTsn.js';
import { heartbeatAckCodec, heartbeatCodec } from './heartbeat.js';
import { initAckCodec, initCodec } from './init.js';
import { reconfigCodec } from './reconfig.js';
import { sackCodec } from './sack.js';
import { shutdownCodec } from './shutdown.js';
import { shutdownAckCodec } from './shutdownAck.js';
import { shutdownCompleteCodec } from './shutdownComplete.js';
import { pad4, type Chunk } from './types.js';

/**
 * The chunk header (RFC 9260 §3.2): type(1) flags(1) length(2), value,
 * zero padding to 4 bytes (not counted in length). Dispatch to one codec
 * per chunk type lives here.
 */
const CODECS = new Map<number, ChunkCodec<Chunk>>([
  [0, dataCodec as ChunkCodec<Chunk>],
  [1, initCodec as ChunkCodec<Chunk>],
  [2, initAckCodec as ChunkCodec<Chunk>],
  [3, sackCodec as ChunkCodec<Chunk>],
  [4, heartbeatCodec as ChunkCodec<Chunk>],
  [5, heartbeatAckCodec as ChunkCodec<Chunk>],
  [6, abortCodec as ChunkCodec<Chunk>],
  [7, shutdownCodec as ChunkCodec<Chunk>],
  [8, shutdownAckCodec as ChunkCodec<Chunk>],
  [9, errorCodec as ChunkCodec<Chunk>],
  [10, cookieEchoCodec as ChunkCodec<Chunk>],
  [11, cookieAckCodec as ChunkCodec<Chunk>],
  [14, shutdownCompleteCodec as ChunkCodec<Chunk>],
  [130, reconfigCodec as ChunkCodec<Chunk>],
  [192, forwardTsnCodec as ChunkCodec<Chunk>],
]);

function codeOf(chunk: Chunk): number {
  return chunk.type === 'unknown' ? chunk.code : chunk.type;
}

/** Encoded length including header and trailing padding. */
export function chunkLength(chunk: Chunk): number {
  if (chunk.type === 'unknown') return pad4(4 + chunk.value.length);
  return pad4(4 + CODECS.get(chunk.type)!.valueLength(chunk));
}

/** Writes one chunk at `off`; returns the offset after its padding. */
export function writeChunk(chunk: Chunk, buf: Buffer, off: number): number {
  let flags: number;
  let valueLength: number;
  if (chunk.type === 'unknown') {
    flags = chunk.flags;
    valueLength = chunk.value.length;
    chunk.value.copy(buf, off + 4);
  } else {
    const codec = CODECS.get(chunk.type)!;
    flags = codec.flags(chunk);
    valueLength = codec.valueLength(chunk);
    codec.writeValue(chunk, buf, off + 4);
  }
  const length = 4 + valueLength;
  if (length > 0xffff) throw new RangeError(`chunk type ${codeOf(chunk)} of ${length} bytes exceeds 65535`);
  buf[off] = codeOf(chunk);
  buf[off + 1] = flags;
  buf.writeUInt16BE(length, off + 2);
  const end = off + pad4(length);
  buf.fill(0, off + length, end);
  return end;
}

/** Serializes one chunk into a fresh buffer (tests and control paths). */
export function serializeChunk(chunk: Chunk): Buffer {
  const buf = Buffer.allocUnsafe(chunkLength(chunk));
  writeChunk(chunk, buf, 0);
  return buf;
}

export interface ParsedChunk {
  chunk: Chunk;
  /** Where the chunk's bytes (header + value, no padding) lie in the packet. */
  start: number;
  end: number;
}

/**
 * Parses the chunk at `off` of `buf`, appends it to `out`, and returns the
 * offset of the next one. DATA, the hot path, is read straight from the
 * packet without an intermediate view of its value.
 */
export function parseChunkAt(buf: Buffer, off: number, out: ParsedChunk[]): number {
  if (buf.length - off < 4) throw new ParseError(`chunk header truncated at offset ${off}`);
  const code = buf[off]!;
  const flags = buf[off + 1]!;
  const length = buf.readUInt16BE(off + 2);
  if (length < 4) throw new ParseError(`chunk type ${code} with length ${length} < 4`);
  const end = off + length;
  if (end > buf.length) throw new ParseError(`chunk type ${code} length ${length} overruns packet at offset ${off}`);
  let chunk: Chunk;
  if (code === 0) {
    chunk = parseDataAt(buf, off, end, flags);
  } else {
    const value = buf.subarray(off + 4, end);
    const codec = CODECS.get(code);
    chunk = codec ? codec.parse(flags, value) : { type: 'unknown', code, flags, value };
  }
  out.push({ chunk, start: off, end });
  return Math.min(buf.length, off + pad4(length));
}

/** Parses a standalone chunk (must be the whole buffer, padding optional). */
export function parseChunk(buf: Buffer): Chunk {
  const out: ParsedChunk[] = [];
  const next = parseChunkAt(buf, 0, out);
  if (next !== buf.length) throw new ParseError(`${buf.length - next} trailing bytes after chunk`);
  return out[0]!.chunk;
}

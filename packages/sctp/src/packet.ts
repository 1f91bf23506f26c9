import { ParseError } from '@rivulet/common';
import { chunkLength, parseChunkAt, writeChunk, type ParsedChunk } from './chunks/chunk.js';
import type { Chunk } from './chunks/types.js';
import { sctpChecksum } from './crc32c.js';

/**
 * The SCTP common header (RFC 9260 §3.1): source port, destination port,
 * verification tag, CRC-32c checksum; then one or more chunks.
 */
export const COMMON_HEADER_LENGTH = 12;

export interface PacketHeader {
  sourcePort: number;
  destinationPort: number;
  verificationTag: number;
}

export interface ParsedPacket extends PacketHeader {
  chunks: ParsedChunk[];
}

/** Whether the checksum in bytes 8..11 (least significant byte first) matches. */
export function verifyChecksum(packet: Buffer): boolean {
  if (packet.length < COMMON_HEADER_LENGTH) return false;
  return packet.readUInt32LE(8) === sctpChecksum(packet);
}

/**
 * Parses header and chunks without checking the checksum (do that first
 * with verifyChecksum). Throws ParseError on any malformed structure.
 */
export function parsePacket(packet: Buffer): ParsedPacket {
  if (packet.length < COMMON_HEADER_LENGTH + 4) {
    throw new ParseError(`SCTP packet of ${packet.length} bytes is too short for a header and one chunk`);
  }
  const chunks: ParsedChunk[] = [];
  let off = COMMON_HEADER_LENGTH;
  while (off < packet.length) {
    // Trailing zero padding shorter than a chunk header is tolerated.
    if (packet.length - off < 4 && packet.subarray(off).every((b) => b === 0)) break;
    off = parseChunkAt(packet, off, chunks);
  }
  return {
    sourcePort: packet.readUInt16BE(0),
    destinationPort: packet.readUInt16BE(2),
    verificationTag: packet.readUInt32BE(4),
    chunks,
  };
}

/** Size of a packet holding these chunks. */
export function packetLength(chunks: readonly Chunk[]): number {
  let n = COMMON_HEADER_LENGTH;
  for (const c of chunks) n += chunkLength(c);
  return n;
}

/** Serializes a packet and fills in its checksum. */
export function serializePacket(header: PacketHeader, chunks: readonly Chunk[]): Buffer {
  const buf = Buffer.allocUnsafe(packetLength(chunks));
  buf.writeUInt16BE(header.sourcePort, 0);
  buf.writeUInt16BE(header.destinationPort, 2);
  buf.writeUInt32BE(header.verificationTag >>> 0, 4);
  let off = COMMON_HEADER_LENGTH;
  for (const c of chunks) off = writeChunk(c, buf, off);
  buf.writeUInt32LE(sctpChecksum(buf), 8);
  return buf;
}

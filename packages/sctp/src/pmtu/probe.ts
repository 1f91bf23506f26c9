import { ChunkType, type Chunk } from '../chunks/types.js';
import { padChunk } from '../chunks/pad.js';
import { COMMON_HEADER_LENGTH } from '../packet.js';

/**
 * PLPMTU probe packets for SCTP (RFC 8899 §6.2.1.2): a HEARTBEAT chunk whose Heartbeat Info
 * identifies the probe, padded with a PAD chunk (RFC 4820) to the exact probed size. The peer
 * answers with a HEARTBEAT ACK echoing the info (RFC 9260 §8.3), which is small, so only the
 * forward direction is probed. Probes are not DATA: they are not counted in the flight size, and
 * losing one is not a congestion signal (RFC 8899 §3, §4.1).
 *
 * Heartbeat Info of a probe (24 bytes, only we interpret it):
 *   'PLPM' magic (4) | probed size (4) | nonce (8) | send time, float64 ms (8)
 * Our ordinary heartbeats carry 16 bytes, so the two never match each other.
 */
export const PROBE_INFO_LENGTH = 24;
const MAGIC = 0x504c504d; // 'PLPM'

/** HEARTBEAT chunk header (4) + Heartbeat Info parameter header (4) + info. */
const HEARTBEAT_CHUNK_LENGTH = 4 + 4 + PROBE_INFO_LENGTH;

/** Bytes of a probe packet before the PAD chunk: common header + HEARTBEAT. */
export const PROBE_OVERHEAD = COMMON_HEADER_LENGTH + HEARTBEAT_CHUNK_LENGTH;

/** Smallest probe we can build: the overhead plus an empty PAD chunk (4 bytes). */
export const MIN_PROBE_SIZE = PROBE_OVERHEAD + 4;

export interface ProbeInfo {
  size: number;
  nonce: Buffer;
  sentAt: number;
}

export function encodeProbeInfo(p: ProbeInfo): Buffer {
  if (p.nonce.length !== 8) throw new RangeError(`probe nonce must be 8 bytes, got ${p.nonce.length}`);
  const b = Buffer.alloc(PROBE_INFO_LENGTH);
  b.writeUInt32BE(MAGIC, 0);
  b.writeUInt32BE(p.size >>> 0, 4);
  p.nonce.copy(b, 8);
  b.writeDoubleBE(p.sentAt, 16);
  return b;
}

/** The probe this Heartbeat Info belongs to, or undefined when it is not one of our probes. */
export function decodeProbeInfo(info: Buffer): ProbeInfo | undefined {
  if (info.length !== PROBE_INFO_LENGTH || info.readUInt32BE(0) !== MAGIC) return undefined;
  return { size: info.readUInt32BE(4), nonce: Buffer.from(info.subarray(8, 16)), sentAt: info.readDoubleBE(16) };
}

/**
 * The chunks of a probe packet of exactly `size` bytes once the 12-byte common header is added
 * (`size` must be a multiple of 4, at least MIN_PROBE_SIZE).
 */
export function probeChunks(size: number, info: Buffer): Chunk[] {
  if (!Number.isInteger(size) || size % 4 !== 0 || size < MIN_PROBE_SIZE) {
    throw new RangeError(`PLPMTU probe size ${size} must be a multiple of 4 and at least ${MIN_PROBE_SIZE}`);
  }
  if (info.length !== PROBE_INFO_LENGTH) throw new RangeError(`probe info must be ${PROBE_INFO_LENGTH} bytes, got ${info.length}`);
  return [{ type: ChunkType.HEARTBEAT, info }, padChunk(size - PROBE_OVERHEAD)];
}

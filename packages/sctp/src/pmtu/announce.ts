import { padChunk } from '../chunks/pad.js';
import type { UnknownChunk } from '../chunks/types.js';

/**
 * EMTU_R announcement between Rivulet endpoints (non-standard, harmless to others).
 *
 * RFC 8899 §5.3.1 bounds MAX_PLPMTU by EMTU_R "when this is learned from the remote endpoint", but
 * SCTP has no standard way to say it, and probing past a peer's limit is not always harmless:
 * Chromium's DTLS transport fails on a record datagram above ~2065 bytes. So by default we stay
 * under 2048-byte datagrams. A Rivulet endpoint that answers a PLPMTU probe bundles, behind its
 * HEARTBEAT ACK, a PAD chunk whose padding says how large an SCTP packet it accepts. RFC 4820 §3
 * makes every receiver discard PAD content, so to any other stack it is padding; only a prober
 * (a peer doing PLPMTUD) ever receives it, and a Rivulet prober then raises MAX_PLPMTU up to its
 * path cap.
 *
 * Padding layout (16 bytes): 'RVLTEMTU' (8) | version 1 (1) | reserved (3) | max SCTP packet (4).
 */
const MAGIC = Buffer.from('RVLTEMTU', 'latin1');
export const ANNOUNCE_LENGTH = 16;

export function announcementChunk(maxPacket: number): UnknownChunk {
  if (!Number.isInteger(maxPacket) || maxPacket < 1 || maxPacket > 0xffffffff) {
    throw new RangeError(`EMTU_R announcement: max packet ${maxPacket} must be a positive 32-bit integer`);
  }
  const c = padChunk(4 + ANNOUNCE_LENGTH);
  MAGIC.copy(c.value, 0);
  c.value[8] = 1;
  c.value.writeUInt32BE(maxPacket, 12);
  return c;
}

/** The announced max SCTP packet, or undefined when this PAD content is plain padding. */
export function decodeAnnouncement(padding: Buffer): number | undefined {
  if (padding.length !== ANNOUNCE_LENGTH || padding[8] !== 1 || !padding.subarray(0, 8).equals(MAGIC)) return undefined;
  const n = padding.readUInt32BE(12);
  return n > 0 ? n : undefined;
}

import type { ByteWriter } from '@rivulet/common';

/** RFC 3550 §12.1, RFC 4585 §6.1, RFC 3611 §2: RTCP packet types. */
export const RtcpPacketType = {
  SR: 200,
  RR: 201,
  SDES: 202,
  BYE: 203,
  APP: 204,
  RTPFB: 205,
  PSFB: 206,
  XR: 207,
} as const;

/** Validates an unsigned integer field before it is written (API misuse throws). */
export function checkUint(what: string, value: number, bits: number): void {
  const max = bits === 32 ? 0xffffffff : (1 << bits) - 1;
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new Error(`${what} must be an integer 0..${max}, got ${value}`);
  }
}

/** Validates a signed integer field. */
export function checkInt(what: string, value: number, bits: number): void {
  const lim = 2 ** (bits - 1);
  if (!Number.isInteger(value) || value < -lim || value >= lim) {
    throw new Error(`${what} must be an integer ${-lim}..${lim - 1}, got ${value}`);
  }
}

/**
 * Writes one RTCP packet: reserves the 4-byte common header (RFC 3550 §6.4.1),
 * lets `body` write the rest and return the 5-bit count/FMT field, pads the body
 * with zeros to 32 bits and patches the length (32-bit words minus one).
 */
export function writeRtcpPacket(w: ByteWriter, packetType: number, body: (w: ByteWriter) => number): void {
  const start = w.length;
  w.u32(0);
  const count = body(w);
  checkUint(`RTCP count/FMT of packet type ${packetType}`, count, 5);
  w.pad(4, start);
  const words = (w.length - start) / 4 - 1;
  checkUint(`RTCP length (words) of packet type ${packetType}`, words, 16);
  w.patchU16(start, ((0x80 | count) << 8) | packetType);
  w.patchU16(start + 2, words);
}

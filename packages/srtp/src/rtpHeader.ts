/**
 * The minimum of RTP header parsing SRTP needs (RFC 3550 §5.1, §5.3.1): where the payload
 * starts. Everything up to there (fixed header, CSRCs, header extension) stays in clear and is
 * authenticated; the payload (including any padding) is encrypted (RFC 3711 §3.1).
 */

/** Header length in bytes, -1 when not version 2, -2 when the header runs past `length`. */
export function rtpHeaderLength(packet: Buffer, length: number): number {
  if (length < 12) return -2;
  const b0 = packet[0]!;
  if (b0 >>> 6 !== 2) return -1;
  let h = 12 + 4 * (b0 & 0x0f);
  if ((b0 & 0x10) !== 0) {
    if (h + 4 > length) return -2;
    h += 4 + 4 * packet.readUInt16BE(h + 2);
  }
  return h > length ? -2 : h;
}

/** RTCP (RFC 3550 §6.4): version 2, and at least the 8-byte header with the sender SSRC. */
export function isRtcpHeaderValid(packet: Buffer): boolean {
  return packet.length >= 8 && packet[0]! >>> 6 === 2;
}

/**
 * Demultiplexing helpers for one UDP 5-tuple carrying STUN, DTLS, RTP and RTCP.
 */

/** RFC 7983 §7: classes of the first byte of a datagram. */
export type Rfc7983Class = 'stun' | 'zrtp' | 'dtls' | 'turn-channel' | 'rtp' | 'unknown';

/** RFC 7983 §7 first-byte ranges (with the TURN channel range of RFC 7983 §7 / RFC 8656). */
export function classifyFirstByte(firstByte: number): Rfc7983Class {
  if (firstByte <= 3) return 'stun';
  if (firstByte >= 16 && firstByte <= 19) return 'zrtp';
  if (firstByte >= 20 && firstByte <= 63) return 'dtls';
  if (firstByte >= 64 && firstByte <= 79) return 'turn-channel';
  if (firstByte >= 128 && firstByte <= 191) return 'rtp';
  return 'unknown';
}

/** RFC 7983 §7: a first byte in 128..191 is RTP or RTCP (version 2). */
export function isRtpOrRtcp(firstByte: number): boolean {
  return firstByte >= 128 && firstByte <= 191;
}

/**
 * RFC 5761 §4: with RTP and RTCP multiplexed, a second byte in 192..223 is an
 * RTCP packet type (SR 200 ... XR 207 and the reserved neighbours); RTP payload
 * types 64..95 are kept out of use so that marker+PT never lands in that range.
 * Expects a packet whose first byte passed isRtpOrRtcp.
 */
export function isRtcp(packet: Uint8Array): boolean {
  if (packet.length < 2) return false;
  const pt = packet[1]!;
  return pt >= 192 && pt <= 223;
}

/**
 * Is this RTP packet the start of a key frame? The SFU switches a subscriber
 * to another simulcast layer only at such a packet, so the subscriber's
 * decoder never sees a delta frame of a stream it has no reference for.
 * Parses only the few bytes needed; malformed packets answer false.
 */

/** Offset of the RTP payload (RFC 3550 §5.1: CSRCs, §5.3.1 extension), or -1 when truncated. */
export function rtpPayloadOffset(p: Uint8Array): number {
  if (p.length < 12 || p[0]! >> 6 !== 2) return -1;
  let off = 12 + (p[0]! & 0x0f) * 4;
  if (p[0]! & 0x10) {
    if (p.length < off + 4) return -1;
    off += 4 + ((p[off + 2]! << 8) | p[off + 3]!) * 4;
  }
  return off < p.length ? off : -1;
}

/** RFC 7741 §4.2/§4.3 and RFC 6386 §9.1: first partition of a frame whose P bit (inverse key frame flag) is 0. */
export function isVp8KeyframeStart(p: Uint8Array): boolean {
  let off = rtpPayloadOffset(p);
  if (off < 0) return false;
  const b0 = p[off]!;
  // S (start of partition) set and PID 0: the first packet of the frame.
  if ((b0 & 0x10) === 0 || (b0 & 0x07) !== 0) return false;
  off++;
  if (b0 & 0x80) {
    if (off >= p.length) return false;
    const x = p[off++]!; // I L T K
    if (x & 0x80) off += off < p.length && p[off]! & 0x80 ? 2 : 1; // PictureID, 7 or 15 bits
    if (x & 0x40) off++; // TL0PICIDX
    if (x & 0x30) off++; // TID/Y/KEYIDX
  }
  return off < p.length && (p[off]! & 0x01) === 0;
}

/** RFC 6184 §5.6–5.8: an IDR slice or SPS (type 5/7) alone, in a STAP-A, or as the first FU-A fragment. */
export function isH264KeyframeStart(p: Uint8Array): boolean {
  let off = rtpPayloadOffset(p);
  if (off < 0) return false;
  const type = p[off]! & 0x1f;
  if (type === 5 || type === 7) return true;
  if (type === 28) return off + 1 < p.length && (p[off + 1]! & 0x80) !== 0 && ((p[off + 1]! & 0x1f) === 5 || (p[off + 1]! & 0x1f) === 7);
  if (type === 24) {
    off++;
    // Bounded by the packet length: each aggregated unit has a 16-bit size.
    while (off + 2 < p.length) {
      const size = (p[off]! << 8) | p[off + 1]!;
      if (size === 0) return false; // no NAL unit header to read: malformed
      const t = p[off + 2]! & 0x1f;
      if (t === 5 || t === 7) return true;
      off += 2 + size;
    }
  }
  return false;
}

/** The detector for a negotiated mime type, or undefined when we cannot tell (switch at once then). */
export function keyframeDetector(mimeType: string): ((p: Uint8Array) => boolean) | undefined {
  switch (mimeType.toLowerCase()) {
    case 'video/vp8': return isVp8KeyframeStart;
    case 'video/h264': return isH264KeyframeStart;
    default: return undefined;
  }
}

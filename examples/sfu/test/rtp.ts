/** Builds RTP packets for the tests (RFC 3550 §5.1 header, optional one-byte extensions). */
export function rtp(opts: { seq: number; ts: number; ssrc: number; payload: number[]; marker?: boolean; csrcs?: number; ext?: boolean }): Buffer {
  const cc = opts.csrcs ?? 0;
  const ext = opts.ext ? Buffer.from([0xbe, 0xde, 0x00, 0x01, 0x10, 0x07, 0x00, 0x00]) : Buffer.alloc(0);
  const h = Buffer.alloc(12 + cc * 4);
  h[0] = 0x80 | (opts.ext ? 0x10 : 0) | cc;
  h[1] = (opts.marker ? 0x80 : 0) | 96;
  h.writeUInt16BE(opts.seq, 2);
  h.writeUInt32BE(opts.ts, 4);
  h.writeUInt32BE(opts.ssrc, 8);
  return Buffer.concat([h, ext, Buffer.from(opts.payload)]);
}

/** A VP8 packet: descriptor with X, 15-bit PictureID and TL0PICIDX (RFC 7741 §4.2), then the payload header. */
export function vp8(opts: { seq: number; ts: number; ssrc: number; pid: number; tl0: number; start: boolean; key: boolean; marker?: boolean }): Buffer {
  const desc = [0x80 | (opts.start ? 0x10 : 0), 0xc0, 0x80 | (opts.pid >> 8), opts.pid & 0xff, opts.tl0];
  // RFC 6386 §9.1: frame tag bit 0 is the inverse key frame flag.
  const header = opts.start ? [opts.key ? 0x10 : 0x11, 0x02, 0x00] : [0x55];
  return rtp({ seq: opts.seq, ts: opts.ts, ssrc: opts.ssrc, payload: [...desc, ...header], marker: opts.marker ?? false });
}

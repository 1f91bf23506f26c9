/** Deterministic packet generators for the SRTP tests (xorshift32, so failures reproduce). */
export class Prng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0 || 1;
  }
  next(): number {
    let x = this.s;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.s = x >>> 0;
    return this.s;
  }
  int(n: number): number {
    return this.next() % n;
  }
  bytes(n: number): Buffer {
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++) b[i] = this.next() & 0xff;
    return b;
  }
}

export interface RtpShape {
  seq: number;
  ssrc: number;
  payloadLength: number;
  csrcCount?: number;
  /** Number of 32-bit words of one-byte (0xBEDE) header extension, 0 for none. */
  extensionWords?: number;
  timestamp?: number;
  payloadType?: number;
  marker?: boolean;
}

/** An RTP packet (RFC 3550 §5.1) with the given shape and random payload. */
export function makeRtp(rng: Prng, shape: RtpShape): Buffer {
  const cc = shape.csrcCount ?? 0;
  const ext = shape.extensionWords ?? 0;
  const h = 12 + 4 * cc + (ext > 0 ? 4 + 4 * ext : 0);
  const b = Buffer.alloc(h + shape.payloadLength);
  b[0] = 0x80 | (ext > 0 ? 0x10 : 0) | cc;
  b[1] = (shape.marker ? 0x80 : 0) | ((shape.payloadType ?? 96) & 0x7f);
  b.writeUInt16BE(shape.seq & 0xffff, 2);
  b.writeUInt32BE((shape.timestamp ?? 0) >>> 0, 4);
  b.writeUInt32BE(shape.ssrc >>> 0, 8);
  for (let i = 0; i < cc; i++) b.writeUInt32BE(rng.next(), 12 + 4 * i);
  if (ext > 0) {
    const e = 12 + 4 * cc;
    b.writeUInt16BE(0xbede, e);
    b.writeUInt16BE(ext, e + 2);
    // One-byte elements of 4 bytes each: id (1..14) with length-1 = 2, then 3 data bytes.
    for (let w = 0; w < ext; w++) {
      const o = e + 4 + 4 * w;
      b[o] = ((1 + (w % 14)) << 4) | 2;
      rng.bytes(3).copy(b, o + 1);
    }
  }
  rng.bytes(shape.payloadLength).copy(b, h);
  return b;
}

/** A receiver report (RFC 3550 §6.4.2) with `blocks` report blocks, optionally followed by an SDES. */
export function makeRtcp(rng: Prng, ssrc: number, blocks: number): Buffer {
  const len = 8 + 24 * blocks;
  const b = rng.bytes(len);
  b[0] = 0x80 | blocks;
  b[1] = 201;
  b.writeUInt16BE(len / 4 - 1, 2);
  b.writeUInt32BE(ssrc >>> 0, 4);
  return b;
}

import { ByteReader, type ByteWriter, ParseError } from '@rivulet/common';
import { checkUint } from './header.js';

/**
 * draft-alvestrand-rmcat-remb-03 §2.2 Receiver Estimated Maximum Bitrate: an
 * application layer feedback message (PSFB, FMT 15) with the "REMB" identifier.
 */
export interface RtcpReceiverEstimatedMaxBitrate {
  kind: 'remb';
  senderSsrc: number;
  /** The draft says 0; kept for fidelity. */
  mediaSsrc: number;
  /** Bits per second, = mantissa * 2^exp on the wire (18-bit mantissa, 6-bit exponent). */
  bitrate: number;
  ssrcs: number[];
}

export const AFB_FMT = 15;
const REMB_ID = 0x52454d42; // "REMB"

/** Whether a PSFB FMT 15 FCI starts with the "REMB" identifier. */
export function isRembFci(fci: Buffer): boolean {
  return fci.length >= 4 && fci.readUInt32BE(0) === REMB_ID;
}

export function parseRemb(body: Buffer): RtcpReceiverEstimatedMaxBitrate {
  const r = new ByteReader(body);
  const senderSsrc = r.u32();
  const mediaSsrc = r.u32();
  if (r.u32() !== REMB_ID) throw new ParseError('REMB identifier missing');
  const num = r.u8();
  const b = r.u24();
  const exp = b >>> 18;
  const mantissa = b & 0x3ffff;
  const ssrcs: number[] = [];
  for (let i = 0; i < num; i++) ssrcs.push(r.u32());
  return { kind: 'remb', senderSsrc, mediaSsrc, bitrate: mantissa * 2 ** exp, ssrcs };
}

/** Splits a bitrate into (exp, mantissa) with the smallest exponent (rounding down). */
export function rembExpMantissa(bitrate: number): { exp: number; mantissa: number } {
  if (!Number.isFinite(bitrate) || bitrate < 0) throw new Error(`REMB bitrate must be a finite non-negative number, got ${bitrate}`);
  let exp = 0;
  while (bitrate >= 0x40000 * 2 ** exp) exp++;
  if (exp > 63) throw new Error(`REMB bitrate ${bitrate} exceeds the 18-bit mantissa with a 6-bit exponent`);
  return { exp, mantissa: Math.floor(bitrate / 2 ** exp) };
}

export function writeRemb(p: RtcpReceiverEstimatedMaxBitrate, w: ByteWriter): number {
  checkUint('REMB senderSsrc', p.senderSsrc, 32);
  checkUint('REMB mediaSsrc', p.mediaSsrc, 32);
  if (p.ssrcs.length > 255) throw new Error(`REMB can carry at most 255 SSRCs, got ${p.ssrcs.length}`);
  const { exp, mantissa } = rembExpMantissa(p.bitrate);
  w.u32(p.senderSsrc).u32(p.mediaSsrc).u32(REMB_ID).u8(p.ssrcs.length).u24((exp << 18) | mantissa);
  for (const s of p.ssrcs) {
    checkUint('REMB ssrc', s, 32);
    w.u32(s);
  }
  return AFB_FMT;
}

/**
 * H.264 NAL unit facts (ITU-T H.264 §7.4.1.2, table 7-1) and an in-memory
 * Annex B splitter. The streaming splitter for byte streams is in
 * containers/annexB.ts.
 */

export const H264NalType = {
  Slice: 1,
  SliceDataA: 2,
  Idr: 5,
  Sei: 6,
  Sps: 7,
  Pps: 8,
  AccessUnitDelimiter: 9,
  EndOfSequence: 10,
  EndOfStream: 11,
  Filler: 12,
  // RFC 6184 §5.4 packet types beyond the H.264 NAL range.
  StapA: 24,
  StapB: 25,
  Mtap16: 26,
  Mtap24: 27,
  FuA: 28,
  FuB: 29,
} as const;

export function h264NalType(nal: Buffer): number {
  return nal[0]! & 0x1f;
}

/** VCL NAL units (coded slices), H.264 §7.4.1.2.3. */
export function isH264Vcl(type: number): boolean {
  return type >= 1 && type <= 5;
}

export const ANNEX_B_START_CODE = Buffer.from([0, 0, 0, 1]);

/**
 * Splits a whole Annex B buffer (H.264 Annex B.1) into NAL units (views, no
 * copy). Leading bytes before the first start code and trailing zero bytes
 * (trailing_zero_8bits, or the zero_byte of a following 4-byte start code) are
 * not part of any NAL unit.
 */
export function splitAnnexB(data: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let nalStart = -1;
  let i = 0;
  while (i + 2 < data.length) {
    const sc = data.indexOf(START3, i);
    if (sc < 0) break;
    if (nalStart >= 0) pushTrimmed(out, data, nalStart, sc);
    nalStart = sc + 3;
    i = sc + 3;
  }
  if (nalStart >= 0) pushTrimmed(out, data, nalStart, data.length);
  return out;
}

const START3 = Buffer.from([0, 0, 1]);

function pushTrimmed(out: Buffer[], data: Buffer, start: number, end: number): void {
  while (end > start && data[end - 1] === 0) end--;
  if (end > start) out.push(data.subarray(start, end));
}

/** Joins NAL units into Annex B with 4-byte start codes. */
export function joinAnnexB(nals: readonly Buffer[]): Buffer {
  let total = 0;
  for (const n of nals) total += 4 + n.length;
  const out = Buffer.allocUnsafe(total);
  let off = 0;
  for (const n of nals) {
    out.writeUInt32BE(1, off);
    n.copy(out, off + 4);
    off += 4 + n.length;
  }
  return out;
}

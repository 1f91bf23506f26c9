import { readLeb128 } from './bits.js';

/** AV1 bitstream spec §6.2.2 obu_type values the RTP mapping cares about. */
export const Av1ObuType = {
  SequenceHeader: 1,
  TemporalDelimiter: 2,
  FrameHeader: 3,
  TileGroup: 4,
  Metadata: 5,
  Frame: 6,
  RedundantFrameHeader: 7,
  TileList: 8,
  Padding: 15,
} as const;

/** One OBU located in a buffer. */
export interface Av1Obu {
  type: number;
  /** The OBU header (1 or 2 bytes, §5.3.2), as found. */
  header: Buffer;
  /** The OBU payload (without header or size field). */
  payload: Buffer;
}

/**
 * Splits a low-overhead bitstream (AV1 §5.2: OBUs with obu_has_size_field=1,
 * as in IVF and MP4) into OBUs. An OBU without a size field runs to the end of
 * the buffer (allowed for the last one). Undefined when malformed.
 */
export function splitAv1Obus(data: Buffer): Av1Obu[] | undefined {
  const out: Av1Obu[] = [];
  let off = 0;
  while (off < data.length) {
    const obu = readAv1Obu(data, off, data.length);
    if (!obu) return undefined;
    out.push(obu.obu);
    off = obu.end;
  }
  return out;
}

/** Reads one OBU starting at off (ending at most at limit); undefined when malformed. */
export function readAv1Obu(data: Buffer, off: number, limit: number): { obu: Av1Obu; end: number } | undefined {
  if (off >= limit) return undefined;
  const h = data[off]!;
  if (h & 0x80) return undefined; // obu_forbidden_bit
  const headerLength = h & 0x04 ? 2 : 1;
  if (off + headerLength > limit) return undefined;
  let payloadStart = off + headerLength;
  let payloadEnd = limit;
  if (h & 0x02) {
    const size = readLeb128(data, payloadStart);
    if (!size || payloadStart + size.length + size.value > limit) return undefined;
    payloadStart += size.length;
    payloadEnd = payloadStart + size.value;
  }
  return {
    obu: {
      type: (h >> 3) & 0x0f,
      header: data.subarray(off, off + headerLength),
      payload: data.subarray(payloadStart, payloadEnd),
    },
    end: payloadEnd,
  };
}

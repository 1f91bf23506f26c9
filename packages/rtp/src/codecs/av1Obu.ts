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

/**
 * True when a temporal unit starts a new coded video sequence: it carries a
 * sequence header and its first frame is a KEY_FRAME (AV1 §5.9.2:
 * show_existing_frame f(1), frame_type f(2), with 0 = KEY_FRAME; a
 * reduced_still_picture_header sequence has only key frames). Encoders may
 * repeat sequence headers on other frames, so the header alone is not enough.
 */
export function av1StartsCodedVideoSequence(obus: readonly Av1Obu[]): boolean {
  let sequenceHeader = false;
  let reducedStillPicture = false;
  for (const obu of obus) {
    if (obu.type === Av1ObuType.SequenceHeader && obu.payload.length > 0) {
      sequenceHeader = true;
      // §5.5.1: seq_profile f(3), still_picture f(1), reduced_still_picture_header f(1).
      reducedStillPicture = ((obu.payload[0]! >> 3) & 1) === 1;
    } else if ((obu.type === Av1ObuType.Frame || obu.type === Av1ObuType.FrameHeader) && obu.payload.length > 0) {
      if (!sequenceHeader) return false;
      if (reducedStillPicture) return true;
      const b = obu.payload[0]!;
      return (b & 0x80) === 0 && ((b >> 5) & 0x03) === 0;
    }
  }
  return false;
}

import { ParseError } from '@rivulet/common';
import { RtpPacket } from './rtpPacket.js';

export interface RtxWrapParams {
  /** RTX payload type (the "apt" of the a=fmtp line points at the original). */
  payloadType: number;
  /** RTX stream SSRC. */
  ssrc: number;
  /** Sequence number in the RTX stream (its own space, RFC 4588 §4). */
  sequenceNumber: number;
}

export interface RtxUnwrapParams {
  /** Original (associated) payload type. */
  payloadType: number;
  /** Original media SSRC. */
  ssrc: number;
}

/**
 * RFC 4588 §4: the retransmission packet carries the original sequence number
 * (OSN) in the first two payload bytes, then the original payload. Timestamp,
 * marker, CSRCs and header extensions are kept; padding is not carried over
 * (the RTX packet is a new packet and may pad on its own).
 */
export function wrapRtx(original: RtpPacket, params: RtxWrapParams): RtpPacket {
  const payload = Buffer.allocUnsafe(2 + original.payload.length);
  payload[0] = original.sequenceNumber >>> 8;
  payload[1] = original.sequenceNumber & 0xff;
  original.payload.copy(payload, 2);
  const p = original.clone();
  p.payloadType = params.payloadType;
  p.ssrc = params.ssrc;
  p.sequenceNumber = params.sequenceNumber;
  p.payload = payload;
  p.paddingLength = 0;
  return p;
}

/**
 * RFC 4588 §4: restores the original packet from an RTX packet. The payload is
 * a view into the RTX payload (no copy). Throws ParseError when the RTX payload
 * has no room for the OSN (a padding-only RTX probe has nothing to unwrap).
 */
export function unwrapRtx(rtx: RtpPacket, params: RtxUnwrapParams): RtpPacket {
  if (rtx.payload.length < 2) {
    throw new ParseError(`RTX payload of ${rtx.payload.length} bytes has no original sequence number`);
  }
  const p = rtx.clone();
  p.sequenceNumber = (rtx.payload[0]! << 8) | rtx.payload[1]!;
  p.payloadType = params.payloadType;
  p.ssrc = params.ssrc;
  p.payload = rtx.payload.subarray(2);
  p.paddingLength = 0;
  return p;
}

import { ParseError } from '@rivulet/common';
import { checkExtensionElements as checkElements, isOneByteProfile as oneByte, isTwoByteProfile as twoByte } from './headerExtensionBlock.js';
import type { RtpPacket } from './rtpPacket.js';

/**
 * Parsing an RTP packet (RFC 3550 §5.1): the fixed header, CSRC list, extension block bounds and
 * padding, checked against the buffer. The packet model, its lazy views and serialize are in
 * rtpPacket.ts.
 */

// Plain local references to the RFC 8285 helpers: this is the per-packet path, and a loader that
// turns imports into getter-backed module objects (tsx) would add a getter call to each use.
const isOneByteProfile = oneByte;
const isTwoByteProfile = twoByte;
const checkExtensionElements = checkElements;

/** RFC 3550 §5.1 fixed header size. */
export const RTP_HEADER_SIZE = 12;

/**
 * Decodes the RTP packet in `buf` (RFC 3550 §5.1) into the fresh packet `p`; throws ParseError
 * on malformed input. Nothing is copied: the CSRC list is read, but an RFC 8285 extension block
 * is only checked here, and it and the payload stay views of `buf` that `p` reads on demand.
 */
export function decodeRtpInto(buf: Buffer, p: RtpPacket): void {
  const len = buf.length;
  if (len < RTP_HEADER_SIZE) throw new ParseError(`RTP packet of ${len} bytes is shorter than the 12-byte header`);
  const b0 = buf[0]!;
  if (b0 >> 6 !== 2) throw new ParseError(`RTP version must be 2, got ${b0 >> 6}`);
  const b1 = buf[1]!;
  p.marker = (b1 & 0x80) !== 0;
  p.payloadType = b1 & 0x7f;
  p.sequenceNumber = (buf[2]! << 8) | buf[3]!;
  p.timestamp = ((buf[4]! << 24) | (buf[5]! << 16) | (buf[6]! << 8) | buf[7]!) >>> 0;
  p.ssrc = ((buf[8]! << 24) | (buf[9]! << 16) | (buf[10]! << 8) | buf[11]!) >>> 0;
  let pos = RTP_HEADER_SIZE;
  const cc = b0 & 0x0f;
  if (cc > 0) {
    if (pos + cc * 4 > len) throw new ParseError(`RTP CSRC count ${cc} overruns a ${len}-byte packet`);
    const csrcs = new Array<number>(cc);
    for (let i = 0; i < cc; i++, pos += 4) csrcs[i] = buf.readUInt32BE(pos);
    p.csrcs = csrcs;
  }
  let srcProfile = -1;
  let extStart = 0;
  let extEnd = 0;
  if (b0 & 0x10) {
    if (pos + 4 > len) throw new ParseError(`RTP header extension header overruns a ${len}-byte packet`);
    const profile = (buf[pos]! << 8) | buf[pos + 1]!;
    const words = (buf[pos + 2]! << 8) | buf[pos + 3]!;
    const start = pos + 4;
    const end = start + words * 4;
    if (end > len) throw new ParseError(`RTP header extension of ${words} words overruns a ${len}-byte packet`);
    p.extensionProfile = profile;
    if (isOneByteProfile(profile) || isTwoByteProfile(profile)) {
      // Validate now so that a malformed block is a parse error, not a surprise on first read.
      checkExtensionElements(buf, start, end, isTwoByteProfile(profile));
      srcProfile = profile;
      extStart = start;
      extEnd = end;
    } else {
      p.extensionData = buf.subarray(start, end);
    }
    pos = end;
  }
  let payloadEnd = len;
  if (b0 & 0x20) {
    // RFC 3550 §5.1: the last octet counts the padding octets, itself included.
    const pad = buf[len - 1]!;
    if (pad === 0 || pos + pad > len) throw new ParseError(`RTP padding length ${pad} invalid for ${len - pos} bytes after the header`);
    p.paddingLength = pad;
    payloadEnd = len - pad;
  }
  p.adoptParsedSource(buf, srcProfile, extStart, extEnd, pos, payloadEnd);
}


import { ByteReader, type ByteWriter } from '@rivulet/common';
import { checkUint } from './header.js';

/**
 * RFC 4585 §6.1 feedback message with an FMT we do not model: the common
 * fields and the raw FCI. `packetType` is 205 (RTPFB) or 206 (PSFB).
 */
export interface RtcpGenericFeedback {
  kind: 'feedback';
  packetType: 205 | 206;
  fmt: number;
  senderSsrc: number;
  mediaSsrc: number;
  fci: Buffer;
}

export function parseGenericFeedback(packetType: 205 | 206, fmt: number, body: Buffer): RtcpGenericFeedback {
  const r = new ByteReader(body);
  return { kind: 'feedback', packetType, fmt, senderSsrc: r.u32(), mediaSsrc: r.u32(), fci: r.rest() };
}

export function writeGenericFeedback(p: RtcpGenericFeedback, w: ByteWriter): number {
  checkUint('feedback fmt', p.fmt, 5);
  checkUint('feedback senderSsrc', p.senderSsrc, 32);
  checkUint('feedback mediaSsrc', p.mediaSsrc, 32);
  if (p.fci.length % 4 !== 0) throw new Error(`feedback FCI must be a multiple of 4 bytes, got ${p.fci.length}`);
  w.u32(p.senderSsrc).u32(p.mediaSsrc).bytes(p.fci);
  return p.fmt;
}

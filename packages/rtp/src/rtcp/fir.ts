import { ByteReader, type ByteWriter, ParseError } from '@rivulet/common';
import { checkUint } from './header.js';

/** RFC 5104 §4.3.1.1 FIR FCI entry. */
export interface FirEntry {
  ssrc: number;
  /** 8-bit command sequence number, incremented per new request (RFC 5104 §4.3.1.1). */
  sequenceNumber: number;
}

/** RFC 5104 §4.3.1 Full Intra Request (PSFB, FMT 4). */
export interface RtcpFullIntraRequest {
  kind: 'fir';
  senderSsrc: number;
  /** RFC 5104 §4.3.1.2: SHALL be 0; the target SSRCs are in the entries. */
  mediaSsrc: number;
  entries: FirEntry[];
}

export const FIR_FMT = 4;

export function parseFullIntraRequest(body: Buffer): RtcpFullIntraRequest {
  const r = new ByteReader(body);
  const senderSsrc = r.u32();
  const mediaSsrc = r.u32();
  if (r.remaining % 8 !== 0) throw new ParseError(`FIR FCI must be a multiple of 8 bytes, got ${r.remaining}`);
  const entries: FirEntry[] = [];
  while (r.remaining >= 8) {
    const ssrc = r.u32();
    const sequenceNumber = r.u8();
    r.skip(3);
    entries.push({ ssrc, sequenceNumber });
  }
  return { kind: 'fir', senderSsrc, mediaSsrc, entries };
}

export function writeFullIntraRequest(p: RtcpFullIntraRequest, w: ByteWriter): number {
  checkUint('FIR senderSsrc', p.senderSsrc, 32);
  checkUint('FIR mediaSsrc', p.mediaSsrc, 32);
  w.u32(p.senderSsrc).u32(p.mediaSsrc);
  for (const e of p.entries) {
    checkUint('FIR entry ssrc', e.ssrc, 32);
    checkUint('FIR entry sequenceNumber', e.sequenceNumber, 8);
    w.u32(e.ssrc).u8(e.sequenceNumber).zeros(3);
  }
  return FIR_FMT;
}

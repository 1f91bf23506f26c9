import { ByteReader, type ByteWriter } from '@rivulet/common';
import { checkUint } from './header.js';

/** RFC 4585 §6.3.1 Picture Loss Indication (PSFB, FMT 1): no FCI. */
export interface RtcpPictureLossIndication {
  kind: 'pli';
  senderSsrc: number;
  mediaSsrc: number;
}

export const PLI_FMT = 1;

export function parsePictureLossIndication(body: Buffer): RtcpPictureLossIndication {
  const r = new ByteReader(body);
  return { kind: 'pli', senderSsrc: r.u32(), mediaSsrc: r.u32() };
}

export function writePictureLossIndication(p: RtcpPictureLossIndication, w: ByteWriter): number {
  checkUint('PLI senderSsrc', p.senderSsrc, 32);
  checkUint('PLI mediaSsrc', p.mediaSsrc, 32);
  w.u32(p.senderSsrc).u32(p.mediaSsrc);
  return PLI_FMT;
}

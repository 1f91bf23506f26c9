import { ByteReader, type ByteWriter } from '@rivulet/common';
import { checkUint } from './header.js';

/** RFC 3550 §6.6 goodbye (PT 203). */
export interface RtcpGoodbye {
  kind: 'bye';
  ssrcs: number[];
  /** Optional reason for leaving (UTF-8, at most 255 bytes). */
  reason?: string;
}

export function parseGoodbye(count: number, body: Buffer): RtcpGoodbye {
  const r = new ByteReader(body);
  const ssrcs: number[] = [];
  for (let i = 0; i < count; i++) ssrcs.push(r.u32());
  const p: RtcpGoodbye = { kind: 'bye', ssrcs };
  if (r.remaining > 0) {
    const len = r.u8();
    p.reason = r.bytes(len).toString('utf8');
  }
  return p;
}

export function writeGoodbye(p: RtcpGoodbye, w: ByteWriter): number {
  if (p.ssrcs.length > 31) throw new Error(`BYE can carry at most 31 SSRCs, got ${p.ssrcs.length}`);
  for (const s of p.ssrcs) {
    checkUint('BYE ssrc', s, 32);
    w.u32(s);
  }
  if (p.reason !== undefined) {
    const text = Buffer.from(p.reason, 'utf8');
    if (text.length > 255) throw new Error(`BYE reason is ${text.length} bytes; at most 255`);
    w.u8(text.length).bytes(text);
  }
  return p.ssrcs.length;
}

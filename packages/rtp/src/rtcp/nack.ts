import { ByteReader, type ByteWriter, ParseError } from '@rivulet/common';
import { checkUint } from './header.js';

/** RFC 4585 §6.2.1 Generic NACK FCI entry: a lost packet id and a bitmask of the 16 following. */
export interface NackItem {
  pid: number;
  blp: number;
}

/** RFC 4585 §6.2.1 Generic NACK (RTPFB, FMT 1). */
export interface RtcpGenericNack {
  kind: 'nack';
  senderSsrc: number;
  mediaSsrc: number;
  items: NackItem[];
}

export const NACK_FMT = 1;

export function parseGenericNack(body: Buffer): RtcpGenericNack {
  const r = new ByteReader(body);
  const senderSsrc = r.u32();
  const mediaSsrc = r.u32();
  if (r.remaining % 4 !== 0 || r.remaining === 0) {
    throw new ParseError(`Generic NACK FCI must be a non-empty multiple of 4 bytes, got ${r.remaining}`);
  }
  const items: NackItem[] = [];
  while (r.remaining >= 4) items.push({ pid: r.u16(), blp: r.u16() });
  return { kind: 'nack', senderSsrc, mediaSsrc, items };
}

export function writeGenericNack(p: RtcpGenericNack, w: ByteWriter): number {
  checkUint('NACK senderSsrc', p.senderSsrc, 32);
  checkUint('NACK mediaSsrc', p.mediaSsrc, 32);
  if (p.items.length === 0) throw new Error('Generic NACK needs at least one item (RFC 4585 §6.2.1)');
  w.u32(p.senderSsrc).u32(p.mediaSsrc);
  for (const it of p.items) {
    checkUint('NACK pid', it.pid, 16);
    checkUint('NACK blp', it.blp, 16);
    w.u16(it.pid).u16(it.blp);
  }
  return NACK_FMT;
}

/** Expands NACK items to the lost sequence numbers they name, in order (mod 2^16). */
export function nackSequenceNumbers(items: readonly NackItem[]): number[] {
  const out: number[] = [];
  for (const { pid, blp } of items) {
    out.push(pid);
    // RFC 4585 §6.2.1: bit i of BLP (LSB = 0) reports pid + i + 1 lost.
    for (let i = 0; i < 16; i++) if (blp & (1 << i)) out.push((pid + i + 1) & 0xffff);
  }
  return out;
}

/**
 * Packs lost sequence numbers (in send order, wrapping allowed) into as few
 * NACK items as the greedy PID/BLP scheme allows.
 */
export function nackItemsFromSequenceNumbers(lost: readonly number[]): NackItem[] {
  const items: NackItem[] = [];
  let cur: NackItem | undefined;
  for (const seq of lost) {
    checkUint('lost sequence number', seq, 16);
    if (cur) {
      const d = (seq - cur.pid) & 0xffff;
      if (d === 0) continue;
      if (d <= 16) {
        cur.blp |= 1 << (d - 1);
        continue;
      }
    }
    cur = { pid: seq, blp: 0 };
    items.push(cur);
  }
  return items;
}

import { ByteReader, type ByteWriter } from '@rivulet/common';
import { checkUint } from './header.js';

/** RFC 3550 §6.5 SDES item types, plus later IANA registrations used by WebRTC. */
export const SdesItemType = {
  END: 0,
  CNAME: 1,
  NAME: 2,
  EMAIL: 3,
  PHONE: 4,
  LOC: 5,
  TOOL: 6,
  NOTE: 7,
  PRIV: 8,
  /** IANA RTP SDES item types: RFC 6776. */
  APSI: 10,
  /** RFC 8861. */
  RGRP: 11,
  /** RFC 8852 §3.1: RtpStreamId ("rid"). */
  RTP_STREAM_ID: 12,
  /** RFC 8852 §3.2: RepairedRtpStreamId. */
  REPAIRED_RTP_STREAM_ID: 13,
  /** RFC 8849 CLUE CaptId. */
  CCID: 14,
  /** RFC 8843 §15.2: the BUNDLE MID as an SDES item. */
  MID: 15,
} as const;

export interface RtcpSdesItem {
  type: number;
  /** Item text, UTF-8 (RFC 3550 §6.5); at most 255 bytes once encoded. */
  text: string;
}

export interface RtcpSdesChunk {
  ssrc: number;
  items: RtcpSdesItem[];
}

/** RFC 3550 §6.5 source description (PT 202). */
export interface RtcpSourceDescription {
  kind: 'sdes';
  chunks: RtcpSdesChunk[];
}

export function parseSourceDescription(count: number, body: Buffer): RtcpSourceDescription {
  const r = new ByteReader(body);
  const chunks: RtcpSdesChunk[] = [];
  for (let c = 0; c < count; c++) {
    const ssrc = r.u32();
    const items: RtcpSdesItem[] = [];
    for (;;) {
      // Lenient: some senders (werift-rtp among them) omit the null terminator when the
      // items end exactly at the end of the packet; accept that instead of dropping it.
      if (r.remaining === 0) break;
      const type = r.u8();
      if (type === SdesItemType.END) {
        // RFC 3550 §6.5: the list ends with null octets up to the next 32-bit boundary.
        r.align(4);
        break;
      }
      const len = r.u8();
      items.push({ type, text: r.bytes(len).toString('utf8') });
    }
    chunks.push({ ssrc, items });
  }
  return { kind: 'sdes', chunks };
}

export function writeSourceDescription(p: RtcpSourceDescription, w: ByteWriter): number {
  if (p.chunks.length > 31) throw new Error(`SDES can carry at most 31 chunks, got ${p.chunks.length}`);
  for (const chunk of p.chunks) {
    checkUint('SDES chunk ssrc', chunk.ssrc, 32);
    const start = w.length;
    w.u32(chunk.ssrc);
    for (const item of chunk.items) {
      checkUint('SDES item type', item.type, 8);
      if (item.type === 0) throw new Error('SDES item type 0 is the END marker and cannot carry text');
      const text = Buffer.from(item.text, 'utf8');
      if (text.length > 255) throw new Error(`SDES item ${item.type} text is ${text.length} bytes; at most 255`);
      w.u8(item.type).u8(text.length).bytes(text);
    }
    // At least one null octet terminates the list, then pad to 32 bits.
    w.u8(0).pad(4, start);
  }
  return p.chunks.length;
}

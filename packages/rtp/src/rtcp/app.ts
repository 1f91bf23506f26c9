import { ByteReader, type ByteWriter } from '@rivulet/common';
import { checkUint } from './header.js';

/** RFC 3550 §6.7 application-defined packet (PT 204). */
export interface RtcpApplicationDefined {
  kind: 'app';
  /** 5-bit subtype carried in the count field. */
  subtype: number;
  ssrc: number;
  /** Four ASCII characters. */
  name: string;
  /** Application data, a multiple of 4 bytes. */
  data: Buffer;
}

export function parseApplicationDefined(count: number, body: Buffer): RtcpApplicationDefined {
  const r = new ByteReader(body);
  const ssrc = r.u32();
  const name = r.bytes(4).toString('latin1');
  return { kind: 'app', subtype: count, ssrc, name, data: r.rest() };
}

export function writeApplicationDefined(p: RtcpApplicationDefined, w: ByteWriter): number {
  checkUint('APP subtype', p.subtype, 5);
  checkUint('APP ssrc', p.ssrc, 32);
  if (!/^[\x20-\x7e]{4}$/.test(p.name)) throw new Error(`APP name must be 4 printable ASCII characters, got ${JSON.stringify(p.name)}`);
  if (p.data.length % 4 !== 0) throw new Error(`APP data must be a multiple of 4 bytes, got ${p.data.length}`);
  w.u32(p.ssrc).bytes(Buffer.from(p.name, 'latin1')).bytes(p.data);
  return p.subtype;
}

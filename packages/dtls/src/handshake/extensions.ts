import { ByteReader, ByteWriter, ParseError } from '@rivulet/common';
import { EC_POINT_FORMAT_UNCOMPRESSED, ExtensionType } from '../constants.js';

/** Extensions keyed by type; values are the raw extension_data. RFC 5246 §7.4.1.4: no type twice. */
export type Extensions = Map<number, Buffer>;

export function parseExtensions(reader: ByteReader): Extensions {
  const out: Extensions = new Map();
  if (reader.remaining === 0) return out; // RFC 5246 §7.4.1.2: the block may be absent
  const total = reader.u16();
  const r = new ByteReader(reader.bytes(total));
  while (r.remaining > 0) {
    const type = r.u16();
    const data = r.bytes(r.u16());
    if (out.has(type)) throw new ParseError(`extension ${type} appears twice`);
    out.set(type, data);
  }
  return out;
}

export function writeExtensions(w: ByteWriter, extensions: Extensions): void {
  if (extensions.size === 0) return;
  const start = w.length;
  w.u16(0);
  for (const [type, data] of extensions) w.u16(type).u16(data.length).bytes(data);
  w.patchU16(start, w.length - start - 2);
}

function u16List(values: readonly number[]): Buffer {
  const w = new ByteWriter(2 + values.length * 2);
  w.u16(values.length * 2);
  for (const v of values) w.u16(v);
  return w.finish();
}

function parseU16List(data: Buffer, what: string): number[] {
  const r = new ByteReader(data);
  const len = r.u16();
  if (len % 2 !== 0 || len !== r.remaining) throw new ParseError(`${what}: bad list length ${len}`);
  const out: number[] = [];
  while (r.remaining > 0) out.push(r.u16());
  return out;
}

/** RFC 8422 §5.1.1 supported_groups / RFC 5246 §7.4.1.4.1 signature_algorithms: u16 list. */
export const encodeU16List = u16List;
export const decodeU16List = parseU16List;

/** RFC 8446 §4.2.1 ClientHello form: ProtocolVersion versions<2..254> (u8 length). */
export function decodeSupportedVersions(data: Buffer): number[] {
  const r = new ByteReader(data);
  const len = r.u8();
  if (len < 2 || len % 2 !== 0 || len !== r.remaining) throw new ParseError(`supported_versions: bad list length ${len}`);
  const out: number[] = [];
  while (r.remaining > 0) out.push(r.u16());
  return out;
}

export function encodeSupportedVersions(versions: readonly number[]): Buffer {
  const w = new ByteWriter(1 + versions.length * 2);
  w.u8(versions.length * 2);
  for (const v of versions) w.u16(v);
  return w.finish();
}

/** RFC 8422 §5.1.2: we only speak uncompressed points. */
export function encodePointFormats(): Buffer {
  return Buffer.from([1, EC_POINT_FORMAT_UNCOMPRESSED]);
}

export function pointFormatsIncludeUncompressed(data: Buffer): boolean {
  const r = new ByteReader(data);
  const list = r.bytes(r.u8());
  return list.includes(EC_POINT_FORMAT_UNCOMPRESSED);
}

/** RFC 5764 §4.1.1 UseSRTPData: SRTPProtectionProfiles<2..2^16-1>, srtp_mki<0..255>. */
export function encodeUseSrtp(profiles: readonly number[], mki: Uint8Array = Buffer.alloc(0)): Buffer {
  const w = new ByteWriter();
  w.bytes(u16List(profiles)).u8(mki.length).bytes(mki);
  return w.finish();
}

export function decodeUseSrtp(data: Buffer): { profiles: number[]; mki: Buffer } {
  const r = new ByteReader(data);
  const listLen = r.u16();
  if (listLen < 2 || listLen % 2 !== 0) throw new ParseError(`use_srtp: bad profile list length ${listLen}`);
  const profiles: number[] = [];
  const list = new ByteReader(r.bytes(listLen));
  while (list.remaining > 0) profiles.push(list.u16());
  const mki = r.bytes(r.u8());
  return { profiles, mki };
}

/** RFC 5746 §3.2: an initial handshake carries renegotiated_connection of length 0. */
export function encodeEmptyRenegotiationInfo(): Buffer {
  return Buffer.from([0]);
}

export function isEmptyRenegotiationInfo(data: Buffer): boolean {
  return data.length === 1 && data[0] === 0;
}

export { ExtensionType };

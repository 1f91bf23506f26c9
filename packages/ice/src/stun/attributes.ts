import { isIP } from 'node:net';
import { ParseError, type TransportAddress } from '@rivulet/common';
import { MAGIC_COOKIE, StunAttr } from './constants.js';
import type { StunMessage } from './message.js';

/**
 * Typed attribute codecs (RFC 8489 §14, RFC 8445 §16.1, RFC 8656 §18).
 * Decoders throw ParseError on a malformed value; `get*` helpers return
 * undefined when the attribute is absent.
 */

const FAMILY_V4 = 0x01;
const FAMILY_V6 = 0x02;

function ipv6ToBytes(address: string): Buffer {
  // Expand "::" and an optional embedded IPv4 tail into 8 groups.
  let s = address;
  const pct = s.indexOf('%');
  if (pct >= 0) s = s.slice(0, pct);
  let tail: number[] = [];
  const lastColon = s.lastIndexOf(':');
  if (s.slice(lastColon + 1).includes('.')) {
    const v4 = s.slice(lastColon + 1).split('.').map(Number);
    tail = [(v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!];
    s = s.slice(0, lastColon + 1) + '0:0';
  }
  const [head, rest] = s.split('::') as [string, string | undefined];
  const h = head ? head.split(':') : [];
  const t = rest !== undefined && rest !== '' ? rest.split(':') : [];
  const groups = rest === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16) & 0xffff, i * 2));
  if (tail.length) {
    out.writeUInt16BE(tail[0]!, 12);
    out.writeUInt16BE(tail[1]!, 14);
  }
  return out;
}

function bytesToIpv6(b: Buffer): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(b.readUInt16BE(i).toString(16));
  // RFC 5952 §4.2.3: compress the longest run of zero groups (length ≥ 2).
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen && j - i >= 2) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}

/** Packs an IP literal into 4 or 16 bytes; throws on anything else. */
export function ipToBytes(address: string): Buffer {
  const kind = isIP(address.split('%')[0]!);
  if (kind === 4) return Buffer.from(address.split('.').map(Number));
  if (kind === 6) return ipv6ToBytes(address);
  throw new TypeError(`not an IP address literal: ${JSON.stringify(address)}`);
}

export function bytesToIp(b: Buffer): string {
  if (b.length === 4) return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
  if (b.length === 16) return bytesToIpv6(b);
  throw new ParseError(`address of ${b.length} bytes`);
}

/** RFC 8489 §14.1 MAPPED-ADDRESS value. */
export function encodeAddress(addr: { address: string; port: number }): Buffer {
  const ip = ipToBytes(addr.address);
  const out = Buffer.alloc(4 + ip.length);
  out[1] = ip.length === 4 ? FAMILY_V4 : FAMILY_V6;
  out.writeUInt16BE(addr.port, 2);
  ip.copy(out, 4);
  return out;
}

export function decodeAddress(v: Buffer): TransportAddress {
  if (v.length < 4) throw new ParseError(`address attribute of ${v.length} bytes`);
  const family = v[1];
  const port = v.readUInt16BE(2);
  if (family === FAMILY_V4 && v.length === 8) return { address: bytesToIp(v.subarray(4, 8)), port, family: 'IPv4' };
  if (family === FAMILY_V6 && v.length === 20) return { address: bytesToIp(v.subarray(4, 20)), port, family: 'IPv6' };
  throw new ParseError(`bad address family ${family} with length ${v.length}`);
}

function xorMask(transactionId: Buffer): Buffer {
  const mask = Buffer.alloc(16);
  mask.writeUInt32BE(MAGIC_COOKIE, 0);
  transactionId.copy(mask, 4);
  return mask;
}

/** RFC 8489 §14.2 XOR-MAPPED-ADDRESS (same format for XOR-PEER/XOR-RELAYED-ADDRESS). */
export function encodeXorAddress(addr: { address: string; port: number }, transactionId: Buffer): Buffer {
  const v = encodeAddress(addr);
  const mask = xorMask(transactionId);
  v.writeUInt16BE(addr.port ^ (MAGIC_COOKIE >>> 16), 2);
  for (let i = 4; i < v.length; i++) v[i] = v[i]! ^ mask[i - 4]!;
  return v;
}

export function decodeXorAddress(v: Buffer, transactionId: Buffer): TransportAddress {
  const copy = Buffer.from(v);
  if (copy.length < 4) throw new ParseError(`XOR address attribute of ${v.length} bytes`);
  const mask = xorMask(transactionId);
  copy.writeUInt16BE(copy.readUInt16BE(2) ^ (MAGIC_COOKIE >>> 16), 2);
  for (let i = 4; i < copy.length && i - 4 < 16; i++) copy[i] = copy[i]! ^ mask[i - 4]!;
  return decodeAddress(copy);
}

/** RFC 8489 §14.8 ERROR-CODE value: class (hundreds) and number, then a UTF-8 reason. */
export function encodeErrorCode(code: number, reason: string): Buffer {
  if (!Number.isInteger(code) || code < 300 || code > 699) throw new RangeError(`STUN error code must be 300..699, got ${code}`);
  const r = Buffer.from(reason, 'utf8');
  const out = Buffer.alloc(4 + r.length);
  out[2] = Math.floor(code / 100);
  out[3] = code % 100;
  r.copy(out, 4);
  return out;
}

export function decodeErrorCode(v: Buffer): { code: number; reason: string } {
  if (v.length < 4) throw new ParseError(`ERROR-CODE of ${v.length} bytes`);
  const cls = v[2]! & 0x07;
  const num = v[3]!;
  if (cls < 3 || cls > 6 || num > 99) throw new ParseError(`ERROR-CODE class ${cls} number ${num} out of range`);
  return { code: cls * 100 + num, reason: v.subarray(4).toString('utf8') };
}

export function encodeUnknownAttributes(types: readonly number[]): Buffer {
  const out = Buffer.alloc(types.length * 2);
  types.forEach((t, i) => out.writeUInt16BE(t, i * 2));
  return out;
}

export function decodeUnknownAttributes(v: Buffer): number[] {
  if (v.length % 2 !== 0) throw new ParseError(`UNKNOWN-ATTRIBUTES of odd length ${v.length}`);
  const out: number[] = [];
  for (let i = 0; i < v.length; i += 2) out.push(v.readUInt16BE(i));
  return out;
}

function u32(n: number, what: string): Buffer {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new RangeError(`${what} must be a 32-bit unsigned integer, got ${n}`);
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

function readU32(v: Buffer | undefined, what: string): number | undefined {
  if (v === undefined) return undefined;
  if (v.length !== 4) throw new ParseError(`${what} of ${v.length} bytes, expected 4`);
  return v.readUInt32BE(0);
}

function readU64(v: Buffer | undefined, what: string): bigint | undefined {
  if (v === undefined) return undefined;
  if (v.length !== 8) throw new ParseError(`${what} of ${v.length} bytes, expected 8`);
  return v.readBigUInt64BE(0);
}

function u64(n: bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt.asUintN(64, n));
  return b;
}

/**
 * Typed setters and getters over a StunMessage. Kept as a namespace of plain
 * functions so the message class stays small and attribute-agnostic.
 */
export const attr = {
  // --- setters (return the message for chaining) ---
  setMappedAddress: (m: StunMessage, a: { address: string; port: number }) => m.add(StunAttr.MappedAddress, encodeAddress(a)),
  setXorAddress: (m: StunMessage, type: number, a: { address: string; port: number }) => m.add(type, encodeXorAddress(a, m.transactionId)),
  setXorMappedAddress: (m: StunMessage, a: { address: string; port: number }) => m.add(StunAttr.XorMappedAddress, encodeXorAddress(a, m.transactionId)),
  setString: (m: StunMessage, type: number, s: string) => m.add(type, Buffer.from(s, 'utf8')),
  setUsername: (m: StunMessage, s: string) => m.add(StunAttr.Username, Buffer.from(s, 'utf8')),
  setSoftware: (m: StunMessage, s: string) => m.add(StunAttr.Software, Buffer.from(s, 'utf8')),
  setRealm: (m: StunMessage, s: string) => m.add(StunAttr.Realm, Buffer.from(s, 'utf8')),
  setNonce: (m: StunMessage, s: string) => m.add(StunAttr.Nonce, Buffer.from(s, 'utf8')),
  setErrorCode: (m: StunMessage, code: number, reason: string) => m.add(StunAttr.ErrorCode, encodeErrorCode(code, reason)),
  setUnknownAttributes: (m: StunMessage, types: readonly number[]) => m.add(StunAttr.UnknownAttributes, encodeUnknownAttributes(types)),
  setPriority: (m: StunMessage, p: number) => m.add(StunAttr.Priority, u32(p, 'PRIORITY')),
  setUseCandidate: (m: StunMessage) => m.add(StunAttr.UseCandidate),
  setIceControlling: (m: StunMessage, tieBreaker: bigint) => m.add(StunAttr.IceControlling, u64(tieBreaker)),
  setIceControlled: (m: StunMessage, tieBreaker: bigint) => m.add(StunAttr.IceControlled, u64(tieBreaker)),
  setLifetime: (m: StunMessage, seconds: number) => m.add(StunAttr.Lifetime, u32(seconds, 'LIFETIME')),
  setData: (m: StunMessage, data: Uint8Array) => m.add(StunAttr.Data, data),
  setDontFragment: (m: StunMessage) => m.add(StunAttr.DontFragment),
  /** RFC 8656 §18.4: channel number then 2 RFFU bytes. */
  setChannelNumber: (m: StunMessage, channel: number) => {
    if (!Number.isInteger(channel) || channel < 0x4000 || channel > 0x4fff) throw new RangeError(`TURN channel number must be 0x4000..0x4fff, got ${channel}`);
    const b = Buffer.alloc(4);
    b.writeUInt16BE(channel);
    return m.add(StunAttr.ChannelNumber, b);
  },
  /** RFC 8656 §18.11: protocol number (17 = UDP, 6 = TCP) then 3 RFFU bytes. */
  setRequestedTransport: (m: StunMessage, protocol: number) => m.add(StunAttr.RequestedTransport, Buffer.from([protocol & 0xff, 0, 0, 0])),
  /** RFC 8656 §18.6: 0x01 IPv4, 0x02 IPv6, then 3 RFFU bytes. */
  setRequestedAddressFamily: (m: StunMessage, family: 'IPv4' | 'IPv6') =>
    m.add(StunAttr.RequestedAddressFamily, Buffer.from([family === 'IPv4' ? FAMILY_V4 : FAMILY_V6, 0, 0, 0])),

  // --- getters (undefined when absent; ParseError when malformed) ---
  getMappedAddress: (m: StunMessage): TransportAddress | undefined => {
    const v = m.get(StunAttr.MappedAddress);
    return v && decodeAddress(v);
  },
  getXorAddress: (m: StunMessage, type: number): TransportAddress | undefined => {
    const v = m.get(type);
    return v && decodeXorAddress(v, m.transactionId);
  },
  getXorMappedAddress: (m: StunMessage): TransportAddress | undefined => {
    const v = m.get(StunAttr.XorMappedAddress);
    return v && decodeXorAddress(v, m.transactionId);
  },
  getString: (m: StunMessage, type: number): string | undefined => m.get(type)?.toString('utf8'),
  getUsername: (m: StunMessage): string | undefined => m.get(StunAttr.Username)?.toString('utf8'),
  getSoftware: (m: StunMessage): string | undefined => m.get(StunAttr.Software)?.toString('utf8'),
  getRealm: (m: StunMessage): string | undefined => m.get(StunAttr.Realm)?.toString('utf8'),
  getNonce: (m: StunMessage): string | undefined => m.get(StunAttr.Nonce)?.toString('utf8'),
  getErrorCode: (m: StunMessage): { code: number; reason: string } | undefined => {
    const v = m.get(StunAttr.ErrorCode);
    return v && decodeErrorCode(v);
  },
  getUnknownAttributes: (m: StunMessage): number[] | undefined => {
    const v = m.get(StunAttr.UnknownAttributes);
    return v && decodeUnknownAttributes(v);
  },
  getPriority: (m: StunMessage): number | undefined => readU32(m.get(StunAttr.Priority), 'PRIORITY'),
  getUseCandidate: (m: StunMessage): boolean => m.has(StunAttr.UseCandidate),
  getIceControlling: (m: StunMessage): bigint | undefined => readU64(m.get(StunAttr.IceControlling), 'ICE-CONTROLLING'),
  getIceControlled: (m: StunMessage): bigint | undefined => readU64(m.get(StunAttr.IceControlled), 'ICE-CONTROLLED'),
  getLifetime: (m: StunMessage): number | undefined => readU32(m.get(StunAttr.Lifetime), 'LIFETIME'),
  getData: (m: StunMessage): Buffer | undefined => m.get(StunAttr.Data),
  getDontFragment: (m: StunMessage): boolean => m.has(StunAttr.DontFragment),
  getChannelNumber: (m: StunMessage): number | undefined => {
    const v = m.get(StunAttr.ChannelNumber);
    if (v === undefined) return undefined;
    if (v.length !== 4) throw new ParseError(`CHANNEL-NUMBER of ${v.length} bytes`);
    return v.readUInt16BE(0);
  },
  getRequestedTransport: (m: StunMessage): number | undefined => {
    const v = m.get(StunAttr.RequestedTransport);
    if (v === undefined) return undefined;
    if (v.length !== 4) throw new ParseError(`REQUESTED-TRANSPORT of ${v.length} bytes`);
    return v[0];
  },
  getRequestedAddressFamily: (m: StunMessage): 'IPv4' | 'IPv6' | undefined => {
    const v = m.get(StunAttr.RequestedAddressFamily);
    if (v === undefined) return undefined;
    if (v.length !== 4 || (v[0] !== FAMILY_V4 && v[0] !== FAMILY_V6)) throw new ParseError('bad REQUESTED-ADDRESS-FAMILY');
    return v[0] === FAMILY_V4 ? 'IPv4' : 'IPv6';
  },
};

import { ParseError } from '@rivulet/common';
import type { ChunkCodec } from './codec.js';
import { findTlv, parseTlvs, tlvsLength, writeTlvs } from './tlv.js';
import { ChunkType, ParamType, type InitChunk, type Tlv } from './types.js';

/**
 * INIT (RFC 9260 §3.3.2) and INIT ACK (§3.3.3) share a layout: initiate
 * tag, a_rwnd, outbound streams, inbound streams, initial TSN, parameters.
 * INIT ACK must carry a State Cookie parameter; that is checked by the
 * association, which also ignores parameters it does not understand.
 */
function makeCodec(type: 1 | 2): ChunkCodec<InitChunk> {
  const name = type === 1 ? 'INIT' : 'INIT ACK';
  return {
    parse(_flags, value) {
      if (value.length < 16) throw new ParseError(`${name} value of ${value.length} bytes is shorter than 16`);
      const chunk: InitChunk = {
        type,
        initiateTag: value.readUInt32BE(0),
        aRwnd: value.readUInt32BE(4),
        outboundStreams: value.readUInt16BE(8),
        inboundStreams: value.readUInt16BE(10),
        initialTsn: value.readUInt32BE(12),
        params: parseTlvs(value, 16),
      };
      // §3.3.2: a zero initiate tag or zero stream counts are invalid mandatory parameters.
      if (chunk.initiateTag === 0) throw new ParseError(`${name} with initiate tag 0`);
      if (chunk.outboundStreams === 0 || chunk.inboundStreams === 0) {
        throw new ParseError(`${name} with ${chunk.outboundStreams} outbound / ${chunk.inboundStreams} inbound streams`);
      }
      return chunk;
    },
    flags: () => 0,
    valueLength: (c) => 16 + tlvsLength(c.params),
    writeValue(c, buf, off) {
      buf.writeUInt32BE(c.initiateTag >>> 0, off);
      buf.writeUInt32BE(c.aRwnd >>> 0, off + 4);
      buf.writeUInt16BE(c.outboundStreams, off + 8);
      buf.writeUInt16BE(c.inboundStreams, off + 10);
      buf.writeUInt32BE(c.initialTsn >>> 0, off + 12);
      writeTlvs(c.params, buf, off + 16);
    },
  };
}

export const initCodec = makeCodec(ChunkType.INIT);
export const initAckCodec = makeCodec(ChunkType.INIT_ACK);

/** Supported Extensions parameter (RFC 5061 §4.2.7): a list of chunk types. */
export function supportedExtensionsParam(chunkTypes: readonly number[]): Tlv {
  return { type: ParamType.SUPPORTED_EXTENSIONS, value: Buffer.from(chunkTypes) };
}

/** Forward-TSN-Supported parameter (RFC 3758 §3.1): no value. */
export function forwardTsnSupportedParam(): Tlv {
  return { type: ParamType.FORWARD_TSN_SUPPORTED, value: Buffer.alloc(0) };
}

/** RFC 9653 §6: Error Detection Method Identifier 1 = SCTP over DTLS (RFC 8261). */
export const EDMID_DTLS = 1;

/** RFC 9653 §4: we accept packets whose checksum is zero, the lower layer (DTLS) protecting them. */
export function zeroChecksumAcceptableParam(edmid = EDMID_DTLS): Tlv {
  const value = Buffer.alloc(4);
  value.writeUInt32BE(edmid >>> 0, 0);
  return { type: ParamType.ZERO_CHECKSUM_ACCEPTABLE, value };
}

export function stateCookieParam(cookie: Buffer): Tlv {
  return { type: ParamType.STATE_COOKIE, value: cookie };
}

/** INIT / INIT ACK parameter types we understand (whether or not we act on them). */
const KNOWN_PARAMS = new Set<number>([
  ParamType.HEARTBEAT_INFO,
  ParamType.IPV4_ADDRESS,
  ParamType.IPV6_ADDRESS,
  ParamType.STATE_COOKIE,
  ParamType.UNRECOGNIZED_PARAMETER,
  ParamType.COOKIE_PRESERVATIVE,
  ParamType.HOST_NAME_ADDRESS,
  ParamType.SUPPORTED_ADDRESS_TYPES,
  ParamType.ECN_CAPABLE,
  ParamType.SUPPORTED_EXTENSIONS,
  ParamType.FORWARD_TSN_SUPPORTED,
  ParamType.ZERO_CHECKSUM_ACCEPTABLE,
]);

/**
 * RFC 9260 §3.2.1: the two high bits of an unknown parameter type say what
 * to do. 00 / 01: stop processing the chunk's parameters here (01: and
 * report it); 10 / 11: skip it (11: and report it). Returns the parameters
 * to honour and those to report in an Unrecognized Parameter (§3.3.3.1).
 */
export function screenParams(params: readonly Tlv[]): { usable: Tlv[]; report: Tlv[] } {
  const usable: Tlv[] = [];
  const report: Tlv[] = [];
  for (const p of params) {
    if (KNOWN_PARAMS.has(p.type)) {
      usable.push(p);
      continue;
    }
    if (p.type & 0x4000) report.push(p);
    if ((p.type & 0x8000) === 0) break;
  }
  return { usable, report };
}

/** Unrecognized Parameter (RFC 9260 §3.3.3.1): wraps the offending parameter, header included. */
export function unrecognizedParam(p: Tlv): Tlv {
  const inner = Buffer.alloc(4 + p.value.length);
  inner.writeUInt16BE(p.type, 0);
  inner.writeUInt16BE(4 + p.value.length, 2);
  p.value.copy(inner, 4);
  return { type: ParamType.UNRECOGNIZED_PARAMETER, value: inner };
}

/** What the peer's INIT / INIT ACK says about the extensions we care about. */
export function peerExtensions(chunk: InitChunk): { forwardTsn: boolean; reconfig: boolean; zeroChecksum: boolean } {
  const params = screenParams(chunk.params).usable;
  const ext = findTlv(params, ParamType.SUPPORTED_EXTENSIONS);
  const list = ext ? [...ext.value] : [];
  return {
    forwardTsn: findTlv(params, ParamType.FORWARD_TSN_SUPPORTED) !== undefined || list.includes(ChunkType.FORWARD_TSN),
    reconfig: list.includes(ChunkType.RECONFIG),
    // RFC 9653 §5.1: only the DTLS method means anything to us; another EDMID is not ours.
    zeroChecksum: params.some((p) => p.type === ParamType.ZERO_CHECKSUM_ACCEPTABLE && p.value.length >= 4 && p.value.readUInt32BE(0) === EDMID_DTLS),
  };
}

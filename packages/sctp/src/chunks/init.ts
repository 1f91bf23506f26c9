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

export function stateCookieParam(cookie: Buffer): Tlv {
  return { type: ParamType.STATE_COOKIE, value: cookie };
}

/** What the peer's INIT / INIT ACK says about the extensions we care about. */
export function peerExtensions(chunk: InitChunk): { forwardTsn: boolean; reconfig: boolean } {
  const ext = findTlv(chunk.params, ParamType.SUPPORTED_EXTENSIONS);
  const list = ext ? [...ext.value] : [];
  return {
    forwardTsn: findTlv(chunk.params, ParamType.FORWARD_TSN_SUPPORTED) !== undefined || list.includes(ChunkType.FORWARD_TSN),
    reconfig: list.includes(ChunkType.RECONFIG),
  };
}

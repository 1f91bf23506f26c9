import { ParseError } from '@rivulet/common';
import type { ChunkCodec } from './codec.js';
import { findTlv, parseTlvs, tlvsLength, writeTlvs } from './tlv.js';
import { ParamType, type HeartbeatChunk } from './types.js';

/**
 * HEARTBEAT (RFC 9260 §3.3.5) and HEARTBEAT ACK (§3.3.6): one Heartbeat
 * Info parameter whose content only the sender interprets; the receiver
 * echoes it unchanged.
 */
function makeCodec(type: 4 | 5): ChunkCodec<HeartbeatChunk> {
  const name = type === 4 ? 'HEARTBEAT' : 'HEARTBEAT ACK';
  return {
    parse(_flags, value) {
      const info = findTlv(parseTlvs(value), ParamType.HEARTBEAT_INFO);
      if (!info) throw new ParseError(`${name} without a Heartbeat Info parameter`);
      return { type, info: info.value };
    },
    flags: () => 0,
    valueLength: (c) => tlvsLength([{ type: ParamType.HEARTBEAT_INFO, value: c.info }]),
    writeValue(c, buf, off) {
      writeTlvs([{ type: ParamType.HEARTBEAT_INFO, value: c.info }], buf, off);
    },
  };
}

export const heartbeatCodec = makeCodec(4);
export const heartbeatAckCodec = makeCodec(5);

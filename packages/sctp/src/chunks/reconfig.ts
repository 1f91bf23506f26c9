import { ParseError } from '@rivulet/common';
import type { ChunkCodec } from './codec.js';
import { parseTlvs, tlvsLength, writeTlvs } from './tlv.js';
import { ReconfigParamType, type ReconfigChunk, type ReconfigParam, type Tlv } from './types.js';

/**
 * RE-CONFIG (RFC 6525 §3.1) carries one or two re-configuration parameters:
 * Outgoing SSN Reset Request (§4.1), Incoming SSN Reset Request (§4.2),
 * Re-configuration Response (§4.4). Others (§4.3, §4.5, §4.6) are kept raw.
 */
function parseParam(t: Tlv): ReconfigParam {
  const v = t.value;
  const streamsFrom = (off: number): number[] => {
    if ((v.length - off) % 2 !== 0) throw new ParseError(`reset request stream list of odd length ${v.length - off}`);
    const out: number[] = [];
    for (let i = off; i < v.length; i += 2) out.push(v.readUInt16BE(i));
    return out;
  };
  switch (t.type) {
    case ReconfigParamType.OUTGOING_SSN_RESET:
      if (v.length < 12) throw new ParseError(`Outgoing SSN Reset Request of ${v.length} bytes is shorter than 12`);
      return {
        type: 13,
        requestSeq: v.readUInt32BE(0),
        responseSeq: v.readUInt32BE(4),
        senderLastTsn: v.readUInt32BE(8),
        streams: streamsFrom(12),
      };
    case ReconfigParamType.INCOMING_SSN_RESET:
      if (v.length < 4) throw new ParseError(`Incoming SSN Reset Request of ${v.length} bytes is shorter than 4`);
      return { type: 14, requestSeq: v.readUInt32BE(0), streams: streamsFrom(4) };
    case ReconfigParamType.RESPONSE: {
      if (v.length !== 8 && v.length !== 16) throw new ParseError(`Re-configuration Response of ${v.length} bytes, want 8 or 16`);
      const r: ReconfigParam = { type: 16, responseSeq: v.readUInt32BE(0), result: v.readUInt32BE(4) };
      if (v.length === 16) {
        r.senderNextTsn = v.readUInt32BE(8);
        r.receiverNextTsn = v.readUInt32BE(12);
      }
      return r;
    }
    case 15:
    case 17:
    case 18:
      return { type: t.type, raw: t };
    default:
      return { type: 'other', raw: t };
  }
}

function toTlv(p: ReconfigParam): Tlv {
  switch (p.type) {
    case 13: {
      const v = Buffer.alloc(12 + 2 * p.streams.length);
      v.writeUInt32BE(p.requestSeq >>> 0, 0);
      v.writeUInt32BE(p.responseSeq >>> 0, 4);
      v.writeUInt32BE(p.senderLastTsn >>> 0, 8);
      p.streams.forEach((s, i) => v.writeUInt16BE(s, 12 + 2 * i));
      return { type: 13, value: v };
    }
    case 14: {
      const v = Buffer.alloc(4 + 2 * p.streams.length);
      v.writeUInt32BE(p.requestSeq >>> 0, 0);
      p.streams.forEach((s, i) => v.writeUInt16BE(s, 4 + 2 * i));
      return { type: 14, value: v };
    }
    case 16: {
      const full = p.senderNextTsn !== undefined && p.receiverNextTsn !== undefined;
      const v = Buffer.alloc(full ? 16 : 8);
      v.writeUInt32BE(p.responseSeq >>> 0, 0);
      v.writeUInt32BE(p.result >>> 0, 4);
      if (full) {
        v.writeUInt32BE(p.senderNextTsn! >>> 0, 8);
        v.writeUInt32BE(p.receiverNextTsn! >>> 0, 12);
      }
      return { type: 16, value: v };
    }
    default:
      return p.raw;
  }
}

export const reconfigCodec: ChunkCodec<ReconfigChunk> = {
  parse(_flags, value) {
    const tlvs = parseTlvs(value);
    if (tlvs.length === 0 || tlvs.length > 2) throw new ParseError(`RE-CONFIG with ${tlvs.length} parameters, want 1 or 2`);
    return { type: 130, params: tlvs.map(parseParam) };
  },
  flags: () => 0,
  valueLength: (c) => tlvsLength(c.params.map(toTlv)),
  writeValue: (c, buf, off) => void writeTlvs(c.params.map(toTlv), buf, off),
};

import type { ChunkCodec } from './codec.js';
import { parseTlvs, tlvsLength, writeTlvs } from './tlv.js';
import { CauseCode, type ErrorChunk, type Tlv } from './types.js';

/** OPERATION ERROR (RFC 9260 §3.3.10): one or more error causes. */
export const errorCodec: ChunkCodec<ErrorChunk> = {
  parse: (_flags, value) => ({ type: 9, causes: parseTlvs(value) }),
  flags: () => 0,
  valueLength: (c) => tlvsLength(c.causes),
  writeValue: (c, buf, off) => void writeTlvs(c.causes, buf, off),
};

/** §3.3.10.12 User-Initiated Abort: the upper layer's reason, as UTF-8. */
export function userInitiatedAbortCause(reason: string): Tlv {
  return { type: CauseCode.USER_INITIATED_ABORT, value: Buffer.from(reason, 'utf8').subarray(0, 1000) };
}

/** §3.3.10.13 Protocol Violation: additional information as UTF-8. */
export function protocolViolationCause(info: string): Tlv {
  return { type: CauseCode.PROTOCOL_VIOLATION, value: Buffer.from(info, 'utf8') };
}

/** §3.3.10.3 Stale Cookie: measure of staleness in microseconds. */
export function staleCookieCause(stalenessUs: number): Tlv {
  const v = Buffer.alloc(4);
  v.writeUInt32BE(Math.min(0xffffffff, Math.max(0, Math.round(stalenessUs))));
  return { type: CauseCode.STALE_COOKIE, value: v };
}

/** §3.3.10.6 Unrecognized Chunk Type: carries the whole unrecognized chunk. */
export function unrecognizedChunkCause(chunkBytes: Buffer): Tlv {
  return { type: CauseCode.UNRECOGNIZED_CHUNK_TYPE, value: chunkBytes };
}

/** §3.3.10.1 Invalid Stream Identifier: stream id then 2 reserved bytes. */
export function invalidStreamCause(streamId: number): Tlv {
  const v = Buffer.alloc(4);
  v.writeUInt16BE(streamId);
  return { type: CauseCode.INVALID_STREAM_IDENTIFIER, value: v };
}

/** A readable description of error causes, for 'error' events and logs. */
export function describeCauses(causes: readonly Tlv[]): string {
  return causes
    .map((c) => {
      switch (c.type) {
        case CauseCode.USER_INITIATED_ABORT:
          return `user-initiated abort: ${c.value.toString('utf8')}`;
        case CauseCode.PROTOCOL_VIOLATION:
          return `protocol violation: ${c.value.toString('utf8')}`;
        case CauseCode.STALE_COOKIE:
          return 'stale cookie';
        case CauseCode.INVALID_STREAM_IDENTIFIER:
          return `invalid stream identifier ${c.value.length >= 2 ? c.value.readUInt16BE(0) : '?'}`;
        case CauseCode.UNRECOGNIZED_CHUNK_TYPE:
          return `unrecognized chunk type ${c.value.length >= 1 ? c.value[0] : '?'}`;
        case CauseCode.OUT_OF_RESOURCE:
          return 'out of resource';
        case CauseCode.NO_USER_DATA:
          return 'no user data';
        default:
          return `cause ${c.type}`;
      }
    })
    .join('; ');
}

/**
 * Chunk type codes (RFC 9260 §3.2, RFC 3758 §3.2, RFC 6525 §3.1) and the
 * tagged union every chunk codec in this folder produces.
 */
export const ChunkType = {
  DATA: 0,
  INIT: 1,
  INIT_ACK: 2,
  SACK: 3,
  HEARTBEAT: 4,
  HEARTBEAT_ACK: 5,
  ABORT: 6,
  SHUTDOWN: 7,
  SHUTDOWN_ACK: 8,
  ERROR: 9,
  COOKIE_ECHO: 10,
  COOKIE_ACK: 11,
  SHUTDOWN_COMPLETE: 14,
  RECONFIG: 130,
  FORWARD_TSN: 192,
} as const;
export type ChunkTypeCode = (typeof ChunkType)[keyof typeof ChunkType];

/** A type-length-value parameter (RFC 9260 §3.2.1) or error cause (§3.3.10). */
export interface Tlv {
  type: number;
  value: Buffer;
}

/** Parameter types used in INIT / INIT ACK (RFC 9260 §3.3.2, RFC 3758 §3.1, RFC 5061 §4.2.7). */
export const ParamType = {
  HEARTBEAT_INFO: 1,
  IPV4_ADDRESS: 5,
  IPV6_ADDRESS: 6,
  STATE_COOKIE: 7,
  UNRECOGNIZED_PARAMETER: 8,
  COOKIE_PRESERVATIVE: 9,
  HOST_NAME_ADDRESS: 11,
  SUPPORTED_ADDRESS_TYPES: 12,
  ECN_CAPABLE: 0x8000,
  SUPPORTED_EXTENSIONS: 0x8008,
  /** RFC 9653 §4: Zero Checksum Acceptable (EDMID follows). */
  ZERO_CHECKSUM_ACCEPTABLE: 0x8001,
  FORWARD_TSN_SUPPORTED: 0xc000,
} as const;

/** Error cause codes (RFC 9260 §3.3.10). */
export const CauseCode = {
  INVALID_STREAM_IDENTIFIER: 1,
  MISSING_MANDATORY_PARAMETER: 2,
  STALE_COOKIE: 3,
  OUT_OF_RESOURCE: 4,
  UNRESOLVABLE_ADDRESS: 5,
  UNRECOGNIZED_CHUNK_TYPE: 6,
  INVALID_MANDATORY_PARAMETER: 7,
  UNRECOGNIZED_PARAMETERS: 8,
  NO_USER_DATA: 9,
  COOKIE_WHILE_SHUTTING_DOWN: 10,
  RESTART_WITH_NEW_ADDRESSES: 11,
  USER_INITIATED_ABORT: 12,
  PROTOCOL_VIOLATION: 13,
} as const;

export interface DataChunk {
  type: 0;
  /** U bit: unordered delivery (§3.3.1). */
  unordered: boolean;
  /** B bit: first fragment of a user message. */
  beginning: boolean;
  /** E bit: last fragment of a user message. */
  ending: boolean;
  /** I bit (RFC 7053): the receiver should SACK without delay. */
  immediate: boolean;
  tsn: number;
  streamId: number;
  ssn: number;
  ppid: number;
  userData: Buffer;
}

export interface InitChunk {
  type: 1 | 2;
  initiateTag: number;
  aRwnd: number;
  outboundStreams: number;
  inboundStreams: number;
  initialTsn: number;
  /** Optional / variable-length parameters, in wire order. */
  params: Tlv[];
}

export interface GapBlock {
  /** Offsets from the cumulative TSN ack (§3.3.4), inclusive. */
  start: number;
  end: number;
}

export interface SackChunk {
  type: 3;
  cumTsnAck: number;
  aRwnd: number;
  gapBlocks: GapBlock[];
  duplicateTsns: number[];
}

export interface HeartbeatChunk {
  type: 4 | 5;
  /** Opaque sender-specific Heartbeat Information (§3.3.5). */
  info: Buffer;
}

export interface AbortChunk {
  type: 6;
  /** T bit: the verification tag is the sender's own (reflected), §3.3.7. */
  reflected: boolean;
  causes: Tlv[];
}

export interface ShutdownChunk {
  type: 7;
  cumTsnAck: number;
}

export interface ShutdownAckChunk {
  type: 8;
}

export interface ErrorChunk {
  type: 9;
  causes: Tlv[];
}

export interface CookieEchoChunk {
  type: 10;
  cookie: Buffer;
}

export interface CookieAckChunk {
  type: 11;
}

export interface ShutdownCompleteChunk {
  type: 14;
  reflected: boolean;
}

export interface ForwardTsnStream {
  streamId: number;
  ssn: number;
}

export interface ForwardTsnChunk {
  type: 192;
  newCumulativeTsn: number;
  streams: ForwardTsnStream[];
}

/** RE-CONFIG parameter types (RFC 6525 §4). */
export const ReconfigParamType = {
  OUTGOING_SSN_RESET: 13,
  INCOMING_SSN_RESET: 14,
  SSN_TSN_RESET: 15,
  RESPONSE: 16,
  ADD_OUTGOING_STREAMS: 17,
  ADD_INCOMING_STREAMS: 18,
} as const;

/** Re-configuration Response results (RFC 6525 §4.4). */
export const ReconfigResult = {
  SUCCESS_NOTHING_TO_DO: 0,
  SUCCESS_PERFORMED: 1,
  DENIED: 2,
  ERROR_WRONG_SSN: 3,
  ERROR_REQUEST_ALREADY_IN_PROGRESS: 4,
  ERROR_BAD_SEQUENCE_NUMBER: 5,
  IN_PROGRESS: 6,
} as const;

export interface OutgoingSsnResetRequest {
  type: 13;
  requestSeq: number;
  responseSeq: number;
  senderLastTsn: number;
  /** Empty means "all streams" (RFC 6525 §4.1). */
  streams: number[];
}

export interface IncomingSsnResetRequest {
  type: 14;
  requestSeq: number;
  streams: number[];
}

export interface ReconfigResponse {
  type: 16;
  responseSeq: number;
  result: number;
  senderNextTsn?: number;
  receiverNextTsn?: number;
}

/** Parameters we do not act on are kept as raw TLVs (SSN/TSN reset, add streams). */
export interface ReconfigOther {
  type: 15 | 17 | 18 | 'other';
  raw: Tlv;
}

export type ReconfigParam = OutgoingSsnResetRequest | IncomingSsnResetRequest | ReconfigResponse | ReconfigOther;

export interface ReconfigChunk {
  type: 130;
  params: ReconfigParam[];
}

/** A chunk type we do not implement; the upper two type bits say what to do (§3.2). */
export interface UnknownChunk {
  type: 'unknown';
  code: number;
  flags: number;
  value: Buffer;
}

export type Chunk =
  | DataChunk
  | InitChunk
  | SackChunk
  | HeartbeatChunk
  | AbortChunk
  | ShutdownChunk
  | ShutdownAckChunk
  | ErrorChunk
  | CookieEchoChunk
  | CookieAckChunk
  | ShutdownCompleteChunk
  | ForwardTsnChunk
  | ReconfigChunk
  | UnknownChunk;

/** Rounds up to the 4-byte boundary every chunk and parameter is padded to (§3.2). */
export function pad4(n: number): number {
  return (n + 3) & ~3;
}

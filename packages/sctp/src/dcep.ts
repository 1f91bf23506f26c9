import { ParseError } from '@rivulet/common';

/**
 * The Data Channel Establishment Protocol (RFC 8832) messages, and the
 * payload protocol identifiers WebRTC data channels use (RFC 8831 §8,
 * IANA "SCTP Payload Protocol Identifiers").
 */
export const Ppid = {
  DCEP: 50,
  STRING: 51,
  /** Deprecated partial-message PPIDs (RFC 8831 §6.6 note): read, never sent. */
  BINARY_PARTIAL: 52,
  BINARY: 53,
  STRING_PARTIAL: 54,
  /** An empty message travels as one byte with these PPIDs (RFC 8831 §6.6). */
  STRING_EMPTY: 56,
  BINARY_EMPTY: 57,
} as const;

/** RFC 8832 §8.2.1 message types. */
export const DcepType = { ACK: 0x02, OPEN: 0x03 } as const;

/** RFC 8832 §5.1 channel types: high bit = unordered, low bits = reliability. */
export const ChannelType = {
  RELIABLE: 0x00,
  RELIABLE_UNORDERED: 0x80,
  PARTIAL_RELIABLE_REXMIT: 0x01,
  PARTIAL_RELIABLE_REXMIT_UNORDERED: 0x81,
  PARTIAL_RELIABLE_TIMED: 0x02,
  PARTIAL_RELIABLE_TIMED_UNORDERED: 0x82,
} as const;

export interface DataChannelOpen {
  type: 'open';
  channelType: number;
  priority: number;
  reliabilityParameter: number;
  label: string;
  protocol: string;
}

export interface DataChannelAck {
  type: 'ack';
}

export type DcepMessage = DataChannelOpen | DataChannelAck;

const utf8 = new TextDecoder('utf-8', { fatal: true });

function decodeUtf8(b: Buffer, what: string): string {
  try {
    return utf8.decode(b);
  } catch {
    throw new ParseError(`DATA_CHANNEL_OPEN ${what} is not valid UTF-8`);
  }
}

export function parseDcep(buf: Buffer): DcepMessage {
  if (buf.length < 1) throw new ParseError('empty DCEP message');
  const t = buf[0]!;
  if (t === DcepType.ACK) return { type: 'ack' };
  if (t !== DcepType.OPEN) throw new ParseError(`unknown DCEP message type ${t}`);
  if (buf.length < 12) throw new ParseError(`DATA_CHANNEL_OPEN of ${buf.length} bytes is shorter than 12`);
  const labelLength = buf.readUInt16BE(8);
  const protocolLength = buf.readUInt16BE(10);
  if (buf.length < 12 + labelLength + protocolLength) {
    throw new ParseError(`DATA_CHANNEL_OPEN announces label ${labelLength} + protocol ${protocolLength} bytes, has ${buf.length - 12}`);
  }
  const channelType = buf[1]!;
  if ((channelType & 0x7f) > 2) throw new ParseError(`unknown DATA_CHANNEL_OPEN channel type 0x${channelType.toString(16)}`);
  return {
    type: 'open',
    channelType,
    priority: buf.readUInt16BE(2),
    reliabilityParameter: buf.readUInt32BE(4),
    label: decodeUtf8(buf.subarray(12, 12 + labelLength), 'label'),
    protocol: decodeUtf8(buf.subarray(12 + labelLength, 12 + labelLength + protocolLength), 'protocol'),
  };
}

export function serializeDcep(m: DcepMessage): Buffer {
  if (m.type === 'ack') return Buffer.from([DcepType.ACK]);
  const label = Buffer.from(m.label, 'utf8');
  const protocol = Buffer.from(m.protocol, 'utf8');
  if (label.length > 0xffff) throw new RangeError(`data channel label of ${label.length} bytes exceeds 65535`);
  if (protocol.length > 0xffff) throw new RangeError(`data channel protocol of ${protocol.length} bytes exceeds 65535`);
  const b = Buffer.alloc(12 + label.length + protocol.length);
  b[0] = DcepType.OPEN;
  b[1] = m.channelType;
  b.writeUInt16BE(m.priority, 2);
  b.writeUInt32BE(m.reliabilityParameter >>> 0, 4);
  b.writeUInt16BE(label.length, 8);
  b.writeUInt16BE(protocol.length, 10);
  label.copy(b, 12);
  protocol.copy(b, 12 + label.length);
  return b;
}

/** W3C RTCPriorityType ↔ RFC 8832 §5.1 priority values. */
export type ChannelPriority = 'very-low' | 'low' | 'medium' | 'high';
const PRIORITY_VALUE: Record<ChannelPriority, number> = { 'very-low': 128, low: 256, medium: 512, high: 1024 };

export function priorityValue(p: ChannelPriority): number {
  return PRIORITY_VALUE[p];
}

/** Maps any wire value to the nearest W3C level (RFC 8832 §5.1 allows values in between). */
export function priorityFromValue(v: number): ChannelPriority {
  if (v <= 128) return 'very-low';
  if (v <= 256) return 'low';
  if (v <= 512) return 'medium';
  return 'high';
}

/** RFC 8832 §5.1: channel type and reliability parameter from the W3C options. */
export function channelTypeOf(ordered: boolean, maxRetransmits: number | null, maxPacketLifeTime: number | null): {
  channelType: number;
  reliabilityParameter: number;
} {
  const u = ordered ? 0 : 0x80;
  if (maxRetransmits !== null) return { channelType: u | 0x01, reliabilityParameter: maxRetransmits };
  if (maxPacketLifeTime !== null) return { channelType: u | 0x02, reliabilityParameter: maxPacketLifeTime };
  return { channelType: u, reliabilityParameter: 0 };
}

import { channelTypeOf, priorityFromValue, priorityValue, type ChannelPriority, type DataChannelOpen } from './dcep.js';
import { namedError, type ChannelParameters, type SctpDataChannel } from './dataChannel.js';

/*
 * A data channel's parameters, from where they come to where they go: the W3C
 * createDataChannel() dictionary (validated here), the peer's DATA_CHANNEL_OPEN, and our own
 * DATA_CHANNEL_OPEN (RFC 8832 §5.1). DataChannelManager (channelManager.ts) owns the ids and
 * the channels; these are pure functions of their arguments.
 */

/** What createChannel() accepts: the W3C RTCDataChannelInit plus the label. */
export interface DataChannelInit {
  label?: string;
  protocol?: string;
  ordered?: boolean;
  maxRetransmits?: number | null;
  maxPacketLifeTime?: number | null;
  negotiated?: boolean;
  id?: number | null;
  priority?: ChannelPriority;
}

/** The largest stream id a data channel may use (W3C createDataChannel(): an id of 65535 is a TypeError). */
export const MAX_ID = 65534;

/**
 * W3C createDataChannel() validation, in its order: label and protocol length, the two
 * partial-reliability limits, then the id (a negotiated channel's own, checked with `inUse`;
 * otherwise `allocateId()`, called only once everything else is valid).
 */
export function channelParameters(init: DataChannelInit, inUse: (id: number) => boolean, allocateId: () => number): ChannelParameters {
  const label = init.label ?? '';
  const protocol = init.protocol ?? '';
  const maxRetransmits = init.maxRetransmits ?? null;
  const maxPacketLifeTime = init.maxPacketLifeTime ?? null;
  if (Buffer.byteLength(label) > 65535) throw namedError('TypeError', `data channel label of ${Buffer.byteLength(label)} bytes exceeds 65535`);
  if (Buffer.byteLength(protocol) > 65535) throw namedError('TypeError', `data channel protocol of ${Buffer.byteLength(protocol)} bytes exceeds 65535`);
  if (maxRetransmits !== null && maxPacketLifeTime !== null) {
    throw namedError('TypeError', `maxRetransmits (${maxRetransmits}) and maxPacketLifeTime (${maxPacketLifeTime}) cannot both be set`);
  }
  for (const [name, v] of [['maxRetransmits', maxRetransmits], ['maxPacketLifeTime', maxPacketLifeTime]] as const) {
    if (v !== null && (!Number.isInteger(v) || v < 0 || v > 65535)) throw namedError('TypeError', `${name} must be an integer in [0, 65535], got ${v}`);
  }
  const negotiated = init.negotiated === true;
  let id: number;
  if (negotiated) {
    if (init.id === undefined || init.id === null) throw namedError('TypeError', 'a negotiated data channel needs an id');
    id = init.id;
    if (!Number.isInteger(id) || id < 0 || id > MAX_ID) throw namedError('TypeError', `data channel id ${id} is outside [0, ${MAX_ID}]`);
    if (inUse(id)) throw namedError('OperationError', `data channel id ${id} is already in use`);
  } else {
    id = allocateId();
  }
  return {
    id,
    label,
    protocol,
    ordered: init.ordered !== false,
    maxRetransmits,
    maxPacketLifeTime,
    negotiated,
    priority: init.priority ?? 'low',
  };
}

/** DATA_CHANNEL_OPEN (RFC 8832 §5.1) announcing our channel. */
export function openMessageFor(ch: SctpDataChannel): DataChannelOpen {
  const t = channelTypeOf(ch.ordered, ch.maxRetransmits, ch.maxPacketLifeTime);
  return {
    type: 'open',
    channelType: t.channelType,
    reliabilityParameter: t.reliabilityParameter,
    priority: priorityValue(ch.priority),
    label: ch.label,
    protocol: ch.protocol,
  };
}

/** The parameters of a channel the peer opened on stream `id` (RFC 8832 §5.1 channel types). */
export function parametersFromOpen(id: number, msg: DataChannelOpen): ChannelParameters {
  const reliability = msg.channelType & 0x7f;
  return {
    id,
    label: msg.label,
    protocol: msg.protocol,
    ordered: (msg.channelType & 0x80) === 0,
    maxRetransmits: reliability === 1 ? msg.reliabilityParameter : null,
    maxPacketLifeTime: reliability === 2 ? msg.reliabilityParameter : null,
    negotiated: false,
    priority: priorityFromValue(msg.priority),
  };
}

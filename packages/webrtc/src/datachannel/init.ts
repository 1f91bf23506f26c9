/**
 * createDataChannel argument checks (webrtc-pc §6.1 createDataChannel):
 * TypeError for label/protocol over 65535 bytes, for both maxPacketLifeTime
 * and maxRetransmits, for negotiated without id, and for id 65535.
 */
import type { DataChannelParameters } from '../transport/bundle.js';

export interface RTCDataChannelInit {
  ordered?: boolean;
  maxPacketLifeTime?: number;
  maxRetransmits?: number;
  protocol?: string;
  negotiated?: boolean;
  id?: number;
  priority?: 'very-low' | 'low' | 'medium' | 'high';
}

const PRIORITIES = ['very-low', 'low', 'medium', 'high'];

/** WebIDL [EnforceRange] unsigned short. */
function unsignedShort(member: string, v: unknown): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0 || n > 65535) throw new TypeError(`createDataChannel: ${member} ${String(v)} is not in 0..65535`);
  return Math.trunc(n);
}

export function validateDataChannelInit(label: unknown, init: RTCDataChannelInit | undefined): DataChannelParameters {
  const l = String(label);
  const d = init ?? {};
  if (Buffer.byteLength(l, 'utf8') > 65535) {
    throw new TypeError(`createDataChannel: label is ${Buffer.byteLength(l, 'utf8')} bytes; the limit is 65535 (RFC 8832 §5.1)`);
  }
  const protocol = d.protocol === undefined ? '' : String(d.protocol);
  if (Buffer.byteLength(protocol, 'utf8') > 65535) {
    throw new TypeError(`createDataChannel: protocol is ${Buffer.byteLength(protocol, 'utf8')} bytes; the limit is 65535`);
  }
  const maxPacketLifeTime = d.maxPacketLifeTime === undefined || d.maxPacketLifeTime === null ? null : unsignedShort('maxPacketLifeTime', d.maxPacketLifeTime);
  const maxRetransmits = d.maxRetransmits === undefined || d.maxRetransmits === null ? null : unsignedShort('maxRetransmits', d.maxRetransmits);
  if (maxPacketLifeTime !== null && maxRetransmits !== null) {
    throw new TypeError('createDataChannel: maxPacketLifeTime and maxRetransmits cannot both be set');
  }
  const negotiated = Boolean(d.negotiated);
  const id = d.id === undefined || d.id === null ? null : unsignedShort('id', d.id);
  if (negotiated && id === null) throw new TypeError('createDataChannel: negotiated: true needs an id');
  if (id === 65535) throw new TypeError('createDataChannel: id 65535 is reserved (RFC 8831 §6.5)');
  const priority = d.priority ?? 'low';
  if (!PRIORITIES.includes(priority)) throw new TypeError(`createDataChannel: priority ${JSON.stringify(priority)} is not one of ${PRIORITIES.join(', ')}`);
  return {
    label: l, protocol, ordered: d.ordered ?? true, maxPacketLifeTime, maxRetransmits, negotiated,
    // A given id is honoured for in-band (DCEP) channels too; null lets SCTP pick by DTLS role.
    id,
    priority,
  };
}

import type { TransportAddress } from '@rivulet/common';
import type { AllocateTurnOptions } from './types.js';

/** API misuse of allocateTurn gets an error naming the field and the value. */
export function validateAllocateOptions(options: AllocateTurnOptions): void {
  const s = options?.server;
  if (!s) throw new TypeError('allocateTurn: options.server is required');
  if (typeof s.address !== 'string' || s.address.length === 0) throw new TypeError(`allocateTurn: server.address must be a non-empty string, got ${String(s.address)}`);
  if (!Number.isInteger(s.port) || s.port < 1 || s.port > 65535) throw new RangeError(`allocateTurn: server.port must be an integer 1..65535, got ${String(s.port)}`);
  if (s.transport !== 'udp' && s.transport !== 'tcp') throw new TypeError(`allocateTurn: server.transport must be 'udp' or 'tcp', got ${String(s.transport)}`);
  if (typeof s.username !== 'string' || typeof s.credential !== 'string') throw new TypeError('allocateTurn: server.username and server.credential must be strings');
  if (!options.network || !options.clock) throw new TypeError('allocateTurn: options.network and options.clock are required');
  const l = options.lifetimeSeconds;
  if (l !== undefined && (!Number.isInteger(l) || l < 1)) throw new RangeError(`allocateTurn: lifetimeSeconds must be a positive integer, got ${String(l)}`);
  const f = options.relayFamily;
  if (f !== undefined && f !== 'IPv4' && f !== 'IPv6') throw new TypeError(`allocateTurn: relayFamily must be 'IPv4' or 'IPv6', got ${String(f)}`);
}

/** API misuse of TurnAllocation.send gets an error naming the value (the peer address is checked where it is made canonical). */
export function validateSend(data: Uint8Array, peer: TransportAddress): void {
  if (!(data instanceof Uint8Array)) throw new TypeError('TurnAllocation.send: data must be a Uint8Array');
  // DATA / ChannelData lengths are 16-bit (RFC 8656 §12.4, §18.10); the headers must fit too.
  if (data.length > 0xffff - 40) throw new RangeError(`TurnAllocation.send: data of ${data.length} bytes is too large (max 65495)`);
  if (!peer || !Number.isInteger(peer.port) || peer.port < 1 || peer.port > 65535) {
    throw new RangeError(`TurnAllocation.send: peer port must be an integer 1..65535, got ${String(peer?.port)}`);
  }
}

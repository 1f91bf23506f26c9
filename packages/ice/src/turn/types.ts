import type { Clock, Network, TransportAddress } from '@rivulet/common';

/** Where and how to reach a TURN server, with long-term credentials (RFC 8489 §9.2). */
export interface TurnServerConfig {
  address: string;
  port: number;
  transport: 'udp' | 'tcp';
  username: string;
  credential: string;
}

export type TurnState = 'allocated' | 'failed' | 'closed';

/** An allocation on a TURN server (RFC 8656 §2.2), as the ICE agent consumes it. */
export interface TurnAllocation {
  /** The relayed transport address (a relay candidate). */
  readonly relayedAddress: TransportAddress;
  /** XOR-MAPPED-ADDRESS from the Allocate response (a server-reflexive candidate). */
  readonly mappedAddress: TransportAddress;
  readonly state: TurnState;
  /** Creates/refreshes the permission and binds a channel as needed; queues until the permission exists. */
  send(data: Uint8Array, peer: TransportAddress): void;
  onData(handler: (data: Buffer, from: TransportAddress) => void): void;
  onStateChange(handler: (state: TurnState, error?: Error) => void): void;
  /** Refresh with LIFETIME 0 (releases the allocation), then closes its socket or connection. */
  close(): Promise<void>;
}

export interface AllocateTurnOptions {
  server: TurnServerConfig;
  network: Network;
  clock: Clock;
  /** Local address to bind (UDP) or connect from (TCP); default: the wildcard of the server's family. */
  localAddress?: string;
  /** Bind channels (RFC 8656 §12) for peers once their permission exists; default true. */
  channelBinding?: boolean;
  /**
   * Address family of the relayed address (RFC 8656 §7.1 REQUESTED-ADDRESS-FAMILY). Default: not
   * sent, so the server picks (IPv4 per RFC 8656 §7.2).
   */
  relayFamily?: 'IPv4' | 'IPv6';
  /** LIFETIME to request, seconds (RFC 8656 §7.2); default 600. */
  lifetimeSeconds?: number;
  /** Over UDP, send a Binding indication after this much idle time to keep NAT mappings alive; 0 disables. Default 15000. */
  keepaliveMs?: number;
  /** Initial STUN retransmission timeout over UDP, ms (RFC 8489 §6.2.1); default 500. */
  rtoMs?: number;
}

/** Counted events of one allocation (drops, retries, data-path choices). */
export type TurnCounter =
  | 'not-from-server'
  | 'stream-framing'
  | 'malformed'
  | 'unexpected-stun'
  | 'unknown-transaction'
  | 'bad-integrity'
  | 'unknown-channel'
  | 'send-not-allocated'
  | 'queue-overflow'
  | 'permission-failed'
  | 'dropped-no-permission'
  | 'channel-bind-failed'
  | 'release-failed'
  | 'sent-send-indication'
  | 'sent-channel-data'
  | 'received-data-indication'
  | 'received-channel-data'
  | 'allocation-refreshes'
  | 'permission-requests'
  | 'channel-binds'
  | 'stale-nonce-retries'
  | 'keepalives';

/** A TURN request that ended in an error response, a timeout or a broken transport. */
export class TurnError extends Error {
  constructor(
    message: string,
    /** The STUN error code (e.g. 401, 437, 438, 441, 486), when the server sent one. */
    readonly code?: number,
    /** ALTERNATE-SERVER of a 300 Try Alternate response (RFC 8489 §10). */
    readonly alternate?: TransportAddress,
  ) {
    super(message);
    this.name = 'TurnError';
  }
}

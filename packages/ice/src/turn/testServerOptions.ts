import type { Clock, Network, StreamSocket } from '@rivulet/common';
import { attr, type StunMessage } from '../stun/index.js';

export interface TurnTestServerOptions {
  network: Network;
  clock: Clock;
  /** Address to listen on (UDP). */
  address: string;
  /** Listening port; default 3478. */
  port?: number;
  /** Address relay sockets bind to; default `address`. */
  relayAddress?: string | readonly string[];
  /** Default 'rivulet.test'. */
  realm?: string;
  /** username → password. */
  users: Readonly<Record<string, string>>;
  /** RFC 8656 §7.2 default lifetime, seconds (default 600). */
  defaultLifetimeSeconds?: number;
  /** Maximum lifetime, seconds (default 3600). */
  maxLifetimeSeconds?: number;
  /** A nonce older than this gets 438 Stale Nonce; default: nonces never go stale. */
  nonceLifetimeMs?: number;
  /**
   * Also accept TURN over TCP (RFC 8656 §12.5 framing): a listen function for the
   * same port, e.g. `(port, accept) => virtualHost.listenTcp({ address, port }, accept)`
   * with @rivulet/testkit. `Network` itself has no listen, hence the hook.
   */
  listenTcp?: (port: number, onConnection: (socket: StreamSocket) => void) => { close(): void };
  /** Answer every Allocate with 300 Try Alternate pointing here (RFC 8489 §10), for redirect tests. */
  alternateServer?: { address: string; port: number };
}

/** API misuse of TurnTestServer.start gets an error naming the option and the value. */
export function validateTestServerOptions(options: TurnTestServerOptions): void {
  if (!options?.network || !options.clock) throw new TypeError('TurnTestServer.start: options.network and options.clock are required');
  if (typeof options.address !== 'string') throw new TypeError(`TurnTestServer.start: address must be an IP string, got ${String(options.address)}`);
  if (!options.users || typeof options.users !== 'object' || Object.keys(options.users).length === 0) {
    throw new TypeError('TurnTestServer.start: users must map at least one username to its password');
  }
}

/** The addresses relay sockets may bind to (one per family at most is used). */
export function relayAddresses(options: TurnTestServerOptions): readonly string[] {
  const r = options.relayAddress ?? options.address;
  return typeof r === 'string' ? [r] : r;
}

/** RFC 8656 §7.2: the lifetime granted for a request: min(requested, max), but never below the default. */
export function grantedLifetime(options: TurnTestServerOptions, msg: StunMessage): number {
  const def = options.defaultLifetimeSeconds ?? 600;
  const max = options.maxLifetimeSeconds ?? 3600;
  const requested = attr.getLifetime(msg);
  if (requested === undefined) return def;
  return Math.max(def, Math.min(requested, max));
}

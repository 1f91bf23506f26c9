import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { canonicalIp } from './peers.js';
import { openTurnTransport, type TurnTransport } from './transport.js';
import { TurnError, type AllocateTurnOptions, type TurnServerConfig } from './types.js';

/**
 * Reaching a TURN server before any Allocate: the server's name resolved, its UDP socket or TCP
 * connection opened, and the one redirect a client follows (300 Try Alternate).
 */

/** How errors and logs name a server: `udp 127.0.0.1:3478`, `tcp [::1]:3478`. */
export function serverLabel(server: TurnServerConfig): string {
  return `${server.transport} ${server.address.includes(':') ? `[${server.address}]` : server.address}:${server.port}`;
}

/**
 * Opens the transport an allocation lives on. Responses are matched against the server's
 * address, so it must be the canonical IP literal the network will report as the source: a name
 * (e.g. from a turn: URL) is resolved first. Rejects with a TurnError naming the server.
 */
export async function connectTurnServer(options: AllocateTurnOptions): Promise<{ transport: TurnTransport; label: string }> {
  const { server } = options;
  const label = serverLabel(server);
  let address: string;
  try {
    address = isIP(server.address) ? canonicalIp(server.address) : (await lookup(server.address)).address;
  } catch (err) {
    throw new TurnError(`TURN: cannot resolve server name ${JSON.stringify(server.address)}: ${(err as Error).message}`);
  }
  try {
    const transport = await openTurnTransport({ network: options.network, server: { ...server, address }, localAddress: options.localAddress });
    return { transport, label };
  } catch (err) {
    throw new TurnError(`TURN: cannot reach server ${label}: ${(err as Error).message}`);
  }
}

/**
 * RFC 8489 §10: the server a 300 Try Alternate error points to, when the client should follow it:
 * a different address of the same family as `server`. Undefined for any other error.
 */
export function tryAlternate(err: unknown, server: TurnServerConfig): TurnServerConfig | undefined {
  const alt = err instanceof TurnError && err.code === 300 ? err.alternate : undefined;
  if (!alt || (alt.address === server.address && alt.port === server.port) || alt.family !== (server.address.includes(':') ? 'IPv6' : 'IPv4')) {
    return undefined;
  }
  return { ...server, address: alt.address, port: alt.port };
}

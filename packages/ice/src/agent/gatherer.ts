import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { createLogger, type Clock, type InterfaceAddress, type Network, type TransportAddress } from '@rivulet/common';
import { StunClass, StunMessage, StunMethod, attr, encodeStun, type StunTransactionTable } from '../stun/index.js';
import { allocateTurn } from '../turn/index.js';
import type { BaseReceiver, LocalBase, RelayServerConfig, TurnAllocator } from './base.js';
import { allocateRelayBase, bindHostBases, makeHostCandidate, makeRelayCandidate, makeSrflxCandidate, selectInterfaces } from './gather.js';
import { generateMdnsName, type MdnsResponder } from './mdns.js';
import type { LocalCandidate } from './pair.js';
import type { IceServer, IceTransportPolicy } from './types.js';
import { parseIceServerUrl } from './urls.js';

const log = createLogger('ice:gather');

interface StunServerSpec {
  host: string;
  port: number;
  /** As configured (reported by getStats as the candidate's url). */
  url: string;
}
interface TurnServerSpec extends StunServerSpec {
  transport: 'udp' | 'tcp';
  username: string;
  credential: string;
}

/** The package's TURN client (RFC 8656) behind the agent's allocator seam. */
const defaultTurnAllocator: TurnAllocator = (options) => allocateTurn(options);

export interface GathererOptions {
  network: Network;
  clock: Clock;
  transactions: StunTransactionTable;
  policy: IceTransportPolicy;
  iceServers: readonly IceServer[];
  /** A lite agent gathers host candidates only (RFC 8445 §5.1.1). */
  hostOnly: boolean;
  interfaceFilter: ((a: InterfaceAddress) => boolean) | undefined;
  /** Set to hide host addresses behind mDNS names (the responder answers for them). */
  mdnsResponder: (() => MdnsResponder) | undefined;
  turnAllocator: TurnAllocator | undefined;
  resolveHostname: ((host: string) => Promise<string>) | undefined;
  receive: BaseReceiver;
  /** Called for every new local candidate, as soon as it is known (trickle, RFC 8838). */
  onCandidate: (l: LocalCandidate) => void;
  isClosed: () => boolean;
}

/**
 * Candidate gathering (RFC 8445 §5.1.1): host candidates on the chosen
 * interfaces, server-reflexive ones via STUN Binding from each host base,
 * relayed ones via TURN. Owns the bases it creates.
 */
export class CandidateGatherer {
  readonly bases: LocalBase[] = [];
  private readonly stunServers: StunServerSpec[] = [];
  private readonly turnServers: TurnServerSpec[] = [];
  private readonly mdnsNames: string[] = [];

  constructor(private readonly o: GathererOptions) {
    // Parse servers up front so a bad URL is an error at construction (API misuse), not later.
    for (const server of o.iceServers) {
      for (const url of typeof server.urls === 'string' ? [server.urls] : server.urls) {
        const u = parseIceServerUrl(url);
        if (u.scheme === 'stun') this.stunServers.push({ host: u.host, port: u.port, url });
        else if (u.scheme === 'turn') {
          if (typeof server.username !== 'string' || typeof server.credential !== 'string') {
            throw new TypeError(`IceAgent: TURN server ${url} needs a username and a credential`);
          }
          this.turnServers.push({ host: u.host, port: u.port, url, transport: u.transport, username: server.username, credential: server.credential });
        } else log.warn('ignoring %s: TLS-secured STUN/TURN is not supported', url);
      }
    }
  }

  async gather(ufrag: string, existing: () => readonly LocalCandidate[]): Promise<void> {
    const o = this.o;
    const hostBases = o.policy === 'all' ? await bindHostBases(o.network, selectInterfaces(o.network, o.interfaceFilter), o.receive) : [];
    if (o.isClosed()) return hostBases.forEach((b) => b.close());
    this.bases.push(...hostBases);
    const responder = o.mdnsResponder?.();
    hostBases.forEach((base, i) => {
      let name: string | undefined;
      if (responder) {
        name = generateMdnsName();
        responder.register(name, base.address.address);
        this.mdnsNames.push(name);
      }
      o.onCandidate(makeHostCandidate(base, i, ufrag, name));
    });
    if (o.hostOnly) return;
    const work: Promise<void>[] = [];
    for (const server of this.stunServers) {
      work.push(
        this.resolve(server.host).then(async (ip) => {
          if (!ip) return;
          await Promise.all(
            hostBases.map(async (base, i) => {
              if (base.address.family !== (ip.includes(':') ? 'IPv6' : 'IPv4')) return;
              const mapped = await this.binding(base, { address: ip, port: server.port, family: base.address.family });
              if (!mapped || o.isClosed()) return;
              if (mapped.address === base.address.address && mapped.port === base.address.port) return; // not behind a NAT
              const dup = existing().some((l) => l.candidate.type === 'srflx' && l.base === base && l.address.address === mapped.address && l.address.port === mapped.port);
              if (!dup) o.onCandidate({ ...makeSrflxCandidate(base, i, mapped, ip, ufrag, responder !== undefined), url: server.url });
            }),
          );
        }),
      );
    }
    const allocator = o.turnAllocator ?? defaultTurnAllocator;
    this.turnServers.forEach((server, i) => {
      work.push(
        this.resolve(server.host).then(async (ip) => {
          if (!ip) return;
          const config: RelayServerConfig = { address: ip, port: server.port, transport: server.transport, username: server.username, credential: server.credential };
          const base = await allocateRelayBase(allocator, config, o.network, o.clock, o.receive);
          if (!base) return;
          if (o.isClosed()) return base.close();
          this.bases.push(base);
          o.onCandidate({ ...makeRelayCandidate(base, i, ip, base.allocation?.mappedAddress, ufrag), url: server.url, relayProtocol: server.transport });
        }),
      );
    });
    await Promise.all(work);
  }

  private async resolve(host: string): Promise<string | undefined> {
    if (isIP(host)) return host;
    if (host === 'localhost') return '127.0.0.1';
    try {
      return await (this.o.resolveHostname ?? ((h: string) => lookup(h).then((r) => r.address)))(host);
    } catch (err) {
      log.warn('cannot resolve ICE server %s: %s', host, (err as Error).message);
      return undefined;
    }
  }

  /** RFC 8489 Binding to a STUN server from `base`, for a server-reflexive candidate (5 sends, gives up after ~9.5 s; the candidate is trickled whenever it arrives). */
  private async binding(base: LocalBase, server: TransportAddress): Promise<TransportAddress | undefined> {
    const req = new StunMessage(StunMethod.Binding, StunClass.Request);
    const t = this.o.transactions.start(req, encodeStun(req, { fingerprint: true }), (b) => base.send(b, server), { rto: 500, rc: 5, rm: 4 });
    try {
      const res = await t.promise;
      if (res.messageClass !== StunClass.SuccessResponse) return undefined;
      return attr.getXorMappedAddress(res) ?? attr.getMappedAddress(res);
    } catch {
      return undefined;
    }
  }

  close(responder: MdnsResponder | undefined): void {
    for (const b of this.bases) b.close();
    for (const n of this.mdnsNames) responder?.unregister(n);
  }
}

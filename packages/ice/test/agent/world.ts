import { FakeClock } from '@rivulet/common';
import { VirtualNetwork, type NatBehavior, type VirtualHost, type LinkConditions } from '@rivulet/testkit';
import { StunBindingServer } from '../../src/stun/index.js';
import { TurnTestServer } from '../../src/turn/index.js';
import { IceAgent, type IceAgentOptions } from '../../src/agent/index.js';
import { isUp, signal } from './helpers.js';

export const STUN_IP = '203.0.113.10';
export const TURN_IP = '203.0.113.20';

/** The NAT types of RFC 4787 as (mapping, filtering), plus a host on the public network. */
export type NamedNat = 'public' | 'full-cone' | 'restricted' | 'port-restricted' | 'symmetric';
/** A named NAT type, or an explicit [mapping, filtering] pair. */
export type NatKind = NamedNat | [NatBehavior, NatBehavior];
const KINDS: Record<Exclude<NamedNat, 'public'>, [NatBehavior, NatBehavior]> = {
  'full-cone': ['endpoint-independent', 'endpoint-independent'],
  restricted: ['endpoint-independent', 'address-dependent'],
  'port-restricted': ['endpoint-independent', 'address-and-port-dependent'],
  symmetric: ['address-and-port-dependent', 'address-and-port-dependent'],
};

export interface World {
  clock: FakeClock;
  net: VirtualNetwork;
  hostA: VirtualHost;
  hostB: VirtualHost;
  stun: StunBindingServer;
  turn: TurnTestServer;
  a: IceAgent;
  b: IceAgent;
  close(): void;
}

export interface WorldOptions {
  natA?: NatKind;
  natB?: NatKind;
  seed?: number;
  link?: LinkConditions;
  a?: Partial<IceAgentOptions>;
  b?: Partial<IceAgentOptions>;
  turn?: boolean;
}

/** Two agents on a virtual network, each behind a NAT of the given kind, with public STUN and TURN servers. */
export async function makeWorld(o: WorldOptions = {}): Promise<World> {
  const clock = new FakeClock();
  const net = new VirtualNetwork({ clock, seed: o.seed ?? 1 });
  const stunHost = net.addHost('stun', { addresses: [STUN_IP], link: { delayMs: 5 } });
  const turnHost = net.addHost('turn', { addresses: [TURN_IP], link: { delayMs: 5 } });
  const stun = await StunBindingServer.listen({ network: stunHost, address: STUN_IP, port: 3478 });
  const turn = await TurnTestServer.start({ network: turnHost, clock, address: TURN_IP, users: { alice: 'secret-a', bob: 'secret-b' } });
  const mk = (name: string, kind: NatKind, privateIp: string, publicIp: string): VirtualHost => {
    const link = { delayMs: 10, ...o.link };
    if (kind === 'public') return net.addHost(name, { addresses: [publicIp], link });
    const [mapping, filtering] = Array.isArray(kind) ? kind : KINDS[kind];
    const nat = net.addNat(`nat-${name}`, { publicAddress: publicIp, mapping, filtering });
    return net.addHost(name, { addresses: [privateIp], behind: nat, link });
  };
  const hostA = mk('a', o.natA ?? 'public', '192.168.1.2', '198.51.100.1');
  const hostB = mk('b', o.natB ?? 'public', '10.0.0.2', '198.51.100.2');
  const servers = (user: string, pass: string) => [
    { urls: `stun:${STUN_IP}:3478` },
    ...(o.turn === false ? [] : [{ urls: `turn:${TURN_IP}:3478`, username: user, credential: pass }]),
  ];
  const a = new IceAgent({ controlling: true, clock, network: hostA, iceServers: servers('alice', 'secret-a'), ...o.a });
  const b = new IceAgent({ controlling: false, clock, network: hostB, iceServers: servers('bob', 'secret-b'), ...o.b });
  return {
    clock,
    net,
    hostA,
    hostB,
    stun,
    turn,
    a,
    b,
    close() {
      a.close();
      b.close();
      stun.close();
      turn.close();
    },
  };
}

/** Signals, starts and gathers both agents, then runs fake time until both are up. Returns fake ms taken. */
export async function connect(w: World, maxMs = 40_000, signalOptions?: Parameters<typeof signal>[2]): Promise<number> {
  signal(w.a, w.b, signalOptions);
  w.a.start();
  w.b.start();
  void w.a.gather();
  void w.b.gather();
  return w.clock.runUntil(() => isUp(w.a.state) && isUp(w.b.state), { maxMs, stepMs: 5 });
}

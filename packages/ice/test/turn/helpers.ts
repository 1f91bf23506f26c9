import type { FakeClock } from '@rivulet/common';
import { VirtualNetwork } from '@rivulet/testkit';
import { TurnTestServer, type TurnServerConfig } from '../../src/turn/index.js';

/** Drives the fake clock until `p` settles (bounded in fake time). */
export async function drive<T>(clock: FakeClock, p: Promise<T>, maxMs = 120_000): Promise<T> {
  let settled = false;
  p.then(
    () => (settled = true),
    () => (settled = true),
  );
  await clock.runUntil(() => settled, { maxMs, stepMs: 5 });
  return p;
}

export const TURN_IP = '203.0.113.1';

/**
 * A public TURN test server and two hosts, each behind its own symmetric
 * (address-and-port-dependent) NAT.
 */
export async function relayWorld(clock: FakeClock, options: { nonceLifetimeMs?: number; seed?: number } = {}) {
  const net = new VirtualNetwork({ clock, seed: options.seed ?? 1 });
  const turnHost = net.addHost('turn', { addresses: [TURN_IP], link: { delayMs: 10 } });
  const server = await TurnTestServer.start({
    network: turnHost,
    clock,
    address: TURN_IP,
    users: { alice: 'secret-a', bob: 'secret-b' },
    nonceLifetimeMs: options.nonceLifetimeMs,
    listenTcp: (port, accept) => turnHost.listenTcp({ address: TURN_IP, port }, accept),
  });
  const mk = (name: string, pub: string) => {
    const nat = net.addNat(`nat-${name}`, {
      publicAddress: pub,
      mapping: 'address-and-port-dependent',
      filtering: 'address-and-port-dependent',
      mappingTimeoutMs: 120_000,
    });
    return net.addHost(name, { addresses: ['192.168.1.2'], behind: nat, link: { delayMs: 5 } });
  };
  const a = mk('a', '198.51.100.1');
  const b = mk('b', '198.51.100.2');
  const config = (username: string, credential: string, transport: 'udp' | 'tcp' = 'udp'): TurnServerConfig => ({
    address: TURN_IP,
    port: 3478,
    transport,
    username,
    credential,
  });
  return { net, turnHost, server, a, b, config };
}

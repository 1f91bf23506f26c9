import { expect } from 'chai';
import { FakeClock, type DatagramSocket } from '@rivulet/common';
import { VirtualNetwork, type NatBehavior, type NatBoxOptions } from '../src/index.js';
import { collect } from './helpers.js';

const S1 = '203.0.113.10';
const S2 = '203.0.113.11';
const NAT_IP = '198.51.100.7';

async function behindNat(mapping: NatBehavior, filtering: NatBehavior, extra: Partial<NatBoxOptions> = {}) {
  const clock = new FakeClock();
  const net = new VirtualNetwork({ clock, seed: 3 });
  const nat = net.addNat('nat', { publicAddress: NAT_IP, mapping, filtering, ...extra });
  const h = net.addHost('h', { addresses: ['10.0.0.2'], behind: nat });
  const server = net.addHost('server', { addresses: [S1, S2] });
  const sh = await h.bindUdp({ address: '10.0.0.2', port: 5000 });
  const gotH = collect(sh, clock);
  const srv: Record<string, DatagramSocket> = {};
  const seenBy: Record<string, { port: number; address: string }[]> = {};
  for (const ip of [S1, S2]) {
    for (const port of [3478, 3479]) {
      const s = await server.bindUdp({ address: ip, port });
      const key = `${ip}:${port}`;
      srv[key] = s;
      seenBy[key] = [];
      s.onMessage((_d, from) => seenBy[key]!.push({ address: from.address, port: from.port }));
    }
  }
  const toServer = (key: string) => {
    const [ip, port] = key.split(':');
    sh.send(Buffer.from('out'), Number(port), ip!);
    clock.advance(0);
  };
  const fromServer = (key: string, port: number) => {
    srv[key]!.send(Buffer.from(`in from ${key}`), port, NAT_IP);
    clock.advance(0);
  };
  return { clock, net, nat, h, sh, gotH, seenBy, toServer, fromServer };
}

describe('testkit NAT (RFC 4787)', () => {
  it('endpoint-independent mapping reuses one external port for every destination', async () => {
    const t = await behindNat('endpoint-independent', 'endpoint-independent');
    for (const k of [`${S1}:3478`, `${S2}:3478`, `${S1}:3479`]) t.toServer(k);
    expect([t.seenBy[`${S1}:3478`], t.seenBy[`${S2}:3478`], t.seenBy[`${S1}:3479`]]).to.deep.equal([
      [{ address: NAT_IP, port: 40000 }],
      [{ address: NAT_IP, port: 40000 }],
      [{ address: NAT_IP, port: 40000 }],
    ]);
  });

  it('address-dependent mapping: same IP shares a port, a new IP gets a new one', async () => {
    const t = await behindNat('address-dependent', 'address-dependent');
    for (const k of [`${S1}:3478`, `${S1}:3479`, `${S2}:3478`]) t.toServer(k);
    expect(t.seenBy[`${S1}:3478`]![0]!.port).to.equal(40000);
    expect(t.seenBy[`${S1}:3479`]![0]!.port).to.equal(40000);
    expect(t.seenBy[`${S2}:3478`]![0]!.port).to.equal(40001);
  });

  it('address-and-port-dependent (symmetric) mapping: every destination gets its own port', async () => {
    const t = await behindNat('address-and-port-dependent', 'address-and-port-dependent');
    for (const k of [`${S1}:3478`, `${S1}:3479`, `${S2}:3478`, `${S1}:3478`]) t.toServer(k);
    expect(t.seenBy[`${S1}:3478`]!.map((x) => x.port)).to.deep.equal([40000, 40000]);
    expect(t.seenBy[`${S1}:3479`]![0]!.port).to.equal(40001);
    expect(t.seenBy[`${S2}:3478`]![0]!.port).to.equal(40002);
    expect(t.nat.mappings()).to.have.length(3);
  });

  it('endpoint-independent filtering accepts any remote once a mapping exists', async () => {
    const t = await behindNat('endpoint-independent', 'endpoint-independent');
    t.toServer(`${S1}:3478`);
    t.fromServer(`${S2}:3479`, 40000);
    expect(t.gotH.map((g) => [g.data.toString(), g.from.address, g.from.port])).to.deep.equal([[`in from ${S2}:3479`, S2, 3479]]);
  });

  it('address-dependent filtering drops a new remote IP and accepts any port of an IP already sent to', async () => {
    const t = await behindNat('endpoint-independent', 'address-dependent');
    t.toServer(`${S1}:3478`);
    t.fromServer(`${S2}:3478`, 40000);
    t.fromServer(`${S1}:3479`, 40000);
    expect(t.gotH.map((g) => g.data.toString())).to.deep.equal([`in from ${S1}:3479`]);
    expect(t.net.counters.get('dropped:nat-filtered')).to.equal(1);
    // after sending to S2 its packets pass too
    t.toServer(`${S2}:3478`);
    t.fromServer(`${S2}:3479`, 40000);
    expect(t.gotH).to.have.length(2);
  });

  it('address-and-port-dependent filtering accepts only the exact endpoint sent to', async () => {
    const t = await behindNat('endpoint-independent', 'address-and-port-dependent');
    t.toServer(`${S1}:3478`);
    t.fromServer(`${S1}:3479`, 40000);
    t.fromServer(`${S1}:3478`, 40000);
    expect(t.gotH.map((g) => g.data.toString())).to.deep.equal([`in from ${S1}:3478`]);
    expect(t.net.counters.get('dropped:nat-filtered')).to.equal(1);
  });

  it('drops inbound packets without a mapping', async () => {
    const t = await behindNat('endpoint-independent', 'endpoint-independent');
    t.fromServer(`${S1}:3478`, 40000);
    expect(t.gotH).to.have.length(0);
    expect(t.net.counters.get('dropped:nat-no-mapping')).to.equal(1);
  });

  it('mappings expire after the idle timeout; outbound traffic refreshes them', async () => {
    const t = await behindNat('endpoint-independent', 'endpoint-independent', { mappingTimeoutMs: 30_000 });
    t.toServer(`${S1}:3478`);
    t.clock.advance(20_000);
    t.toServer(`${S1}:3478`); // refresh at 20 s
    t.clock.advance(20_000); // 40 s: alive, idle for 20 s
    t.fromServer(`${S1}:3478`, 40000);
    expect(t.gotH).to.have.length(1);
    t.clock.advance(10_000); // idle 30 s → expired (inbound does not refresh by default)
    t.fromServer(`${S1}:3478`, 40000);
    expect(t.gotH).to.have.length(1);
    expect(t.net.counters.get('dropped:nat-no-mapping')).to.equal(1);
    t.toServer(`${S1}:3478`);
    expect(t.seenBy[`${S1}:3478`]!.map((x) => x.port)).to.deep.equal([40000, 40000, 40001]);
  });

  it('inboundRefresh: inbound packets keep the mapping alive', async () => {
    const t = await behindNat('endpoint-independent', 'endpoint-independent', { mappingTimeoutMs: 30_000, inboundRefresh: true });
    t.toServer(`${S1}:3478`);
    for (let i = 0; i < 5; i++) {
      t.clock.advance(20_000);
      t.fromServer(`${S1}:3478`, 40000); // would have expired at 30 s without inbound refresh
    }
    expect(t.gotH).to.have.length(5);
    expect(t.net.counters.get('dropped:nat-no-mapping')).to.equal(0);
  });

  it('portPreservation keeps the internal port when it is free, else allocates sequentially', async () => {
    const t = await behindNat('address-and-port-dependent', 'endpoint-independent', { portPreservation: true });
    t.toServer(`${S1}:3478`);
    t.toServer(`${S1}:3479`); // a second mapping of the same internal port cannot preserve it
    expect(t.seenBy[`${S1}:3478`]![0]!.port).to.equal(5000);
    expect(t.seenBy[`${S1}:3479`]![0]!.port).to.equal(40000);
  });

  it('hairpinning off: a packet to the NAT own public address is dropped', async () => {
    const t = await behindNat('endpoint-independent', 'endpoint-independent');
    const h2 = t.net.addHost('h2', { addresses: ['10.0.0.3'], behind: t.nat });
    const s2 = await h2.bindUdp({ address: '10.0.0.3', port: 6000 });
    s2.send(Buffer.from('open'), 3478, S1); // h2 gets 40000 (first mapping)
    t.clock.advance(0);
    t.sh.send(Buffer.from('hairpin'), 40000, NAT_IP);
    t.clock.advance(0);
    expect(t.net.counters.get('dropped:nat-hairpin')).to.equal(1);
  });

  it('hairpinning on: delivered with the sender external address as source (REQ-9)', async () => {
    const t = await behindNat('endpoint-independent', 'endpoint-independent', { hairpinning: true });
    const h2 = t.net.addHost('h2', { addresses: ['10.0.0.3'], behind: t.nat });
    const s2 = await h2.bindUdp({ address: '10.0.0.3', port: 6000 });
    const got2 = collect(s2, t.clock);
    s2.send(Buffer.from('open'), 3478, S1); // h2 → 40000
    t.clock.advance(0);
    t.sh.send(Buffer.from('hairpin'), 40000, NAT_IP); // h → 40001
    t.clock.advance(0);
    expect(got2.map((g) => [g.data.toString(), g.from.address, g.from.port])).to.deep.equal([['hairpin', NAT_IP, 40001]]);
  });

  it('hosts behind the same NAT reach each other by private address without translation', async () => {
    const t = await behindNat('address-and-port-dependent', 'address-and-port-dependent');
    const h2 = t.net.addHost('h2', { addresses: ['10.0.0.3'], behind: t.nat });
    const s2 = await h2.bindUdp({ address: '10.0.0.3', port: 6000 });
    const got2 = collect(s2, t.clock);
    t.sh.send(Buffer.from('lan'), 6000, '10.0.0.3');
    t.clock.advance(0);
    expect(got2.map((g) => g.from)).to.deep.equal([{ address: '10.0.0.2', port: 5000, family: 'IPv4' }]);
    expect(t.nat.mappings()).to.have.length(0);
  });

  it('a public host cannot reach a private address', async () => {
    const t = await behindNat('endpoint-independent', 'endpoint-independent');
    const s = (await t.net.host('server').bindUdp({ address: S1 })) as DatagramSocket;
    s.send(Buffer.from('x'), 5000, '10.0.0.2');
    t.clock.advance(0);
    expect(t.gotH).to.have.length(0);
    expect(t.net.counters.get('dropped:no-route')).to.equal(1);
  });

  it('hole punching works between two EIM/ADF NATs and fails between two symmetric NATs', async () => {
    const punch = async (mapping: NatBehavior, filtering: NatBehavior) => {
      const clock = new FakeClock();
      const net = new VirtualNetwork({ clock });
      const stun = net.addHost('stun', { addresses: ['203.0.113.1'] });
      const st = await stun.bindUdp({ address: '203.0.113.1', port: 3478 });
      const observed: Record<string, number> = {};
      st.onMessage((d, from) => (observed[d.toString()] = from.port));
      const mk = async (n: string, pub: string) => {
        const nat = net.addNat(`nat-${n}`, { publicAddress: pub, mapping, filtering });
        const h = net.addHost(n, { addresses: ['192.168.1.10'], behind: nat });
        const s = await h.bindUdp({ address: '192.168.1.10', port: 4000 });
        s.send(Buffer.from(n), 3478, '203.0.113.1'); // learn the reflexive port
        return s;
      };
      const a = await mk('a', '198.51.100.1');
      const b = await mk('b', '198.51.100.2');
      clock.advance(0);
      const gotA = collect(a, clock);
      const gotB = collect(b, clock);
      // each side sends to the other's server-reflexive address, twice (the first may be filtered)
      for (let i = 0; i < 2; i++) {
        a.send(Buffer.from('a→b'), observed['b']!, '198.51.100.2');
        b.send(Buffer.from('b→a'), observed['a']!, '198.51.100.1');
        clock.advance(0);
      }
      return gotA.length + gotB.length;
    };
    expect(await punch('endpoint-independent', 'address-dependent')).to.equal(4);
    expect(await punch('address-and-port-dependent', 'address-and-port-dependent')).to.equal(0);
  });

  it('rejects bad NAT options with a message naming the value', () => {
    const net = new VirtualNetwork({ clock: new FakeClock() });
    expect(() =>
      net.addNat('n', { publicAddress: NAT_IP, mapping: 'full-cone' as NatBehavior, filtering: 'endpoint-independent' }),
    ).to.throw(/mapping must be one of .* got full-cone/);
    expect(() => net.addNat('n2', { publicAddress: '1.2.3.4', mapping: 'endpoint-independent', filtering: 'endpoint-independent' })).to.throw(
      /1\.2\.3\.4 is outside/,
    );
  });

  it('the NAT uplink can be impaired and cut like any link', async () => {
    const t = await behindNat('endpoint-independent', 'endpoint-independent', { link: { delayMs: 7 } });
    t.toServer(`${S1}:3478`);
    expect(t.seenBy[`${S1}:3478`]).to.have.length(0);
    t.clock.advance(7);
    expect(t.seenBy[`${S1}:3478`]).to.have.length(1);
    t.nat.link.cut();
    t.toServer(`${S1}:3478`);
    t.clock.advance(10);
    expect(t.seenBy[`${S1}:3478`]).to.have.length(1);
    expect(t.net.counters.get('dropped:link-cut')).to.equal(1);
  });
});

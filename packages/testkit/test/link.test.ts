import { expect } from 'chai';
import { FakeClock } from '@rivulet/common';
import { VirtualNetwork, type LinkConditions } from '../src/index.js';
import { collect, seqPacket } from './helpers.js';

async function pair(seed: number | string, aLink: LinkConditions = {}, bLink: LinkConditions = {}) {
  const clock = new FakeClock();
  const net = new VirtualNetwork({ clock, seed });
  const a = net.addHost('a', { addresses: ['198.51.100.1'], link: aLink });
  const b = net.addHost('b', { addresses: ['198.51.100.2'], link: bLink });
  const sa = await a.bindUdp({ address: '198.51.100.1', port: 1111 });
  const sb = await b.bindUdp({ address: '198.51.100.2', port: 2222 });
  const got = collect(sb, clock);
  const send = (n: number, size = 4) => sa.send(seqPacket(n, size), 2222, '198.51.100.2');
  return { clock, net, a, b, sa, sb, got, send };
}

const seqs = (got: { data: Buffer }[]) => got.map((g) => g.data.readUInt32BE(0));

describe('testkit links', () => {
  it('adds the sender uplink and receiver downlink delays exactly', async () => {
    const { clock, got, send } = await pair(1, { delayMs: 20 }, { delayMs: 5 });
    send(1);
    clock.advance(24.9);
    expect(got).to.have.length(0);
    clock.advance(0.1);
    expect(got.map((g) => g.at)).to.deep.equal([25]);
  });

  it('loses packets at the configured rate, reproducibly for a seed', async () => {
    const run = async (seed: number) => {
      const p = await pair(seed, { loss: 0.1 });
      for (let i = 0; i < 2000; i++) p.send(i);
      p.clock.advance(1);
      return { delivered: seqs(p.got), counters: p.net.counters.toJSON() };
    };
    const r1 = await run(42);
    const r2 = await run(42);
    const r3 = await run(43);
    // 10 % of 2000 = 200 expected; binomial sd ≈ 13.4, so ±60 is over 4 sd.
    expect(r1.delivered.length).to.be.within(1740, 1860);
    expect(r1.counters['dropped:loss']).to.equal(2000 - r1.delivered.length);
    expect(r2.delivered).to.deep.equal(r1.delivered);
    expect(r3.delivered).to.not.deep.equal(r1.delivered);
  });

  it('a whole impaired exchange (loss, jitter, duplication, reordering, NAT) replays identically for a seed', async () => {
    const run = async (seed: number) => {
      const clock = new FakeClock();
      const net = new VirtualNetwork({ clock, seed });
      const cond = { delayMs: 15, jitterMs: 10, loss: 0.1, duplicate: 0.05, reorder: 0.1 };
      const nat = net.addNat('nat', { publicAddress: '198.51.100.50', mapping: 'endpoint-independent', filtering: 'address-dependent', link: cond });
      const a = net.addHost('a', { addresses: ['10.0.0.5'], behind: nat, link: cond });
      const b = net.addHost('b', { addresses: ['203.0.113.50'], link: cond });
      const sa = await a.bindUdp({ address: '10.0.0.5' });
      const sb = await b.bindUdp({ address: '203.0.113.50', port: 7 });
      const log: string[] = [];
      sb.onMessage((d, from) => {
        log.push(`b@${clock.now().toFixed(3)}:${d.readUInt32BE(0)}`);
        sb.send(d, from.port, from.address);
      });
      sa.onMessage((d) => log.push(`a@${clock.now().toFixed(3)}:${d.readUInt32BE(0)}`));
      for (let i = 0; i < 300; i++) {
        sa.send(seqPacket(i), 7, '203.0.113.50');
        await clock.advanceAsync(3, 1);
      }
      await net.settle();
      return { log, counters: net.counters.toJSON() };
    };
    const r1 = await run(77);
    const r2 = await run(77);
    expect(r2.log).to.deep.equal(r1.log);
    expect(r2.counters).to.deep.equal(r1.counters);
    expect(r1.counters['dropped:loss']).to.be.above(0);
    expect(r1.counters['duplicated']).to.be.above(0);
    expect((await run(78)).log).to.not.deep.equal(r1.log);
  });

  it('jitter spreads arrivals within [delay, delay + jitter]', async () => {
    const { clock, got, send } = await pair(5, { delayMs: 10, jitterMs: 30 });
    for (let i = 0; i < 500; i++) send(i);
    clock.advance(100);
    expect(got).to.have.length(500);
    const times = got.map((g) => g.at);
    expect(Math.min(...times)).to.be.at.least(10);
    expect(Math.max(...times)).to.be.at.most(40);
    // uniform over 30 ms: the spread is wide, not a constant delay
    expect(Math.max(...times) - Math.min(...times)).to.be.above(25);
  });

  it('reorders packets but delivers every one', async () => {
    const { clock, got, send } = await pair(9, { delayMs: 5, reorder: 0.2, reorderDelayMs: 3 });
    for (let i = 0; i < 200; i++) {
      send(i);
      clock.advance(1);
    }
    clock.advance(50);
    const order = seqs(got);
    expect([...order].sort((x, y) => x - y)).to.deep.equal([...Array(200).keys()]);
    let inversions = 0;
    for (let i = 1; i < order.length; i++) if (order[i]! < order[i - 1]!) inversions++;
    expect(inversions).to.be.within(20, 60); // ≈ 200 × 0.2 held-back packets, each overtaken
  });

  it('duplicates packets at the configured rate and counts them', async () => {
    const { clock, net, got, send } = await pair(11, { duplicate: 0.1 });
    for (let i = 0; i < 1000; i++) send(i);
    clock.advance(1);
    const dups = got.length - 1000;
    expect(dups).to.be.within(70, 130);
    expect(net.counters.get('duplicated')).to.equal(dups);
    expect(new Set(seqs(got)).size).to.equal(1000);
    // the two copies of a duplicated packet do not alias each other
    const all = seqs(got);
    const dupSeq = all.find((n, i) => all.indexOf(n) !== i)!;
    const copies = got.filter((g) => g.data.readUInt32BE(0) === dupSeq);
    expect(copies).to.have.length(2);
    copies[0]!.data.fill(0xff);
    expect(copies[1]!.data.readUInt32BE(0)).to.equal(dupSeq);
  });

  it('a bandwidth cap spaces packets by their serialization time', async () => {
    // 1 Mbit/s, 1250-byte packets = 10 ms each on the wire.
    const { clock, got, send } = await pair(1, { bandwidthBps: 1_000_000, delayMs: 2 });
    for (let i = 0; i < 5; i++) send(i, 1250);
    clock.advance(100);
    expect(got.map((g) => g.at)).to.deep.equal([12, 22, 32, 42, 52]);
    expect(seqs(got)).to.deep.equal([0, 1, 2, 3, 4]);
  });

  it('a full bandwidth queue tail-drops', async () => {
    const { clock, net, got, send, a } = await pair(1, { bandwidthBps: 1_000_000, queueBytes: 3000 });
    for (let i = 0; i < 5; i++) send(i, 1250);
    expect(a.link.up.backlogBytes()).to.equal(2500);
    clock.advance(100);
    expect(seqs(got)).to.deep.equal([0, 1]);
    expect(net.counters.get('dropped:queue-full')).to.equal(3);
  });

  it('cutting a link drops new and in-flight packets; restoring it resumes delivery', async () => {
    const { clock, net, b, got, send } = await pair(1, {}, { delayMs: 10 });
    send(1);
    clock.advance(5);
    b.link.cut();
    send(2);
    clock.advance(20);
    expect(got).to.have.length(0);
    expect(net.counters.get('dropped:link-cut')).to.equal(2);
    b.link.restore();
    expect(b.link.down.conditions).to.deep.equal({ delayMs: 10, cut: false });
    send(3);
    clock.advance(10);
    expect(seqs(got)).to.deep.equal([3]);
  });

  it('cutting one direction only blocks that direction', async () => {
    const { clock, b, got, send, sa, sb } = await pair(1);
    b.link.cut('up');
    const back = collect(sa, clock);
    send(1);
    sb.send(Buffer.from('reply'), 1111, '198.51.100.1');
    clock.advance(1);
    expect(got).to.have.length(1);
    expect(back).to.have.length(0);
  });

  it('an MTU drops datagrams whose IP packet would exceed it (28 bytes of IPv4+UDP headers)', async () => {
    const { clock, net, got, send } = await pair(1, { mtu: 1280 });
    send(1, 1252); // 1252 + 28 = 1280: fits
    send(2, 1253); // 1281: too big
    clock.advance(1);
    expect(seqs(got)).to.deep.equal([1]);
    expect(net.counters.get('dropped:too-big')).to.equal(1);
    expect(() => net.host('a').link.set({ mtu: 10 })).to.throw('mtu must be an integer >= 68 (bytes), got 10');
  });

  it('conditions change at run time', async () => {
    const { clock, a, got, send } = await pair(1, { delayMs: 10 });
    send(1);
    a.link.update({ delayMs: 50 }, 'up');
    send(2);
    clock.advance(60);
    expect(got.map((g) => [g.data.readUInt32BE(0), g.at])).to.deep.equal([
      [1, 10],
      [2, 50],
    ]);
    expect(a.link.up.conditions.delayMs).to.equal(50);
    expect(a.link.down.conditions.delayMs).to.equal(10);
  });
});

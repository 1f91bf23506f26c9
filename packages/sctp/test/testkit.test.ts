import { expect } from 'chai';
import { FakeClock } from '@rivulet/common';
import { VirtualNetwork } from '@rivulet/testkit';
import { SctpAssociation } from '../src/association.js';
import { DataChannelManager } from '../src/channelManager.js';
import type { SctpDataChannel } from '../src/dataChannel.js';

/**
 * SCTP over @rivulet/testkit's virtual UDP network (the same seam ICE and
 * DTLS use), each SCTP packet one datagram, with loss, jitter and a
 * bandwidth-limited queue on the links.
 */
async function pairOverNetwork(clock: FakeClock, loss: number) {
  const net = new VirtualNetwork({ clock, seed: 2026 });
  const link = { delayMs: 10, jitterMs: 8, loss, bandwidthBps: 20_000_000, queueBytes: 256 * 1024 };
  const alice = net.addHost('alice', { addresses: ['192.0.2.1'], link });
  const bob = net.addHost('bob', { addresses: ['192.0.2.2'], link });
  const sa = await alice.bindUdp({ address: '192.0.2.1', port: 5000 });
  const sb = await bob.bindUdp({ address: '192.0.2.2', port: 5000 });
  const a = new SctpAssociation({ clock, send: (p) => sa.send(p, 5000, '192.0.2.2') });
  const b = new SctpAssociation({ clock, send: (p) => sb.send(p, 5000, '192.0.2.1') });
  sa.onMessage((d) => a.handlePacket(Buffer.from(d)));
  sb.onMessage((d) => b.handlePacket(Buffer.from(d)));
  const ma = new DataChannelManager({ association: a, dtlsRole: 'client', maxMessageSize: 262144 });
  const mb = new DataChannelManager({ association: b, dtlsRole: 'server', maxMessageSize: 262144 });
  a.start();
  b.start();
  await clock.runUntil(() => a.state === 'established' && b.state === 'established', { maxMs: 10_000 });
  return { net, alice, bob, a, b, ma, mb };
}

describe('SCTP over the @rivulet/testkit virtual network', function () {
  this.timeout(60_000);

  it('moves 4 MiB in order through 10 % loss, jitter and a 20 Mbit/s bottleneck', async () => {
    const clock = new FakeClock();
    const { net, ma, mb, a } = await pairOverNetwork(clock, 0.1);
    const tx = ma.createChannel({ label: 'file' });
    let rx: SctpDataChannel | undefined;
    mb.on('channel', (c) => (rx = c));
    await clock.runUntil(() => rx !== undefined, { maxMs: 5000 });
    let next = 0;
    let bad = 0;
    rx!.on('message', (m) => {
      if ((m as Buffer).readUInt32BE(0) !== next++) bad++;
    });
    const COUNT = 256;
    for (let i = 0; i < COUNT; i++) {
      const m = Buffer.alloc(16 * 1024);
      m.writeUInt32BE(i, 0);
      tx.send(m);
    }
    await clock.runUntil(() => next === COUNT, { maxMs: 600_000, stepMs: 50 });
    expect(bad).to.equal(0);
    expect(net.counters.get('dropped:loss')).to.be.greaterThan(100);
    expect(a.stats.retransmissions).to.be.greaterThan(100);
  });

  it('aborts when the link is cut (dead peer)', async () => {
    const clock = new FakeClock();
    const { alice, a, ma } = await pairOverNetwork(clock, 0);
    const ch = ma.createChannel({ label: 'x' });
    await clock.advanceAsync(1);
    let error = '';
    ch.on('error', (e) => (error = e.message));
    alice.link.cut();
    ch.send('into the void');
    const took = await clock.runUntil(() => a.state === 'closed', { maxMs: 120_000, stepMs: 100 });
    expect(took).to.be.within(60_000, 80_000);
    expect(ch.readyState).to.equal('closed');
    expect(error).to.match(/peer unreachable/);
  });
});

import { expect } from 'chai';
import { FakeClock } from '@rivulet/common';
import { VirtualNetwork } from '@rivulet/testkit';
import { SctpAssociation } from '../src/association.js';
import type { SctpAssociationOptions } from '../src/options.js';
import { parsePacket } from '../src/packet.js';
import { ChunkType } from '../src/chunks/types.js';

/**
 * PLPMTUD between two Rivulet associations over @rivulet/testkit's virtual UDP network, whose
 * links drop IP packets above their `mtu` ('too-big', as with DF set and no ICMP: a black hole).
 * SCTP packets go straight into UDP here (no DTLS), so a link MTU of 1400 carries SCTP packets of
 * up to 1372 bytes (1400 − 20 IPv4 − 8 UDP).
 */

interface Sent {
  size: number;
  probe: boolean;
  data: boolean;
}

async function pair(
  clock: FakeClock,
  linkMtu: number,
  options: Partial<SctpAssociationOptions> = {},
  bandwidthBps?: number,
  optionsB: Partial<SctpAssociationOptions> = {},
) {
  const net = new VirtualNetwork({ clock, seed: 8899 });
  // A bandwidth limit comes with a short queue (128 KiB): probe answers must not wait seconds behind data.
  const link = { delayMs: 5, mtu: linkMtu, ...(bandwidthBps ? { bandwidthBps, queueBytes: 128 * 1024 } : {}) };
  const alice = net.addHost('alice', { addresses: ['192.0.2.1'], link });
  const bob = net.addHost('bob', { addresses: ['192.0.2.2'], link });
  const sa = await alice.bindUdp({ address: '192.0.2.1', port: 5000 });
  const sb = await bob.bindUdp({ address: '192.0.2.2', port: 5000 });
  const sentByA: Sent[] = [];
  const a = new SctpAssociation({
    clock,
    plpmtud: { maxPlpmtu: 16384 },
    ...options,
    send: (p) => {
      const kinds = parsePacket(p).chunks.map((c) => c.chunk.type);
      sentByA.push({ size: p.length, probe: kinds[0] === ChunkType.HEARTBEAT && kinds[1] === 'unknown', data: kinds.includes(ChunkType.DATA) });
      sa.send(p, 5000, '192.0.2.2');
    },
  });
  const b = new SctpAssociation({ clock, plpmtud: { maxPlpmtu: 16384 }, ...optionsB, send: (p) => sb.send(p, 5000, '192.0.2.1') });
  sa.onMessage((d) => a.handlePacket(Buffer.from(d)));
  sb.onMessage((d) => b.handlePacket(Buffer.from(d)));
  const received: Buffer[] = [];
  b.on('message', (_s, _p, data) => received.push(Buffer.from(data)));
  a.start();
  b.start();
  await clock.runUntil(() => a.state === 'established' && b.state === 'established', { maxMs: 10_000 });
  return { net, alice, bob, a, b, sentByA, received };
}

function maxSize(sent: readonly Sent[]): number {
  return sent.reduce((m, s) => Math.max(m, s.size), 0);
}

function numbered(i: number, size: number): Buffer {
  const m = Buffer.alloc(size, i & 0xff);
  m.writeUInt32BE(i, 0);
  return m;
}

function inOrder(received: Buffer[], count: number, size: number): boolean {
  if (received.length !== count) return false;
  return received.every((m, i) => m.length === size && m.readUInt32BE(0) === i);
}

describe('PLPMTUD between two associations over the virtual network', function () {
  this.timeout(60_000);

  it('converges to the path MTU (1400-byte link: 1360 of at most 1372) while data flows, no DATA lost to size', async () => {
    const clock = new FakeClock();
    const { net, a, b, sentByA, received } = await pair(clock, 1400, {}, 4_000_000);
    // Keep data flowing for the whole search (about 9 s of probe timers), then a while longer.
    const SIZE = 16 * 1024;
    let queued = 0;
    let stopAt = Infinity;
    const refill = () => {
      if (a.plpmtud?.state === 'searchComplete' && stopAt === Infinity) stopAt = queued + 100;
      while (queued < stopAt && a.bufferedAmount(1) < 256 * 1024) a.sendMessage(1, 53, numbered(queued++, SIZE));
    };
    await clock.runUntil(() => { refill(); return queued === stopAt && received.length === queued; }, { maxMs: 60_000, stepMs: 5 });
    const COUNT = queued;
    expect(inOrder(received, COUNT, SIZE)).to.equal(true);
    expect(a.plpmtud).to.deep.include({ state: 'searchComplete', plpmtu: 1360, probesLost: 9, blackHoles: 0 });
    expect(a.mtu).to.equal(1360);
    // Only probes were ever too big for the link; every DATA packet fitted.
    const tooBig = sentByA.filter((s) => s.size > 1372);
    // (b probes the other direction: its 9 lost probes are the rest of the link's too-big drops.)
    expect(tooBig.length).to.equal(9);
    expect(b.plpmtud!.probesLost).to.equal(9);
    expect(net.counters.get('dropped:too-big')).to.equal(18);
    expect(tooBig.every((s) => s.probe)).to.equal(true);
    // Data packets grew past BASE once 1328 and 1360 were confirmed.
    expect(maxSize(sentByA.filter((s) => s.data))).to.equal(1360);
    expect(a.stats.packetsOverBase).to.be.greaterThan(100);
    // b had nothing to send but SACKs; it probed too and found the same path.
    expect(b.plpmtud?.plpmtu).to.equal(1360);
    // A PAD chunk is not an unknown chunk to us: nothing dropped.
    expect(b.drops.get('unknownChunk')).to.equal(0);
  });

  it('lost probes do not shrink cwnd and are not retransmissions or errors', async () => {
    const clock = new FakeClock();
    const { a, received } = await pair(clock, 1400);
    const cwnds: number[] = [];
    const COUNT = 400;
    for (let i = 0; i < COUNT; i++) a.sendMessage(1, 53, numbered(i, 4096));
    await clock.runUntil(
      () => {
        cwnds.push(a.stats.cwnd);
        return received.length === COUNT && a.plpmtud?.state === 'searchComplete';
      },
      { maxMs: 60_000, stepMs: 5 },
    );
    expect(a.plpmtud!.probesLost).to.equal(9);
    // On an otherwise lossless link cwnd only ever grows (a lost probe taken as loss would halve it
    // or, through T3, collapse it to one MTU).
    for (let i = 1; i < cwnds.length; i++) expect(cwnds[i]!).to.be.at.least(cwnds[i - 1]!);
    expect(a.stats.retransmissions).to.equal(0);
    expect(a.state).to.equal('established');
  });

  it('over a 65536-byte link climbs to the cap (16384) and never sends a larger packet; large messages fragment at it', async () => {
    const clock = new FakeClock();
    const { a, sentByA, received } = await pair(clock, 65536);
    await clock.runUntil(() => a.plpmtud?.state === 'searchComplete', { maxMs: 5_000 });
    expect(a.plpmtud).to.deep.include({ plpmtu: 16384, probesSent: 6, probesAcked: 6, probesLost: 0 });
    const COUNT = 64;
    const SIZE = 64 * 1024;
    for (let i = 0; i < COUNT; i++) a.sendMessage(1, 53, numbered(i, SIZE));
    await clock.runUntil(() => received.length === COUNT, { maxMs: 60_000, stepMs: 2 });
    expect(inOrder(received, COUNT, SIZE)).to.equal(true);
    expect(maxSize(sentByA)).to.equal(16384);
    const data = sentByA.filter((s) => s.data);
    // 64 KiB = 4 fragments of 16356 bytes (16384 − 12 − 16) + 160 bytes; full packets are exactly the cap.
    expect(data.filter((s) => s.size === 16384).length).to.be.at.least(COUNT * 4 - 8);
    expect(data.length).to.be.below(COUNT * 5 + 10);
  });

  it('a smaller cap holds (maxPlpmtu 9000 on a 65536-byte link)', async () => {
    const clock = new FakeClock();
    const { a, sentByA, received } = await pair(clock, 65536, { plpmtud: { maxPlpmtu: 9000 } });
    for (let i = 0; i < 32; i++) a.sendMessage(1, 53, numbered(i, 64 * 1024));
    await clock.runUntil(() => received.length === 32, { maxMs: 60_000, stepMs: 2 });
    expect(a.plpmtud?.plpmtu).to.equal(9000);
    expect(maxSize(sentByA)).to.equal(9000);
  });

  it('plpmtud: false never probes and never exceeds the 1200-byte base', async () => {
    const clock = new FakeClock();
    const { a, sentByA, received } = await pair(clock, 65536, { plpmtud: false });
    for (let i = 0; i < 16; i++) a.sendMessage(1, 53, numbered(i, 64 * 1024));
    await clock.runUntil(() => received.length === 16, { maxMs: 60_000, stepMs: 2 });
    expect(a.plpmtud).to.equal(undefined);
    expect(sentByA.some((s) => s.probe)).to.equal(false);
    expect(maxSize(sentByA)).to.equal(1200);
    expect(a.stats.packetsOverBase).to.equal(0);
  });

  it('black hole: the link MTU drops to 1400 mid-transfer; PLPMTUD falls back to BASE, re-searches, all data arrives', async () => {
    const clock = new FakeClock();
    const { net, alice, bob, a, received } = await pair(clock, 65536);
    await clock.runUntil(() => a.plpmtud?.state === 'searchComplete', { maxMs: 5_000 });
    expect(a.mtu).to.equal(16384);
    // 1000-byte messages: many DATA chunks bundled per 16 KiB packet; each chunk fits BASE, so
    // the retransmissions after the fall-back go in small packets.
    const COUNT = 3000;
    const SIZE = 1000;
    let queued = 0;
    const refill = () => {
      while (queued < COUNT && a.bufferedAmount(1) < 64 * 1024) a.sendMessage(1, 53, numbered(queued++, SIZE));
    };
    refill();
    await clock.runUntil(() => { refill(); return received.length >= 500; }, { maxMs: 10_000, stepMs: 1 });
    alice.link.update({ mtu: 1400 });
    bob.link.update({ mtu: 1400 });
    await clock.runUntil(() => { refill(); return received.length === COUNT; }, { maxMs: 120_000, stepMs: 5 });
    expect(inOrder(received, COUNT, SIZE)).to.equal(true);
    await clock.runUntil(() => a.plpmtud?.state === 'searchComplete', { maxMs: 60_000, stepMs: 10 });
    expect(a.plpmtud!.blackHoles).to.equal(1);
    expect(a.plpmtud!.plpmtu).to.be.within(1372 - 16, 1372);
    expect(net.counters.get('dropped:too-big')).to.be.greaterThan(0);
    expect(a.state).to.equal('established');
  });

  it('black hole with large fragments in flight: they cannot be re-fragmented, but keep being retransmitted and arrive once the path carries them again', async () => {
    const clock = new FakeClock();
    const { alice, bob, a, received } = await pair(clock, 65536);
    await clock.runUntil(() => a.plpmtud?.state === 'searchComplete', { maxMs: 5_000 });
    const COUNT = 40;
    const SIZE = 64 * 1024;
    for (let i = 0; i < COUNT; i++) a.sendMessage(1, 53, numbered(i, SIZE));
    await clock.runUntil(() => received.length >= 4, { maxMs: 10_000, stepMs: 1 });
    alice.link.update({ mtu: 1400 });
    bob.link.update({ mtu: 1400 });
    await clock.runUntil(() => a.plpmtud!.blackHoles === 1, { maxMs: 30_000, stepMs: 10 });
    expect(a.mtu).to.be.at.most(1372);
    const stuck = received.length;
    alice.link.update({ mtu: 65536 });
    bob.link.update({ mtu: 65536 });
    await clock.runUntil(() => received.length === COUNT, { maxMs: 60_000, stepMs: 10 });
    expect(stuck).to.be.below(COUNT);
    expect(inOrder(received, COUNT, SIZE)).to.equal(true);
    expect(a.state).to.equal('established');
  });

  it('EMTU_R announcement: a peer that announces 16384 lifts MAX_PLPMTU from the 2008 guess to the path cap; a silent one does not', async () => {
    const withAnnounce = { plpmtud: { maxPlpmtu: 2008, pathMaxPlpmtu: 16384, announceMaxPacket: 16384 } };
    const clock = new FakeClock();
    const { a, b } = await pair(clock, 65536, withAnnounce, undefined, withAnnounce);
    await clock.runUntil(() => a.plpmtud?.state === 'searchComplete' && b.plpmtud?.state === 'searchComplete' && a.mtu > 2008, { maxMs: 5_000 });
    expect(a.plpmtud).to.deep.include({ plpmtu: 16384, maxPlpmtu: 16384, probesLost: 0 });
    expect(b.mtu).to.equal(16384);
    expect(b.drops.get('unknownChunk')).to.equal(0);
    // The peer announces less than the path: its figure binds.
    const clock2 = new FakeClock();
    const p2 = await pair(clock2, 65536, withAnnounce, undefined, { plpmtud: { maxPlpmtu: 2008, announceMaxPacket: 9000 } });
    await clock2.runUntil(() => p2.a.mtu === 9000 && p2.a.plpmtud?.state === 'searchComplete', { maxMs: 5_000 });
    // A peer that does not announce (Chromium, node-datachannel, or announceMaxPacket unset): the guess stays.
    const clock3 = new FakeClock();
    const p3 = await pair(clock3, 65536, withAnnounce, undefined, { plpmtud: { maxPlpmtu: 2008 } });
    await clock3.runUntil(() => p3.a.plpmtud?.state === 'searchComplete', { maxMs: 5_000 });
    await clock3.advanceAsync(2_000, 10);
    expect(p3.a.plpmtud).to.deep.include({ plpmtu: 2008, maxPlpmtu: 2008 });
  });

  it('setMaxPlpmtu() lowers the packet size at once and rejects a value below the base', async () => {
    const clock = new FakeClock();
    const { a } = await pair(clock, 65536);
    await clock.runUntil(() => a.plpmtud?.state === 'searchComplete', { maxMs: 5_000 });
    a.setMaxPlpmtu(4000);
    expect(a.mtu).to.equal(4000);
    expect(() => a.setMaxPlpmtu(1000)).to.throw(/1000 is outside \[1200, 65535\]/);
  });
});

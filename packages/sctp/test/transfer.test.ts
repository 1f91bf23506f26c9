import { expect } from 'chai';
import { FakeClock } from '@rivulet/common';
import type { SctpDataChannel } from '../src/dataChannel.js';
import { parsePacket } from '../src/packet.js';
import { createChannelPair } from './helpers/channels.js';
import { createPair, run } from './helpers/link.js';

function remoteChannel(p: ReturnType<typeof createChannelPair>, clock: FakeClock): SctpDataChannel {
  let remote: SctpDataChannel | undefined;
  p.mb.once('channel', (c) => (remote = c));
  run(clock, () => remote !== undefined, 2000);
  return remote!;
}

describe('SCTP transfer under loss (deterministic link, FakeClock)', () => {
  it('delivers 64 MiB on a reliable ordered channel under 10 % loss with reordering, complete and in order', function () {
    this.timeout(60_000);
    const clock = new FakeClock();
    const p = createChannelPair(clock, { loss: 0.1, minDelayMs: 5, maxDelayMs: 15 }, {}, 42);
    const ch = p.ma.createChannel({ label: 'bulk' });
    const remote = remoteChannel(p, clock);
    const TOTAL = 64 * 1024 * 1024;
    const SIZE = 64 * 1024;
    let sent = 0;
    let received = 0;
    let next = 0;
    let outOfOrder = 0;
    remote.on('message', (m) => {
      const b = m as Buffer;
      if (b.length !== SIZE || b.readUInt32BE(0) !== next || b.readUInt32BE(SIZE - 4) !== next) outOfOrder++;
      next++;
      received += b.length;
    });
    // Back-pressure: keep about 1 MiB queued, refill on bufferedamountlow.
    ch.bufferedAmountLowThreshold = 512 * 1024;
    const pump = (): void => {
      while (sent < TOTAL && ch.bufferedAmount < 1024 * 1024) {
        const m = Buffer.alloc(SIZE);
        m.writeUInt32BE(sent / SIZE, 0);
        m.writeUInt32BE(sent / SIZE, SIZE - 4);
        ch.send(m);
        sent += SIZE;
      }
    };
    ch.on('bufferedamountlow', pump);
    pump();
    const started = Date.now();
    run(clock, () => received === TOTAL, 3_600_000);
    const realMs = Date.now() - started;
    expect(outOfOrder).to.equal(0);
    expect(next).to.equal(TOTAL / SIZE);
    expect(p.ab.lost).to.be.greaterThan(p.ab.sent * 0.08); // the link really lost ~10 %
    expect(p.a.stats.retransmissions).to.be.greaterThan(1000);
    expect(realMs).to.be.lessThan(45_000);
  });

  it('an unordered channel with maxRetransmits 0 drops under loss and never stalls', () => {
    const clock = new FakeClock();
    const p = createChannelPair(clock, { loss: 0.1, minDelayMs: 5, maxDelayMs: 10 }, {}, 9);
    const ch = p.ma.createChannel({ label: 'lossy', ordered: false, maxRetransmits: 0 });
    const remote = remoteChannel(p, clock);
    const seen = new Set<number>();
    let duplicates = 0;
    remote.on('message', (m) => {
      const i = (m as Buffer).readUInt32BE(0);
      if (seen.has(i)) duplicates++;
      seen.add(i);
    });
    const retransBefore = p.a.stats.retransmissions;
    const N = 3000;
    for (let i = 0; i < N; i++) {
      const m = Buffer.alloc(500);
      m.writeUInt32BE(i, 0);
      ch.send(m);
      if (i % 20 === 19) clock.advance(10);
    }
    // Everything is resolved (delivered or abandoned and skipped with FORWARD TSN).
    run(clock, () => p.a.stats.flightSize === 0 && ch.bufferedAmount === 0 && p.b.stats.flightSize === 0, 30_000);
    clock.advance(1000);
    expect(duplicates).to.equal(0);
    expect(seen.size).to.be.lessThan(N);
    expect(seen.size).to.be.greaterThan(N * 0.8);
    expect(p.a.stats.retransmissions).to.equal(retransBefore);
    expect(p.a.stats.abandonedMessages + seen.size).to.be.at.least(N);
    // Not stalled: a message sent now arrives within one path delay plus the flush.
    const m = Buffer.alloc(4);
    m.writeUInt32BE(N, 0);
    p.ab.options.loss = 0;
    const t0 = clock.now();
    ch.send(m);
    run(clock, () => seen.has(N), 1000);
    expect(clock.now() - t0).to.be.at.most(11);
  });

  it('maxPacketLifeTime abandons a message once its lifetime has passed, not before', () => {
    const outcome = (lifetime: number): string[] => {
      const clock = new FakeClock();
      const p = createChannelPair(clock, { minDelayMs: 5 }, { rto: { initialMs: 200, minMs: 200, maxMs: 1000 } });
      const ch = p.ma.createChannel({ label: 'timed', maxPacketLifeTime: lifetime });
      const remote = remoteChannel(p, clock);
      const got: string[] = [];
      remote.on('message', (m) => got.push(String(m)));
      p.ab.up = false; // M1's first transmission (t=0) and the retransmission at t=200 are lost
      ch.send('M1');
      clock.advance(250);
      p.ab.up = true;
      clock.advance(1000); // the next T3 expiry is at t=600 (RTO doubled to 400)
      ch.send('M2');
      run(clock, () => got.includes('M2'), 2000);
      return got;
    };
    expect(outcome(300)).to.deep.equal(['M2']); // expired at t=600 > 300: abandoned, skipped by FORWARD TSN
    expect(outcome(700)).to.deep.equal(['M1', 'M2']); // still alive at t=600: retransmitted
  });

  it('bundles small messages into one packet and SACKs are bundled with DATA', () => {
    const clock = new FakeClock();
    const { a, b, ab, ba } = createPair(clock, { minDelayMs: 5 });
    a.start();
    run(clock, () => a.state === 'established' && b.state === 'established', 2000);
    const fromA: Buffer[] = [];
    const fromB: Buffer[] = [];
    ab.tap = (x) => fromA.push(x);
    ba.tap = (x) => fromB.push(x);
    for (let i = 0; i < 10; i++) a.sendMessage(1, 51, Buffer.from(`m${i}`));
    // The first message leaves at once (the association was idle); the nine behind it share a packet.
    expect(fromA).to.have.length(1);
    clock.advance(0);
    expect(fromA).to.have.length(2);
    expect(parsePacket(fromA[0]!).chunks.map((c) => c.chunk.type)).to.deep.equal([0]);
    expect(parsePacket(fromA[1]!).chunks.map((c) => c.chunk.type)).to.deep.equal(Array(9).fill(0));
    // B answers with data of its own right after receiving: its SACK rides in the same packet.
    let replied = false;
    b.on('message', () => {
      if (!replied) b.sendMessage(1, 51, Buffer.from('reply'));
      replied = true;
    });
    clock.advance(5);
    clock.advance(0);
    // B's first packet: the SACK for m0 and the reply in one packet; then a SACK for the other nine.
    expect(fromB.map((x) => parsePacket(x).chunks.map((c) => c.chunk.type))).to.deep.equal([[3, 0], [3]]);
  });

  it('declares a dead peer and aborts on the RFC timers (T3 backoff, Association.Max.Retrans)', () => {
    const clock = new FakeClock();
    const { a, b, ab, ba } = createPair(clock, { minDelayMs: 5 }, { maxRetransmits: 4, rto: { initialMs: 200, minMs: 200, maxMs: 1000 } });
    a.start();
    run(clock, () => a.state === 'established' && b.state === 'established', 2000);
    ab.up = false;
    ba.up = false;
    let error: Error | undefined;
    let closedAt = -1;
    a.on('error', (e) => (error = e));
    a.on('closed', () => (closedAt = clock.now()));
    const t0 = clock.now();
    const sentBefore = ab.sent;
    a.sendMessage(0, 53, Buffer.alloc(100));
    run(clock, () => a.state === 'closed', 60_000);
    // T3 expiries at +200, +400, +800, +1000, +1000: the fifth exceeds Max.Retrans 4.
    expect(closedAt - t0).to.equal(3400);
    expect(error?.message).to.match(/peer unreachable/);
    expect(ab.sent - sentBefore).to.equal(1 + 4 + 1); // original, four retransmissions, the ABORT
  });

  it('detects a dead idle peer with heartbeats', () => {
    const clock = new FakeClock();
    const { a, b, ab, ba } = createPair(clock, { minDelayMs: 5 }, {
      maxRetransmits: 4,
      heartbeatIntervalMs: 1000,
      rto: { initialMs: 200, minMs: 200, maxMs: 1000 },
    });
    a.start();
    run(clock, () => a.state === 'established' && b.state === 'established', 2000);
    const t0 = clock.now();
    // While the link is up, heartbeats are answered and the association stays.
    clock.advance(5000);
    expect(a.state).to.equal('established');
    expect(ab.sent).to.be.greaterThan(4);
    ab.up = false;
    ba.up = false;
    const cut = clock.now();
    run(clock, () => a.state === 'closed', 60_000);
    const elapsed = clock.now() - cut;
    // Next HEARTBEAT at most 1 s after the last ack, then 200+400+800+1000+1000 ms of unanswered ones.
    expect(elapsed).to.be.within(3400, 3400 + 1000 + 200);
    expect(t0).to.be.greaterThan(0);
  });

  it('shuts down gracefully after delivering queued data (RFC 9260 §9.2)', () => {
    const clock = new FakeClock();
    const { a, b } = createPair(clock, { loss: 0.2, minDelayMs: 5 }, {}, 5);
    a.start();
    b.start();
    run(clock, () => a.state === 'established' && b.state === 'established', 10_000);
    let got = 0;
    b.on('message', () => got++);
    const aStates: string[] = [];
    const bStates: string[] = [];
    a.on('statechange', (s) => aStates.push(s));
    b.on('statechange', (s) => bStates.push(s));
    const reasons: (string | undefined)[] = [];
    a.on('closed', (r) => reasons.push(r));
    b.on('closed', (r) => reasons.push(r));
    for (let i = 0; i < 100; i++) a.sendMessage(0, 53, Buffer.alloc(3000));
    a.close();
    expect(() => a.sendMessage(0, 53, Buffer.alloc(1))).to.throw(/shutting down/);
    run(clock, () => a.state === 'closed' && b.state === 'closed', 120_000);
    expect(got).to.equal(100);
    expect(aStates).to.deep.equal(['shutdown-pending', 'shutdown-sent', 'closed']);
    expect(bStates).to.deep.equal(['shutdown-received', 'shutdown-ack-sent', 'closed']);
    expect(reasons).to.deep.equal([undefined, undefined]);
  });

  it('closes a channel under loss only after the peer received everything sent before close()', () => {
    const clock = new FakeClock();
    const p = createChannelPair(clock, { loss: 0.2, minDelayMs: 5, maxDelayMs: 12 }, {}, 11);
    const ch = p.ma.createChannel({ label: 'c' });
    const remote = remoteChannel(p, clock);
    const got: number[] = [];
    remote.on('message', (m) => got.push((m as Buffer).readUInt16BE(0)));
    for (let i = 0; i < 200; i++) {
      const m = Buffer.alloc(2000);
      m.writeUInt16BE(i, 0);
      ch.send(m);
    }
    ch.close();
    expect(ch.readyState).to.equal('closing');
    let closedWith = -1;
    remote.on('close', () => (closedWith = got.length));
    run(clock, () => ch.readyState === 'closed' && remote.readyState === 'closed', 120_000);
    expect(closedWith).to.equal(200);
    expect(got).to.deep.equal(Array.from({ length: 200 }, (_, i) => i));
  });
});

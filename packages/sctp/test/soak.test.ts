import { expect } from 'chai';
import { FakeClock } from '@rivulet/common';
import type { SctpDataChannel } from '../src/dataChannel.js';
import type { DataChannelInit } from '../src/channelManager.js';
import { createChannelPair } from './helpers/channels.js';
import { prng, run } from './helpers/link.js';

/**
 * Mixed traffic on channels of every kind, both directions, over a link that
 * loses, duplicates and reorders; checks each channel type's contract.
 */
function soak(seed: number, loss: number): void {
  const clock = new FakeClock();
  const p = createChannelPair(clock, { loss, duplicate: 0.05, minDelayMs: 3, maxDelayMs: 20 }, {}, seed);
  const rand = prng(seed * 7 + 1);
  const kinds: DataChannelInit[] = [
    { label: 'reliable-ordered' },
    { label: 'reliable-unordered', ordered: false },
    { label: 'rexmit1-ordered', maxRetransmits: 1 },
    { label: 'rexmit0-unordered', ordered: false, maxRetransmits: 0 },
    { label: 'timed-ordered', maxPacketLifeTime: 500 },
  ];
  const sides = [
    { m: p.ma, peer: p.mb },
    { m: p.mb, peer: p.ma },
  ];
  const checks: { label: string; sent: number; got: number[]; reliable: boolean; ordered: boolean }[] = [];
  const senders: { ch: SctpDataChannel; next: number; check: (typeof checks)[number] }[] = [];
  for (const side of sides) {
    for (const k of kinds) {
      const ch = side.m.createChannel(k);
      const check = { label: `${k.label}@${side.m === p.ma ? 'a' : 'b'}`, sent: 0, got: [] as number[], reliable: k.maxRetransmits === undefined && k.maxPacketLifeTime === undefined, ordered: k.ordered !== false };
      checks.push(check);
      senders.push({ ch, next: 0, check });
    }
  }
  clock.advance(0); // the channels open
  const byLabel = new Map(checks.map((c) => [c.label, c]));
  for (const side of sides) {
    side.peer.on('channel', (c) => {
      const check = byLabel.get(`${c.label}@${side.m === p.ma ? 'a' : 'b'}`)!;
      c.on('message', (m) => check.got.push((m as Buffer).readUInt32BE(0)));
    });
  }
  for (let round = 0; round < 300; round++) {
    for (const s of senders) {
      if (rand() < 0.5) continue;
      // About 100 KB/s per direction: below what the lossy link carries, so lifetimes are
      // spent on loss recovery rather than on queueing behind an overload.
      const size = 4 + Math.floor(rand() * (rand() < 0.02 ? 8_000 : 400));
      const m = Buffer.alloc(size);
      m.writeUInt32BE(s.next++, 0);
      s.ch.send(m);
      s.check.sent++;
    }
    clock.advance(10);
  }
  run(clock, () => checks.filter((c) => c.reliable).every((c) => c.got.length === c.sent), 600_000);
  clock.advance(5_000);
  for (const c of checks) {
    const uniq = new Set(c.got);
    expect(uniq.size, `${c.label} duplicates`).to.equal(c.got.length);
    if (c.reliable) expect(uniq.size, `${c.label} complete`).to.equal(c.sent);
    else {
      expect(uniq.size, `${c.label} delivered most`).to.be.within(Math.floor(c.sent * (1 - 3 * loss)), c.sent);
      // Sent once and never retransmitted: at 10 % loss and more some messages must be missing.
      if (c.label.startsWith('rexmit0') && loss >= 0.1) expect(uniq.size, `${c.label} lost some`).to.be.lessThan(c.sent);
    }
    if (c.ordered) expect(c.got, `${c.label} order`).to.deep.equal([...c.got].sort((x, y) => x - y));
  }
  // Everything settled: nothing left in flight on either side.
  expect(p.a.stats.flightSize).to.equal(0);
  expect(p.b.stats.flightSize).to.equal(0);
  expect(p.a.drops.get('internalError') + p.b.drops.get('internalError')).to.equal(0);
}

describe('soak: every channel type at once, both directions, lossy duplicating link', () => {
  for (const [seed, loss] of [
    [1, 0.1],
    [2, 0.2],
    [3, 0.05],
  ] as const) {
    it(`keeps each channel's contract (seed ${seed}, loss ${loss * 100} %)`, function () {
      this.timeout(30_000);
      soak(seed, loss);
    });
  }
});

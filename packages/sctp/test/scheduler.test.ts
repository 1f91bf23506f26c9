import { expect } from 'chai';
import { FakeClock } from '@rivulet/common';
import type { SctpDataChannel } from '../src/dataChannel.js';
import { StreamScheduler, type PendingMessage } from '../src/scheduler.js';
import { createChannelPair } from './helpers/channels.js';
import { run } from './helpers/link.js';

function msg(streamId: number, bytes: number, expiresAt?: number): PendingMessage {
  return { streamId, ppid: 53, data: Buffer.alloc(bytes), unordered: false, maxRetransmits: undefined, expiresAt, counted: true };
}

describe('stream scheduler (RFC 8831 §6.2: channels do not block each other)', () => {
  it('interleaves streams by message, weighted by priority', () => {
    const s = new StreamScheduler(() => undefined);
    for (let i = 0; i < 8; i++) s.push(msg(1, 1000), 1024); // high: weight 8
    for (let i = 0; i < 8; i++) s.push(msg(3, 1000), 128); // very-low: weight 1
    const order: number[] = [];
    for (let m = s.pop(0); m; m = s.pop(0)) order.push(m.streamId);
    // Stream 1 costs 125 per message, stream 3 costs 1000: stream 3 gets its turn after eight of stream 1's.
    expect(order).to.deep.equal([1, 3, 1, 1, 1, 1, 1, 1, 1, 3, 3, 3, 3, 3, 3, 3]);
    expect(s.isEmpty).to.equal(true);
  });

  it('keeps per-stream order, counts bufferedAmount, and drops messages that expired while queued', () => {
    const expired: PendingMessage[] = [];
    const s = new StreamScheduler((m) => expired.push(m));
    s.push(msg(2, 10, 100));
    s.push(msg(2, 20));
    expect(s.bufferedAmount(2)).to.equal(30);
    const m = s.pop(150)!;
    expect(m.data.length).to.equal(20);
    expect(expired.map((e) => e.data.length)).to.deep.equal([10]);
    expect(s.bufferedAmount(2)).to.equal(20); // the expired one no longer counts
    expect(s.takeDrained()).to.deep.equal([2]);
    expect(s.takeSsn(2)).to.equal(0);
    expect(s.takeSsn(2)).to.equal(1);
    s.resetSsn(2);
    expect(s.takeSsn(2)).to.equal(0);
  });

  it('lets a small message on one channel overtake a large backlog on another', () => {
    const clock = new FakeClock();
    const p = createChannelPair(clock, { minDelayMs: 5 });
    const bulk = p.ma.createChannel({ label: 'bulk' });
    const chat = p.ma.createChannel({ label: 'chat' });
    const remotes = new Map<string, SctpDataChannel>();
    p.mb.on('channel', (c) => remotes.set(c.label, c));
    run(clock, () => remotes.size === 2, 1000);
    const arrivals: string[] = [];
    remotes.get('bulk')!.on('message', () => arrivals.push('bulk'));
    remotes.get('chat')!.on('message', (m) => arrivals.push(String(m)));
    for (let i = 0; i < 8; i++) bulk.send(Buffer.alloc(256 * 1024));
    clock.advance(20); // the first bulk message is under way
    chat.send('hi');
    run(clock, () => arrivals.length === 9, 60_000);
    // Without a scheduler 'hi' would come last, behind 2 MiB.
    expect(arrivals.indexOf('hi')).to.be.lessThan(2);
  });
});

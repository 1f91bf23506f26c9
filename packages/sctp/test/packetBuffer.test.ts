import { expect } from 'chai';
import { FakeClock } from '@rivulet/common';
import { parsePacket } from '../src/packet.js';
import { createPair, run } from './helpers/link.js';

/** The ArrayBuffers behind a→b DATA packets, and the messages b received, for 10 messages of 3000 bytes. */
function burst(sendConsumesPacket: boolean | undefined): { buffers: Set<ArrayBufferLike>; dataPackets: number; got: Buffer[]; sent: Buffer[] } {
  const clock = new FakeClock();
  const { a, b, ab } = createPair(clock, { minDelayMs: 1 }, sendConsumesPacket === undefined ? {} : { sendConsumesPacket });
  a.start();
  run(clock, () => a.state === 'established' && b.state === 'established', 5000);
  const buffers = new Set<ArrayBufferLike>();
  let dataPackets = 0;
  // The tap sees the packet during send(), before the link copies it (the link owns its copy).
  ab.tap = (p) => {
    if (parsePacket(p).chunks.some((c) => c.chunk.type === 0)) {
      dataPackets++;
      buffers.add(p.buffer);
    }
  };
  const got: Buffer[] = [];
  b.on('message', (_s, _p, d) => got.push(Buffer.from(d)));
  const sent = Array.from({ length: 10 }, (_, k) => Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 13 + k) & 0xff)));
  for (const m of sent) a.sendMessage(0, 53, m);
  run(clock, () => got.length === sent.length, 10_000);
  return { buffers, dataPackets, got, sent };
}

describe('SCTP packet buffers (sendConsumesPacket)', () => {
  it('builds every packet in one reused buffer when the send callback consumes it, and delivers the same bytes', () => {
    const r = burst(true);
    expect(r.dataPackets).to.be.greaterThan(20);
    expect(r.buffers.size).to.equal(1);
    expect(r.got.every((g, i) => g.equals(r.sent[i]!))).to.equal(true);
  });

  it('by default gives each packet its own memory (the callback may keep it)', () => {
    const r = burst(undefined);
    // Node pools small allocations (8 KiB pools): at MTU 1200 six packets share a pool, never one for all.
    expect(r.buffers.size).to.be.greaterThan(r.dataPackets / 8);
    expect(r.got.every((g, i) => g.equals(r.sent[i]!))).to.equal(true);
  });
});

import { expect } from 'chai';
import { FakeClock } from '@rivulet/common';
import { parsePacket } from '../src/packet.js';
import { createPair, run } from './helpers/link.js';

/** DATA chunks of each packet a→b: [tsn, user bytes, B, E] per chunk. */
function dataLayout(packets: Buffer[]): [number, number, boolean, boolean][][] {
  return packets
    .map((p) => parsePacket(p).chunks.map((c) => c.chunk))
    .map((cs) => cs.flatMap((c) => (c.type === 0 ? [[c.tsn, c.userData.length, c.beginning, c.ending] as [number, number, boolean, boolean]] : [])))
    .filter((cs) => cs.length > 0);
}

describe('SCTP fragmentation fills packets (RFC 9260 §6.9: fragment sizes are the sender\'s choice)', () => {
  function transfer(sizes: number[], mtu = 1200) {
    const clock = new FakeClock();
    const { a, b, ab } = createPair(clock, { minDelayMs: 1 }, { mtu });
    a.start();
    run(clock, () => a.state === 'established' && b.state === 'established', 5000);
    const packets: Buffer[] = [];
    ab.tap = (p) => packets.push(Buffer.from(p));
    const got: Buffer[] = [];
    b.on('message', (_s, _p, d) => got.push(Buffer.from(d)));
    const sent = sizes.map((n, k) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 7 + k) & 0xff)));
    // A message to an idle association goes out at once; what follows in the same task is
    // coalesced (association.ts), as in a sending loop. Send one byte first so that all the
    // measured messages are coalesced, then leave its packet out.
    a.sendMessage(0, 53, Buffer.from([1]));
    for (const m of sent) a.sendMessage(0, 53, m);
    run(clock, () => got.length === sizes.length + 1, 10_000);
    const data = packets.filter((p) => parsePacket(p).chunks.some((c) => c.chunk.type === 0)).slice(1);
    return { sent, got: got.slice(1), layout: dataLayout(data), packets: data };
  }

  it('starts a fragmented message in the room left behind the previous message\'s last fragment', () => {
    // MTU 1200: a full fragment carries 1172 bytes (1200 − 12 common header − 16 DATA header).
    const { sent, got, layout, packets } = transfer([3000, 3000]);
    expect(got.map((g, i) => g.equals(sent[i]!))).to.deep.equal([true, true]);
    const sizes = layout.map((cs) => cs.map(([, n]) => n));
    // 3000 = 1172 + 1172 + 656; the 656-byte tail leaves 1188 − 672 = 516 bytes: the second message's
    // first fragment takes 500 of them (516 − 16 header), then 1172 + 1172 + 156.
    expect(sizes).to.deep.equal([[1172], [1172], [656, 500], [1172], [1172], [156]]);
    expect(layout[2]!.map(([, , bf, ef]) => [bf, ef])).to.deep.equal([[false, true], [true, false]]);
    // Every packet but the last is full (fixed-size fragmentation sent [1172] [1172] [656] [1172] [1172] [656]:
    // a lone 656-byte tail in a packet of its own although more data waited).
    expect(packets.slice(0, -1).map((p) => p.length)).to.deep.equal([1200, 1200, 1200, 1200, 1200]);
  });

  it('never splits a message that fits one chunk, and leaves a room under a quarter fragment unused', () => {
    // 1100 + 1000: the second (≤ 1172) is not split although 72 bytes remain after the first.
    const small = transfer([1100, 1000]);
    expect(small.layout.map((cs) => cs.map(([, n]) => n))).to.deep.equal([[1100], [1000]]);
    // 2300 = 1172 + 1128: the tail leaves 1188 − 1144 = 44 bytes (28 of user data) < 1172 / 4: the
    // next fragmented message starts in a fresh packet.
    const tail = transfer([2300, 2400]);
    expect(tail.layout.map((cs) => cs.map(([, n]) => n))).to.deep.equal([[1172], [1128], [1172], [1172], [56]]);
    expect(tail.got.map((g, i) => g.equals(tail.sent[i]!))).to.deep.equal([true, true]);
  });

  it('with 16 KiB messages and 16 KiB packets: one packet per message instead of two', () => {
    const n = 8;
    const { sent, got, packets } = transfer(new Array<number>(n).fill(16384), 16384);
    expect(got.every((g, i) => g.equals(sent[i]!))).to.equal(true);
    // 8 × (16384 + 16) bytes of chunks in packets of ≤ 16384 − 12: 9 packets (fixed-size
    // fragmentation sent 16: a 16356-byte fragment and a 28-byte tail per message).
    expect(packets.length).to.equal(9);
  });
});

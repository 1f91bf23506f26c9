import { expect } from 'chai';
import { FakeClock } from '@rivulet/common';
import { ChunkType } from '../src/chunks/types.js';
import { parsePacket } from '../src/packet.js';
import { SackPolicy } from '../src/sackPolicy.js';
import { createPair, run } from './helpers/link.js';

/** Which of the first `n` in-order data packets make a SACK due. */
function dueAt(p: SackPolicy, n: number): number[] {
  const out: number[] = [];
  for (let i = 1; i <= n; i++) {
    if (p.onDataPacket()) {
      out.push(i);
      p.onSackSent();
    }
  }
  return out;
}

describe('SACK frequency (RFC 9260 §6.2, stretched during long runs)', () => {
  it('acks every second packet until the warm-up run, then every fourth; back to two after a delayed-SACK timeout', () => {
    const p = new SackPolicy(4, 8);
    // The eighth packet ends the warm-up with two packets unacked: the next SACK comes at 10.
    expect(dueAt(p, 18)).to.deep.equal([2, 4, 6, 10, 14, 18]);
    expect(p.frequency).to.equal(4);
    p.onDelayedSackTimeout();
    p.onSackSent(); // the timer's SACK
    expect(p.frequency).to.equal(2);
    expect(dueAt(p, 14)).to.deep.equal([2, 4, 6, 10, 14]);
  });

  it('sackFrequency 1 acks every packet and 2 never stretches', () => {
    expect(dueAt(new SackPolicy(1, 4), 6)).to.deep.equal([1, 2, 3, 4, 5, 6]);
    expect(dueAt(new SackPolicy(2, 4), 10)).to.deep.equal([2, 4, 6, 8, 10]);
  });

  for (const [freq, maxRatio, minRatio] of [[4, 0.27, 0.24], [2, 0.51, 0.49]] as const) {
    it(`a bulk transfer gets one SACK per ~${freq} DATA packets with sackFrequency ${freq}, complete and without delayed-SACK stalls`, () => {
      const clock = new FakeClock();
      const { a, b, ab, ba } = createPair(clock, { minDelayMs: 2, maxDelayMs: 2 }, { sackFrequency: freq });
      a.start();
      run(clock, () => a.state === 'established' && b.state === 'established', 2000);
      let dataPackets = 0;
      let sackPackets = 0;
      ab.tap = (x) => {
        if (parsePacket(x).chunks.some((c) => c.chunk.type === ChunkType.DATA)) dataPackets++;
      };
      ba.tap = (x) => {
        if (parsePacket(x).chunks.some((c) => c.chunk.type === ChunkType.SACK)) sackPackets++;
      };
      let received = 0;
      b.on('message', (_s, _p, d) => (received += d.length));
      const msg = Buffer.alloc(65536, 7);
      for (let i = 0; i < 64; i++) a.sendMessage(1, 53, msg);
      const ms = run(clock, () => received === 64 * 65536, 60_000);
      expect(a.stats.retransmissions).to.equal(0);
      expect(dataPackets).to.be.greaterThan(3500); // 4 MiB / 1172 bytes per chunk
      expect(sackPackets / dataPackets).to.be.within(minRatio, maxRatio);
      // No 200 ms delayed-SACK wait: 4 MiB at 4 ms RTT through slow start takes 62 ms (every
      // second packet) or 86 ms (stretched: the sender's cwnd grows per SACK, RFC 9260 §7.2.1).
      expect(ms).to.be.lessThan(freq === 4 ? 100 : 75);
    });
  }
});

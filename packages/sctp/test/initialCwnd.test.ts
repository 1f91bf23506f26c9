import { expect } from 'chai';
import { FakeClock } from '@rivulet/common';
import { ChunkType } from '../src/chunks/types.js';
import { parsePacket } from '../src/packet.js';
import { createPair, run } from './helpers/link.js';

/** DATA packets A sends for one 64 KiB message before the first SACK can come back. */
function firstFlight(initialCwndPackets?: number): { packets: number; cwnd: number } {
  const clock = new FakeClock();
  const { a, b, ab } = createPair(clock, { minDelayMs: 10, maxDelayMs: 10 }, initialCwndPackets === undefined ? {} : { initialCwndPackets });
  a.start();
  run(clock, () => a.state === 'established' && b.state === 'established', 2000);
  const cwnd = a.stats.cwnd;
  let packets = 0;
  ab.tap = (x) => {
    if (parsePacket(x).chunks.some((c) => c.chunk.type === ChunkType.DATA)) packets++;
  };
  a.sendMessage(1, 53, Buffer.alloc(65536, 1));
  clock.advance(5); // half the one-way delay: nothing has reached B yet
  return { packets, cwnd };
}

describe('initial congestion window (RFC 9260 §7.2.1, IW10 as in RFC 6928)', () => {
  it('starts at 10 packets of MTU by default: 11 full DATA packets leave before the first SACK', () => {
    // cwnd 12000 bytes; a packet carries 1172 bytes of user data, and §6.1 B lets one more
    // packet go while the flight (10 × 1172 = 11720) is still below cwnd.
    expect(firstFlight()).to.deep.equal({ packets: 11, cwnd: 12000 });
  });

  it('initialCwndPackets 3 gives the RFC-sized start (3600 bytes): 4 packets', () => {
    expect(firstFlight(3)).to.deep.equal({ packets: 4, cwnd: 3600 });
  });

  it('rejects an initialCwndPackets outside 2..64', () => {
    const clock = new FakeClock();
    expect(() => createPair(clock, {}, { initialCwndPackets: 1 })).to.throw(RangeError, 'initialCwndPackets = 1');
    expect(() => createPair(clock, {}, { initialCwndPackets: 65 })).to.throw(RangeError, 'initialCwndPackets = 65');
  });
});

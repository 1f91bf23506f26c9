import { expect } from 'chai';
import { FakeClock, setErrorReporter } from '@rivulet/common';
import type { Chunk } from '../src/chunks/types.js';
import { serializePacket } from '../src/packet.js';
import { createChannelPair } from './helpers/channels.js';
import { prng, run } from './helpers/link.js';

/**
 * Structure-aware fuzzing: well-formed chunks with hostile field values
 * (acks for data never sent, gap blocks over the whole window, FORWARD TSN
 * far ahead, reset requests with random sequence numbers...) injected with
 * the right verification tag while real traffic flows. The logic behind the
 * parsers must hold: nothing throws out, no internal error is reported.
 */
describe('fuzz: well-formed chunks with hostile values', () => {
  it('keeps both associations free of internal errors', function () {
    this.timeout(30_000);
    const clock = new FakeClock();
    const p = createChannelPair(clock, { loss: 0.05, minDelayMs: 3, maxDelayMs: 9 }, {}, 31);
    const reported: unknown[] = [];
    setErrorReporter((e) => reported.push(e));
    try {
      const tags = { a: 0, b: 0 }; // the tag each side expects on packets it receives
      p.ab.tap = (b) => (tags.b = b.readUInt32BE(4));
      p.ba.tap = (b) => (tags.a = b.readUInt32BE(4));
      const tx = p.ma.createChannel({ label: 'f', ordered: false, maxRetransmits: 2 });
      const tx2 = p.mb.createChannel({ label: 'g', maxPacketLifeTime: 300 });
      clock.advance(0);
      // Forged acknowledgements with the right tag can legitimately wreck an association
      // (it then ends by path failure); what must not happen is an exception or a silent hang.
      const endings: string[] = [];
      p.a.on('closed', (r) => endings.push(`a:${r}`));
      p.b.on('closed', (r) => endings.push(`b:${r}`));
      const rand = prng(99);
      const u32 = (): number => Math.floor(rand() * 2 ** 32) >>> 0;
      const u16 = (): number => Math.floor(rand() * 65536);
      const near = (base: number): number => (base + Math.floor(rand() * 400) - 200) >>> 0;
      let lastTsnA = 0;
      p.ab.tap = (b) => {
        tags.b = b.readUInt32BE(4);
        if (b.length > 20 && b[12] === 0) lastTsnA = b.readUInt32BE(16);
      };
      const hostile = (): Chunk => {
        const pick = Math.floor(rand() * 9);
        const tsn = rand() < 0.7 ? near(lastTsnA) : u32();
        switch (pick) {
          case 0:
            return { type: 3, cumTsnAck: tsn, aRwnd: u32(), gapBlocks: Array.from({ length: Math.floor(rand() * 6) }, () => ({ start: u16(), end: u16() })), duplicateTsns: [u32()] };
          case 1:
            return { type: 192, newCumulativeTsn: tsn, streams: [{ streamId: u16() % 8, ssn: u16() }] };
          case 2:
            return { type: 130, params: [{ type: 13, requestSeq: rand() < 0.5 ? u32() : near(lastTsnA), responseSeq: u32(), senderLastTsn: tsn, streams: [u16() % 8] }] };
          case 3:
            return { type: 130, params: [{ type: 16, responseSeq: near(lastTsnA), result: Math.floor(rand() * 8) }] };
          case 4:
            return { type: 0, unordered: rand() < 0.5, beginning: rand() < 0.5, ending: rand() < 0.5, immediate: false, tsn, streamId: u16() % 8, ssn: u16() % 4, ppid: 50 + Math.floor(rand() * 8), userData: Buffer.alloc(1 + Math.floor(rand() * 50), 3) };
          case 5:
            return { type: 4, info: Buffer.alloc(Math.floor(rand() * 20), 1) };
          case 6:
            return { type: 5, info: Buffer.alloc(16, 2) };
          case 7:
            return { type: 10, cookie: Buffer.alloc(Math.floor(rand() * 80), 4) };
          default:
            return { type: 9, causes: [{ type: u16() % 14, value: Buffer.alloc(4) }] };
        }
      };
      let injected = 0;
      for (let round = 0; round < 400; round++) {
        if (tx.readyState === 'open') tx.send(Buffer.alloc(200 + Math.floor(rand() * 3000), 7));
        if (tx2.readyState === 'open') tx2.send('x'.repeat(1 + Math.floor(rand() * 2000)));
        for (let k = 0; k < 5; k++) {
          const toB = rand() < 0.5;
          const target = toB ? p.b : p.a;
          const tag = toB ? tags.b : tags.a;
          const chunks = Array.from({ length: 1 + Math.floor(rand() * 3) }, hostile);
          target.handlePacket(serializePacket({ sourcePort: 5000, destinationPort: 5000, verificationTag: tag }, chunks));
          injected++;
        }
        clock.advance(5);
      }
      try {
        run(clock, () => clock.nextTimerAt() === undefined || clock.now() > 400 * 5 + 120_000, 200_000);
      } catch {
        // timers may keep running (heartbeats); that is fine
      }
      for (const assoc of [p.a, p.b]) expect(assoc.state).to.be.oneOf(['established', 'closed']);
      for (const e of endings) expect(e).to.match(/^[ab]:\S/); // closed with a reason
      expect(p.a.drops.get('badCookie') + p.b.drops.get('badCookie')).to.be.greaterThan(50);
      expect(p.a.drops.get('tsnTooFar') + p.b.drops.get('tsnTooFar') + p.a.drops.get('duplicateTsn')).to.be.greaterThan(50);
      expect(injected).to.equal(2000);
      expect(p.a.drops.get('internalError') + p.b.drops.get('internalError')).to.equal(0);
      expect(reported).to.deep.equal([]);
    } finally {
      setErrorReporter((error, context) => console.error(`[rivulet] exception in ${context}:`, error));
    }
  });
});

import { expect } from 'chai';
import { FakeClock, ParseError, setErrorReporter } from '@rivulet/common';
import { parseChunk, serializeChunk } from '../src/chunks/chunk.js';
import type { Chunk } from '../src/chunks/types.js';
import { sctpChecksum } from '../src/crc32c.js';
import { parseDcep } from '../src/dcep.js';
import { parsePacket } from '../src/packet.js';
import { createChannelPair } from './helpers/channels.js';
import { prng, run } from './helpers/link.js';

const seedChunks: Chunk[] = [
  { type: 0, unordered: false, beginning: true, ending: true, immediate: false, tsn: 5, streamId: 1, ssn: 0, ppid: 51, userData: Buffer.from('hello') },
  { type: 1, initiateTag: 1, aRwnd: 1000, outboundStreams: 10, inboundStreams: 10, initialTsn: 1, params: [{ type: 0xc000, value: Buffer.alloc(0) }] },
  { type: 3, cumTsnAck: 10, aRwnd: 100, gapBlocks: [{ start: 2, end: 4 }], duplicateTsns: [3] },
  { type: 4, info: Buffer.from('info') },
  { type: 6, reflected: false, causes: [{ type: 12, value: Buffer.from('x') }] },
  { type: 9, causes: [{ type: 13, value: Buffer.from('y') }] },
  { type: 192, newCumulativeTsn: 3, streams: [{ streamId: 1, ssn: 1 }] },
  { type: 130, params: [{ type: 13, requestSeq: 1, responseSeq: 2, senderLastTsn: 3, streams: [4] }] },
];

function mutate(rand: () => number, input: Buffer): Buffer {
  const b = Buffer.from(input);
  const op = Math.floor(rand() * 4);
  if (op === 0 && b.length > 1) return b.subarray(0, Math.floor(rand() * b.length));
  if (op === 1) return Buffer.concat([b, Buffer.from(Array.from({ length: 1 + Math.floor(rand() * 16) }, () => Math.floor(rand() * 256)))]);
  const flips = 1 + Math.floor(rand() * 4);
  for (let i = 0; i < flips && b.length > 0; i++) b[Math.floor(rand() * b.length)] = Math.floor(rand() * 256);
  return b;
}

describe('fuzz: hostile input is dropped and counted, never thrown', () => {
  it('chunk parsers throw only ParseError on random and mutated input', () => {
    const rand = prng(1234);
    let parsed = 0;
    let rejected = 0;
    const tryParse = (b: Buffer): void => {
      try {
        parseChunk(b);
        parsed++;
      } catch (err) {
        if (!(err instanceof ParseError)) throw err;
        rejected++;
      }
    };
    for (const c of seedChunks) {
      const wire = serializeChunk(c);
      for (let i = 0; i < 2000; i++) tryParse(mutate(rand, wire));
    }
    for (let i = 0; i < 5000; i++) {
      const b = Buffer.from(Array.from({ length: Math.floor(rand() * 64) }, () => Math.floor(rand() * 256)));
      if (rand() < 0.5 && b.length >= 4) b.writeUInt16BE(b.length, 2); // plausible length field
      tryParse(b);
    }
    expect(parsed).to.be.greaterThan(1000);
    expect(rejected).to.be.greaterThan(1000);
  });

  it('DCEP parser throws only ParseError', () => {
    const rand = prng(99);
    for (let i = 0; i < 5000; i++) {
      const b = Buffer.from(Array.from({ length: Math.floor(rand() * 40) }, () => Math.floor(rand() * 256)));
      if (b.length > 0) b[0] = rand() < 0.8 ? 3 : b[0]!;
      try {
        parseDcep(b);
      } catch (err) {
        expect(err).to.be.instanceOf(ParseError);
      }
    }
  });

  it('handlePacket survives random and mutated packets (with valid checksums) and counts the drops', () => {
    const clock = new FakeClock();
    const p = createChannelPair(clock, { minDelayMs: 2 }, {}, 77);
    const reported: unknown[] = [];
    setErrorReporter((e) => reported.push(e));
    try {
      // Capture real traffic in both directions to mutate.
      const captured: Buffer[] = [];
      p.ab.tap = (b) => captured.push(Buffer.from(b));
      p.ba.tap = (b) => captured.push(Buffer.from(b));
      const ch = p.ma.createChannel({ label: 'f', ordered: false, maxRetransmits: 1 });
      clock.advance(0);
      for (let i = 0; i < 30; i++) ch.send(Buffer.alloc(1 + i * 97, i));
      ch.send('text');
      run(clock, () => p.a.stats.flightSize === 0 && captured.length > 10, 5000);
      ch.close();
      run(clock, () => ch.readyState === 'closed', 5000);
      p.ab.tap = undefined;
      p.ba.tap = undefined;

      // 1. Random garbage: every packet fails the checksum (or is too short) and is counted.
      const rand = prng(4321);
      const before = p.b.drops.get('badChecksum') + p.b.drops.get('malformed');
      for (let i = 0; i < 2000; i++) {
        p.b.handlePacket(Buffer.from(Array.from({ length: Math.floor(rand() * 1300) }, () => Math.floor(rand() * 256))));
      }
      expect(p.b.drops.get('badChecksum') + p.b.drops.get('malformed') - before).to.equal(2000);

      // 2. Mutations of real packets with the checksum fixed up, so they reach the chunk parsers.
      let fed = 0;
      for (let i = 0; i < 20_000; i++) {
        const base = captured[Math.floor(rand() * captured.length)]!;
        let m = mutate(rand, base);
        if (m.length >= 12) {
          if (rand() < 0.7) base.copy(m, 0, 0, Math.min(8, m.length)); // keep ports and tag so chunks are processed
          m.writeUInt32LE(sctpChecksum(m), 8);
        }
        const target = rand() < 0.5 ? p.a : p.b;
        target.handlePacket(m);
        fed++;
        if (i % 100 === 0) clock.advance(50);
      }
      expect(fed).to.equal(20_000);
      const drops = { ...p.a.drops.toJSON(), ...p.b.drops.toJSON() };
      expect(p.a.drops.get('internalError') + p.b.drops.get('internalError')).to.equal(0);
      expect(reported).to.deep.equal([]);
      expect(Object.values(drops).reduce((x, y) => x + y, 0)).to.be.greaterThan(1000);
      // The parsers saw structure, not just bad checksums.
      expect(p.a.drops.get('malformed') + p.b.drops.get('malformed')).to.be.greaterThan(100);
      // Sanity: the captured packets themselves parse.
      for (const c of captured) expect(() => parsePacket(c)).not.to.throw();
    } finally {
      setErrorReporter((error, context) => console.error(`[rivulet] exception in ${context}:`, error));
    }
  });

  it('DataChannelManager counts malformed DCEP and unknown PPIDs without throwing', () => {
    const clock = new FakeClock();
    const p = createChannelPair(clock, { minDelayMs: 2 }, {}, 3);
    const rand = prng(5);
    for (let i = 0; i < 200; i++) {
      const junk = Buffer.from(Array.from({ length: 1 + Math.floor(rand() * 30) }, () => Math.floor(rand() * 256)));
      junk[0] = 0x03; // claims to be DATA_CHANNEL_OPEN
      junk[1] = 0x05; // with an invalid channel type
      p.a.sendMessage(100 + 2 * i, 50, junk);
    }
    p.a.sendMessage(999, 51, Buffer.from('no channel here'));
    run(clock, () => p.mb.drops.get('malformedDcep') === 200 && p.mb.drops.get('unknownStream') === 1, 5000);
    expect(p.mb.channels).to.have.length(0);
  });
});

import { expect } from 'chai';
import { FakeClock } from '@rivulet/common';
import { serializePacket, parsePacket } from '../src/packet.js';
import type { Chunk } from '../src/chunks/types.js';
import { createPair, run, type Pair } from './helpers/link.js';

function established(seed = 1, options = {}): { clock: FakeClock } & Pair {
  const clock = new FakeClock();
  const pair = createPair(clock, { minDelayMs: 5 }, options, seed);
  pair.a.start();
  run(clock, () => pair.a.state === 'established' && pair.b.state === 'established', 2000);
  return { clock, ...pair };
}

/** The verification tag B expects (the tag A puts on its packets). */
function tagOf(p: Pair, clock: FakeClock): number {
  let tag = -1;
  p.ab.tap = (b) => (tag = b.readUInt32BE(4));
  p.a.sendMessage(0, 51, Buffer.from('t'));
  clock.advance(0);
  p.ab.tap = undefined;
  run(clock, () => tag !== -1 && p.a.stats.flightSize === 0, 2000);
  return tag;
}

function packet(vtag: number, chunks: Chunk[]): Buffer {
  return serializePacket({ sourcePort: 5000, destinationPort: 5000, verificationTag: vtag }, chunks);
}

describe('SctpAssociation robustness', () => {
  it('counts packets with a wrong verification tag, wrong ports or bad checksum, and ignores them', () => {
    const { clock, ...p } = established();
    const tag = tagOf(p, clock);
    const got: string[] = [];
    p.b.on('message', (_s, _p, d) => got.push(d.toString()));
    const data: Chunk = { type: 0, unordered: false, beginning: true, ending: true, immediate: false, tsn: 1, streamId: 0, ssn: 5, ppid: 51, userData: Buffer.from('x') };
    p.b.handlePacket(packet(tag ^ 1, [data]));
    p.b.handlePacket(serializePacket({ sourcePort: 5001, destinationPort: 5000, verificationTag: tag }, [data]));
    const corrupt = packet(tag, [data]);
    corrupt[corrupt.length - 1] ^= 0xff;
    p.b.handlePacket(corrupt);
    expect(p.b.drops.toJSON()).to.deep.equal({ badVerificationTag: 1, badPort: 1, badChecksum: 1 });
    expect(got).to.deep.equal([]);
  });

  it('rejects forged and stale cookies (RFC 9260 §5.1.5)', () => {
    const clock = new FakeClock();
    const p = createPair(clock, { minDelayMs: 5 }, { cookieLifetimeMs: 1000 });
    let initAck: Buffer | undefined;
    p.ba.tap = (b) => (initAck ??= b);
    p.ba.up = false; // keep B's INIT ACK from reaching A
    p.a.start();
    clock.advance(10);
    const ack = parsePacket(initAck!).chunks[0]!.chunk;
    if (ack.type !== 2) throw new Error('expected INIT ACK');
    const cookie = ack.params.find((t) => t.type === 7)!.value;
    const forged = Buffer.from(cookie);
    forged[5] ^= 1;
    p.b.handlePacket(packet(ack.initiateTag, [{ type: 10, cookie: forged }]));
    expect(p.b.drops.get('badCookie')).to.equal(1);
    clock.advance(2000);
    const sentBefore = p.ba.sent;
    p.b.handlePacket(packet(ack.initiateTag, [{ type: 10, cookie: Buffer.from(cookie) }]));
    expect(p.b.drops.get('staleCookie')).to.equal(1);
    expect(p.b.state).to.equal('closed');
    expect(p.ba.sent).to.equal(sentBefore + 1); // an ERROR with a Stale Cookie cause
    const err = parsePacket(initAck!).chunks.length; // sanity: the INIT ACK was one chunk
    expect(err).to.equal(1);
  });

  it('retries with a Cookie Preservative after a Stale Cookie error (RFC 9260 §5.2.6)', () => {
    const clock = new FakeClock();
    // 600 ms each way: B's cookie is 1200 ms old when it comes back, past its 1000 ms life.
    const p = createPair(clock, { minDelayMs: 600 }, { cookieLifetimeMs: 1000, rto: { initialMs: 3000, minMs: 200, maxMs: 10_000 } });
    const inits: Chunk[] = [];
    p.ab.tap = (b) => {
      const c = parsePacket(b).chunks[0]!.chunk;
      if (c.type === 1) inits.push(c);
    };
    const states: string[] = [];
    p.a.on('statechange', (s) => states.push(s));
    p.a.start();
    run(clock, () => p.a.state === 'established' && p.b.state === 'established', 20_000);
    expect(p.b.drops.get('staleCookie')).to.equal(1);
    expect(states).to.deep.equal(['cookie-wait', 'cookie-echoed', 'cookie-wait', 'cookie-echoed', 'established']);
    expect(inits).to.have.length(2);
    const retry = inits[1]!;
    if (retry.type !== 1) throw new Error('unreachable');
    const preservative = retry.params.find((t) => t.type === 9)!;
    // Staleness 200 ms (reported in µs) plus one second.
    expect(preservative.value.readUInt32BE(0)).to.equal(1200);
  });

  it('reports unknown INIT parameters that ask for it in the INIT ACK (RFC 9260 §3.3.3)', () => {
    const clock = new FakeClock();
    const p = createPair(clock, { minDelayMs: 5 });
    const sent: Chunk[] = [];
    p.ba.tap = (b) => sent.push(...parsePacket(b).chunks.map((c) => c.chunk));
    p.b.handlePacket(
      packet(0, [
        {
          type: 1,
          initiateTag: 77,
          aRwnd: 100_000,
          outboundStreams: 8,
          inboundStreams: 8,
          initialTsn: 1,
          params: [{ type: 0xc123, value: Buffer.from([9]) }, { type: 0x8001, value: Buffer.alloc(0) }],
        },
      ]),
    );
    const ack = sent[0]!;
    if (ack.type !== 2) throw new Error('expected INIT ACK');
    expect(ack.params.filter((t) => t.type === 8).map((t) => t.value.toString('hex'))).to.deep.equal(['c123000509']);
    expect(p.b.state).to.equal('closed'); // still stateless until COOKIE ECHO
  });

  it('handles unknown chunk types by their two high bits (RFC 9260 §3.2)', () => {
    const { clock, ...p } = established();
    const tag = tagOf(p, clock);
    const got: string[] = [];
    p.b.on('message', (_s, _p, d) => got.push(d.toString()));
    const sent: Chunk[][] = [];
    p.ba.tap = (b) => sent.push(parsePacket(b).chunks.map((c) => c.chunk));
    const data = (tsnOffset: number, text: string): Chunk => ({
      type: 0, unordered: true, beginning: true, ending: true, immediate: true, tsn: 0, streamId: 0, ssn: tsnOffset, ppid: 51, userData: Buffer.from(text),
    });
    // Learn the next TSN A would use: send one message and read it.
    let nextTsn = 0;
    p.ab.tap = (b) => {
      for (const { chunk } of parsePacket(b).chunks) if (chunk.type === 0) nextTsn = chunk.tsn + 1;
    };
    p.a.sendMessage(0, 51, Buffer.from('seed'));
    run(clock, () => got.includes('seed'), 1000);
    p.ab.tap = undefined;
    const d1 = { ...data(0, 'after-skip'), tsn: nextTsn } as Chunk;
    const d2 = { ...data(0, 'after-stop'), tsn: nextTsn + 1 } as Chunk;
    // 0xC5: skip and report; the DATA after it is processed.
    p.b.handlePacket(packet(tag, [{ type: 'unknown', code: 0xc5, flags: 0, value: Buffer.from([9, 9]) }, d1]));
    // 0x3E: stop processing silently; the DATA after it is not.
    p.b.handlePacket(packet(tag, [{ type: 'unknown', code: 0x3e, flags: 0, value: Buffer.alloc(0) }, d2]));
    clock.advance(1);
    expect(got).to.deep.equal(['seed', 'after-skip']);
    expect(p.b.drops.get('unknownChunk')).to.equal(2);
    const errors = sent.flat().filter((c) => c.type === 9);
    expect(errors).to.have.length(1);
    if (errors[0]!.type !== 9) throw new Error('unreachable');
    expect(errors[0]!.causes[0]!.type).to.equal(6); // Unrecognized Chunk Type, carrying the chunk
    expect(errors[0]!.causes[0]!.value.toString('hex')).to.equal('c50000060909');
  });

  it('answers DATA on a stream beyond the negotiated count with an Invalid Stream Identifier ERROR', () => {
    const { clock, ...p } = established(1, { streams: 16 });
    expect(p.a.outboundStreams).to.equal(16);
    expect(() => p.a.sendMessage(16, 51, Buffer.from('x'))).to.throw(RangeError, 'stream id 16 is outside [0, 15]');
    expect(() => p.a.sendMessage(1, 51, Buffer.alloc(0))).to.throw(/empty message/);
    const tag = tagOf(p, clock);
    const sent: Chunk[] = [];
    p.ba.tap = (b) => sent.push(...parsePacket(b).chunks.map((c) => c.chunk));
    let next = 0;
    p.ab.tap = (b) => {
      for (const { chunk } of parsePacket(b).chunks) if (chunk.type === 0) next = chunk.tsn + 1;
    };
    p.a.sendMessage(0, 51, Buffer.from('seed'));
    run(clock, () => next !== 0 && p.a.stats.flightSize === 0, 1000);
    p.b.handlePacket(packet(tag, [{ type: 0, unordered: false, beginning: true, ending: true, immediate: true, tsn: next, streamId: 40, ssn: 0, ppid: 51, userData: Buffer.from('x') }]));
    clock.advance(1);
    const err = sent.find((c) => c.type === 9);
    expect(err && err.type === 9 && err.causes[0]!.type).to.equal(1);
    const sack = sent.filter((c) => c.type === 3).pop();
    expect(sack && sack.type === 3 && sack.cumTsnAck).to.equal(next); // still acknowledged (§6.5)
    expect(p.b.drops.get('invalidStream')).to.equal(1);
  });

  it('aborts when the peer sends DATA without user data (RFC 9260 §6.2)', () => {
    const { clock, ...p } = established();
    const tag = tagOf(p, clock);
    let error: Error | undefined;
    p.b.on('error', (e) => (error = e));
    const sent: Chunk[] = [];
    p.ba.tap = (b) => sent.push(...parsePacket(b).chunks.map((c) => c.chunk));
    p.b.handlePacket(packet(tag, [{ type: 0, unordered: false, beginning: true, ending: true, immediate: false, tsn: 77, streamId: 0, ssn: 0, ppid: 51, userData: Buffer.alloc(0) }]));
    expect(p.b.state).to.equal('closed');
    expect(error?.message).to.equal('SCTP association aborted: peer sent DATA chunk TSN 77 without user data');
    expect(sent.map((c) => c.type)).to.deep.equal([6]);
    const abort = sent[0]!;
    expect(abort.type === 6 && abort.causes[0]!.type).to.equal(9);
  });

  it('delivers every message exactly once over a duplicating link and reports duplicate TSNs', () => {
    const clock = new FakeClock();
    const p = createPair(clock, { minDelayMs: 5, maxDelayMs: 9, duplicate: 0.3 }, {}, 21);
    p.a.start();
    run(clock, () => p.a.state === 'established' && p.b.state === 'established', 2000);
    const sacks: Chunk[] = [];
    p.ba.tap = (b) => sacks.push(...parsePacket(b).chunks.map((c) => c.chunk).filter((c) => c.type === 3));
    const got: number[] = [];
    p.b.on('message', (_s, _p, d) => got.push(d.readUInt16BE(0)));
    for (let i = 0; i < 500; i++) {
      const m = Buffer.alloc(700);
      m.writeUInt16BE(i, 0);
      p.a.sendMessage(2, 53, m);
    }
    run(clock, () => got.length === 500 && p.a.stats.flightSize === 0, 30_000);
    clock.advance(1000);
    expect(got).to.deep.equal(Array.from({ length: 500 }, (_, i) => i));
    expect(p.b.drops.get('duplicateTsn')).to.be.greaterThan(50);
    expect(sacks.some((s) => s.type === 3 && s.duplicateTsns.length > 0)).to.equal(true);
  });

  it('defers a peer stream reset until the data sent before it has arrived (RFC 6525 §5.2.2)', () => {
    const { clock, ...p } = established(3);
    const order: string[] = [];
    p.b.on('message', (_s, _p, d) => order.push(`msg:${d.toString()}`));
    p.b.on('incomingStreamsReset', (ids) => order.push(`in-reset:${ids.join(',')}`));
    p.a.on('outgoingStreamsReset', (ids) => order.push(`out-reset:${ids.join(',')}`));
    const responses: number[] = [];
    p.ba.tap = (b) => {
      for (const { chunk } of parsePacket(b).chunks) {
        if (chunk.type === 130) for (const prm of chunk.params) if (prm.type === 16) responses.push(prm.result);
      }
    };
    // Lose the first transmission of the DATA so the RE-CONFIG overtakes it.
    let dropped = false;
    p.ab.dropIf = (b) => {
      if (dropped) return false;
      const types = parsePacket(b).chunks.map((c) => c.chunk.type);
      return (dropped = types.includes(0));
    };
    p.a.sendMessage(3, 51, Buffer.from('last words'));
    clock.advance(0);
    p.a.resetStreams([3]);
    run(clock, () => order.length === 3, 10_000);
    expect(order).to.deep.equal(['msg:last words', 'in-reset:3', 'out-reset:3']);
    expect(responses[0]).to.equal(6); // In progress
    expect(responses[responses.length - 1]).to.equal(1); // Success - Performed
    // The stream's SSNs restarted at 0 on both sides: a new message on it is delivered.
    p.a.sendMessage(3, 51, Buffer.from('again'));
    run(clock, () => order.length === 4, 2000);
    expect(order[3]).to.equal('msg:again');
  });

  it('declares a dead peer after 62.6 s with the default timers once the RTT is known', () => {
    const { clock, ...p } = established(4);
    // An RTT sample of ~10 ms gives RTO = RTO.Min = 200 ms.
    tagOf(p, clock);
    expect(p.a.stats.rtoMs).to.equal(200);
    p.ab.up = false;
    p.ba.up = false;
    const t0 = clock.now();
    p.a.sendMessage(0, 53, Buffer.alloc(10));
    run(clock, () => p.a.state === 'closed', 120_000);
    expect(clock.now() - t0).to.equal(200 + 400 + 800 + 1600 + 3200 + 6400 + 5 * 10_000);
  });

  it('declares a dead peer after 75.5 s when no RTT was ever measured (RTO.Initial 500 ms)', () => {
    const { clock, ...p } = established(4);
    p.ab.up = false;
    p.ba.up = false;
    const t0 = clock.now();
    p.a.sendMessage(0, 53, Buffer.alloc(10));
    run(clock, () => p.a.state === 'closed', 120_000);
    expect(clock.now() - t0).to.equal(500 + 1000 + 2000 + 4000 + 8000 + 6 * 10_000);
  });

  it('drops an INIT that arrives in ESTABLISHED (no restart) and keeps working', () => {
    const { clock, ...p } = established(6);
    p.b.handlePacket(packet(0, [{ type: 1, initiateTag: 1234, aRwnd: 100000, outboundStreams: 10, inboundStreams: 10, initialTsn: 1, params: [] }]));
    expect(p.b.drops.get('unexpectedChunk')).to.equal(1);
    const got: string[] = [];
    p.b.on('message', (_s, _p, d) => got.push(d.toString()));
    p.a.sendMessage(0, 51, Buffer.from('still here'));
    run(clock, () => got.length === 1, 1000);
    expect(p.b.state).to.equal('established');
  });
});

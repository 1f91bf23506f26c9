import { expect } from 'chai';
import { FakeClock, type TransportAddress } from '@rivulet/common';
import { allocateTurn, encodeChannelData, TurnClient, type TurnAllocation } from '../../src/turn/index.js';
import { StunAttr, StunClass, StunMessage, StunMethod, attr, encodeStun } from '../../src/stun/index.js';
import { drive, relayWorld, TURN_IP } from './helpers.js';

describe('TURN client over testkit (FakeClock)', () => {
  it('allocates from behind a symmetric NAT: relayed and server-reflexive addresses are exact', async () => {
    const clock = new FakeClock();
    const w = await relayWorld(clock);
    const alloc = await drive(clock, allocateTurn({ server: w.config('alice', 'secret-a'), network: w.a, clock }));
    expect(alloc.state).to.equal('allocated');
    expect(alloc.relayedAddress).to.deep.equal({ address: TURN_IP, port: 49152, family: 'IPv4' });
    expect(alloc.mappedAddress).to.deep.equal({ address: '198.51.100.1', port: 40000, family: 'IPv4' });
    expect(w.server.counters.get('challenged')).to.equal(1);
    expect(w.server.allocationCount).to.equal(1);
  });

  it('rejects a wrong password with a clear 401 error', async () => {
    const clock = new FakeClock();
    const w = await relayWorld(clock);
    const err = await drive(clock, allocateTurn({ server: w.config('alice', 'wrong'), network: w.a, clock })).catch((e: Error) => e);
    expect((err as Error).message).to.equal(
      'TURN Allocate to udp 203.0.113.1:3478 rejected the credentials of user "alice" in realm "rivulet.test" (401 Unauthorized): check the username and credential',
    );
    expect(w.server.allocationCount).to.equal(0);
  });

  it('rejects with a timeout error when the server never answers (RFC 8489 Rc = 7)', async () => {
    const clock = new FakeClock();
    const w = await relayWorld(clock);
    w.turnHost.link.cut();
    const start = clock.now();
    const err = await drive(clock, allocateTurn({ server: w.config('alice', 'secret-a'), network: w.a, clock })).catch((e: Error) => e);
    expect((err as Error).message).to.match(/^TURN Allocate to udp 203\.0\.113\.1:3478 timed out after 7 transmissions \(39500 ms\)/);
    expect(clock.now() - start).to.be.within(39_500, 39_510);
  });

  it('retransmits when responses are lost', async () => {
    const clock = new FakeClock();
    const w = await relayWorld(clock);
    let dropped = 0;
    w.net.setTap((p) => {
      if (p.stage === 'deliver' && p.host === 'a' && p.src.port === 3478 && dropped < 2) {
        dropped++;
        return 'drop';
      }
      return undefined;
    });
    const start = clock.now();
    const alloc = await drive(clock, allocateTurn({ server: w.config('alice', 'secret-a'), network: w.a, clock }));
    expect(alloc.state).to.equal('allocated');
    // The first two 401s were lost: the third transmission (at 500 + 1000 ms) got the cached answer.
    expect(w.server.counters.get('retransmitted-responses')).to.equal(2);
    expect(clock.now() - start).to.be.at.least(1500);
    expect(w.server.counters.get('allocations')).to.equal(1);
  });

  it('refreshes one minute before expiry, and the allocation outlives its first lifetime', async () => {
    const clock = new FakeClock();
    const w = await relayWorld(clock);
    const alloc = (await drive(clock, allocateTurn({ server: w.config('alice', 'secret-a'), network: w.a, clock }))) as TurnClient;
    const t0 = clock.now();
    expect(alloc.lifetimeSeconds).to.equal(600);
    await clock.advanceAsync(540_000 - (clock.now() - t0) - 1, 1000);
    expect(w.server.counters.get('refreshes')).to.equal(0);
    await clock.advanceAsync(100, 5);
    expect(alloc.counters.get('allocation-refreshes')).to.equal(1);
    expect(w.server.counters.get('refreshes')).to.equal(1);
    await clock.advanceAsync(1_200_000, 1000);
    expect(w.server.counters.get('refreshes')).to.equal(3); // at 540, 1080, 1620 s
    expect(w.server.allocationCount).to.equal(1);
    expect(w.server.counters.get('expired')).to.equal(0);
    expect(alloc.state).to.equal('allocated');
  });

  it('sends a keepalive after 15 s idle so the NAT mapping survives; without it the refresh hits a new mapping', async () => {
    const clock = new FakeClock();
    const w = await relayWorld(clock);
    const alloc = (await drive(clock, allocateTurn({ server: w.config('alice', 'secret-a'), network: w.a, clock }))) as TurnClient;
    const t0 = clock.now();
    await clock.advanceAsync(60_000 - (clock.now() - t0) + 100, 100); // the 60 s one needs 15 ms to reach the server
    expect(alloc.counters.get('keepalives')).to.equal(4); // at 15, 30, 45, 60 s
    expect(w.server.counters.get('keepalives')).to.equal(4);

    const clock2 = new FakeClock();
    const w2 = await relayWorld(clock2);
    const silent = (await drive(clock2, allocateTurn({ server: w2.config('alice', 'secret-a'), network: w2.a, clock: clock2, keepaliveMs: 0 }))) as TurnClient;
    await clock2.advanceAsync(560_000, 1000);
    // the 120 s NAT mapping expired: the Refresh left from a new port, a 5-tuple without allocation
    expect(silent.state).to.equal('failed');
    expect(silent.counters.get('keepalives')).to.equal(0);
  });

  it('retries a refresh answered with 438 Stale Nonce using the new nonce', async () => {
    const clock = new FakeClock();
    const w = await relayWorld(clock, { nonceLifetimeMs: 100_000 });
    const alloc = (await drive(clock, allocateTurn({ server: w.config('alice', 'secret-a'), network: w.a, clock }))) as TurnClient;
    await clock.advanceAsync(541_000, 1000);
    expect(w.server.counters.get('stale-nonce')).to.equal(1);
    expect(alloc.counters.get('stale-nonce-retries')).to.equal(1);
    expect(w.server.counters.get('refreshes')).to.equal(1);
    expect(alloc.state).to.equal('allocated');
  });

  it('fails with an error when the server becomes unreachable and refresh times out', async () => {
    const clock = new FakeClock();
    const w = await relayWorld(clock);
    const alloc = (await drive(clock, allocateTurn({ server: w.config('alice', 'secret-a'), network: w.a, clock }))) as TurnClient;
    const states: Array<[string, string | undefined]> = [];
    alloc.onStateChange((s, e) => states.push([s, e?.message]));
    w.turnHost.link.cut();
    await clock.advanceAsync(620_000, 1000);
    expect(alloc.state).to.equal('allocated'); // refresh at 540 s timed out at 579.5 s, retry at 584.5 s pending
    await clock.advanceAsync(10_000, 1000);
    expect(alloc.state).to.equal('failed'); // the retry timed out at 624 s, past the 600 s expiry
    expect(alloc.counters.get('allocation-refreshes')).to.equal(2);
    expect(states).to.have.length(1);
    expect(states[0]![0]).to.equal('failed');
    expect(states[0]![1]).to.match(/could not be refreshed: TURN Refresh to udp 203\.0\.113\.1:3478 timed out after 7 transmissions/);
  });

  it('retries a timed-out refresh before expiry, surviving a 45 s outage of the server', async () => {
    const clock = new FakeClock();
    const w = await relayWorld(clock);
    const alloc = (await drive(clock, allocateTurn({ server: w.config('alice', 'secret-a'), network: w.a, clock }))) as TurnClient;
    const t0 = clock.now();
    await clock.advanceAsync(535_000 - (clock.now() - t0), 1000);
    w.turnHost.link.cut();
    await clock.advanceAsync(45_000, 100); // the refresh at 540 s gets no answer (7 transmissions, 39.5 s)
    w.turnHost.link.restore();
    expect(alloc.counters.get('allocation-refreshes')).to.equal(1);
    await clock.advanceAsync(10_000, 100); // retried at ≈ 584.5 s, before the 600 s expiry
    expect(alloc.counters.get('allocation-refreshes')).to.equal(2);
    expect(w.server.counters.get('refreshes')).to.equal(1);
    expect(alloc.state).to.equal('allocated');
    expect(w.server.allocationCount).to.equal(1);
  });

  it('close() releases the allocation with LIFETIME 0 and reports closed', async () => {
    const clock = new FakeClock();
    const w = await relayWorld(clock);
    const alloc = (await drive(clock, allocateTurn({ server: w.config('alice', 'secret-a'), network: w.a, clock }))) as TurnClient;
    const states: string[] = [];
    alloc.onStateChange((s) => states.push(s));
    await drive(clock, alloc.close());
    expect(states).to.deep.equal(['closed']);
    expect(alloc.state).to.equal('closed');
    expect(w.server.counters.get('released')).to.equal(1);
    expect(w.server.allocationCount).to.equal(0);
    alloc.send(Buffer.from('late'), { address: TURN_IP, port: 9, family: 'IPv4' });
    expect(alloc.counters.get('send-not-allocated')).to.equal(1);
    expect(clock.pendingTimers).to.equal(0);
  });

  it('close() twice releases once; close() with the server gone gives up after 5 s', async () => {
    const clock = new FakeClock();
    const w = await relayWorld(clock);
    const alloc = (await drive(clock, allocateTurn({ server: w.config('alice', 'secret-a'), network: w.a, clock }))) as TurnClient;
    const states: string[] = [];
    alloc.onStateChange((s) => states.push(s));
    const p1 = alloc.close();
    const p2 = alloc.close();
    expect(p2).to.equal(p1);
    await drive(clock, p1);
    expect(states).to.deep.equal(['closed']);
    expect(w.server.counters.get('released')).to.equal(1);

    const other = (await drive(clock, allocateTurn({ server: w.config('bob', 'secret-b'), network: w.b, clock }))) as TurnClient;
    w.turnHost.link.cut();
    const start = clock.now();
    await drive(clock, other.close());
    expect(clock.now() - start).to.be.within(5_000, 5_010);
    expect(other.counters.get('release-failed')).to.equal(1);
    expect(other.state).to.equal('closed');
    expect(clock.pendingTimers).to.equal(1); // only the server's own expiry timer for bob's allocation
  });

  it('rejects API misuse with messages naming the value', async () => {
    const clock = new FakeClock();
    const w = await relayWorld(clock);
    const bad = { ...w.config('alice', 'secret-a'), port: 0 };
    const err = await allocateTurn({ server: bad, network: w.a, clock }).catch((e: Error) => e);
    expect((err as Error).message).to.equal('allocateTurn: server.port must be an integer 1..65535, got 0');
    const alloc = await drive(clock, allocateTurn({ server: w.config('alice', 'secret-a'), network: w.a, clock }));
    expect(() => alloc.send(Buffer.alloc(70_000), { address: TURN_IP, port: 1, family: 'IPv4' })).to.throw(
      'TurnAllocation.send: data of 70000 bytes is too large (max 65495)',
    );
    expect(() => alloc.send(Buffer.from('x'), { address: 'example.com', port: 1, family: 'IPv4' })).to.throw(
      'TurnAllocation.send: peer address must be an IP literal, got "example.com"',
    );
  });
});

describe('TURN relaying between two hosts behind symmetric NATs (testkit)', () => {
  async function twoAllocations(clock: FakeClock, channelBinding = true) {
    const w = await relayWorld(clock);
    const a = (await drive(clock, allocateTurn({ server: w.config('alice', 'secret-a'), network: w.a, clock, channelBinding }))) as TurnClient;
    const b = (await drive(clock, allocateTurn({ server: w.config('bob', 'secret-b'), network: w.b, clock, channelBinding }))) as TurnClient;
    const gotA: Array<[string, TransportAddress]> = [];
    const gotB: Array<[string, TransportAddress]> = [];
    a.onData((d, from) => gotA.push([d.toString(), from]));
    b.onData((d, from) => gotB.push([d.toString(), from]));
    return { w, a, b, gotA, gotB };
  }

  it('exchanges data both ways with Send/Data indications, then over bound channels', async () => {
    const clock = new FakeClock();
    const { w, a, b, gotA, gotB } = await twoAllocations(clock);
    // Both sides send first (as ICE does), so each has a permission for the other's relay.
    a.send(Buffer.from('a1'), b.relayedAddress);
    b.send(Buffer.from('b1'), a.relayedAddress);
    await clock.advanceAsync(200, 5);
    a.send(Buffer.from('a2'), b.relayedAddress);
    b.send(Buffer.from('b2'), a.relayedAddress);
    await clock.advanceAsync(200, 5);
    // the very first packets may arrive before the far side's permission: count what did arrive
    const firstA = gotA.map(([d]) => d);
    const firstB = gotB.map(([d]) => d);
    expect(firstA).to.include('b2');
    expect(firstB).to.include('a2');
    expect(a.counters.get('sent-send-indication')).to.equal(1);
    expect(a.counters.get('sent-channel-data')).to.equal(1);
    expect(gotA.every(([, from]) => from.address === b.relayedAddress.address && from.port === b.relayedAddress.port)).to.equal(true);
    for (let i = 0; i < 10; i++) {
      a.send(Buffer.from(`A${i}`), b.relayedAddress);
      b.send(Buffer.from(`B${i}`), a.relayedAddress);
    }
    await clock.advanceAsync(200, 5);
    expect(gotB.map(([d]) => d).slice(-10)).to.deep.equal([...Array(10).keys()].map((i) => `A${i}`));
    expect(gotA.map(([d]) => d).slice(-10)).to.deep.equal([...Array(10).keys()].map((i) => `B${i}`));
    expect(a.counters.get('sent-channel-data')).to.equal(11);
    expect(b.counters.get('received-channel-data')).to.be.at.least(10);
    expect(w.server.allocations().map((x) => x.channels)).to.deep.equal([[0x4000], [0x4000]]);
    expect(w.net.counters.get('handler-error')).to.equal(0);
  });

  it('accepts ChannelData on a channel whose ChannelBind response was lost (RFC 8656 §12.2)', async () => {
    const clock = new FakeClock();
    const { w, a, b, gotA } = await twoAllocations(clock);
    // Every ChannelBind success response (type 0x0109) to host a is lost; the server has bound the channel anyway.
    w.net.setTap((p) => (p.stage === 'deliver' && p.host === 'a' && p.data.length >= 20 && p.data.readUInt16BE(0) === 0x0109 ? 'drop' : undefined));
    a.send(Buffer.from('a1'), b.relayedAddress);
    b.send(Buffer.from('b1'), a.relayedAddress);
    await clock.advanceAsync(200, 5);
    for (let i = 0; i < 5; i++) b.send(Buffer.from(`B${i}`), a.relayedAddress);
    await clock.advanceAsync(200, 5);
    expect(gotA.map(([d]) => d)).to.include.members(['B0', 'B1', 'B2', 'B3', 'B4']);
    expect(a.counters.get('received-channel-data')).to.be.at.least(5);
    expect(a.counters.get('unknown-channel')).to.equal(0);
    expect(a.channelFor(b.relayedAddress)).to.equal(undefined); // a itself still sends by indication
  });

  it('queues until the permission exists, then refreshes the permission every 4 minutes', async () => {
    const clock = new FakeClock();
    const { w, a, b, gotB } = await twoAllocations(clock, false);
    b.send(Buffer.from('open'), a.relayedAddress);
    a.send(Buffer.from('q1'), b.relayedAddress);
    a.send(Buffer.from('q2'), b.relayedAddress);
    expect(a.counters.get('sent-send-indication')).to.equal(0); // queued
    await clock.advanceAsync(200, 5);
    expect(a.counters.get('sent-send-indication')).to.equal(2);
    expect(gotB.map(([d]) => d)).to.deep.equal(['q1', 'q2']);
    // 1000 s later (no traffic): permission refreshed at 240, 480, 720, 960 s
    await clock.advanceAsync(1_000_000, 1000);
    expect(a.counters.get('permission-requests')).to.equal(5);
    a.send(Buffer.from('late'), b.relayedAddress);
    await clock.advanceAsync(200, 5);
    expect(gotB.map(([d]) => d)).to.deep.equal(['q1', 'q2', 'late']);
    expect(a.counters.get('sent-channel-data')).to.equal(0);
  });

  it('refreshes channel bindings before they expire and keeps using ChannelData', async () => {
    const clock = new FakeClock();
    const { a, b, gotB } = await twoAllocations(clock);
    b.send(Buffer.from('open'), a.relayedAddress);
    a.send(Buffer.from('x'), b.relayedAddress);
    await clock.advanceAsync(300, 5);
    expect(a.counters.get('channel-binds')).to.equal(1);
    await clock.advanceAsync(700_000, 1000); // > 600 s channel lifetime
    expect(a.counters.get('channel-binds')).to.equal(3); // at ~0, 300, 600 s
    a.send(Buffer.from('still-channel'), b.relayedAddress);
    await clock.advanceAsync(200, 5);
    expect(gotB.map(([d]) => d).at(-1)).to.equal('still-channel');
    expect(a.counters.get('sent-channel-data')).to.equal(1);
  });

  it('drops hostile but well-formed server messages and counts each by reason', async () => {
    const clock = new FakeClock();
    const { w, a, b, gotA } = await twoAllocations(clock);
    b.send(Buffer.from('open'), a.relayedAddress);
    a.send(Buffer.from('open'), b.relayedAddress);
    await clock.advanceAsync(300, 5);
    const dataNoPayload = new StunMessage(StunMethod.Data, StunClass.Indication);
    attr.setXorAddress(dataNoPayload, StunAttr.XorPeerAddress, b.relayedAddress);
    const strayResponse = new StunMessage(StunMethod.Refresh, StunClass.SuccessResponse);
    const crafted: Buffer[] = [
      encodeChannelData(0x4abc, Buffer.from('unbound'), false),
      encodeStun(dataNoPayload),
      encodeStun(new StunMessage(StunMethod.Binding, StunClass.Request)),
      encodeStun(strayResponse),
      Buffer.from([0x80, 1, 2, 3, 4, 5, 6, 7]),
      Buffer.from('4000ffff00', 'hex'), // ChannelData whose length runs past the datagram
    ];
    const queue = [...crafted];
    w.net.setTap((p) => (p.stage === 'deliver' && p.host === 'a' && p.src.port === 3478 ? queue.shift() : undefined));
    const before = { ...a.counters.toJSON() };
    for (let i = 0; i < crafted.length; i++) b.send(Buffer.from(`x${i}`), a.relayedAddress);
    await clock.advanceAsync(100, 5);
    w.net.setTap(undefined);
    const delta = (k: string) => (a.counters.toJSON()[k] ?? 0) - (before[k] ?? 0);
    expect(queue).to.have.length(0);
    expect([delta('unknown-channel'), delta('malformed'), delta('unexpected-stun'), delta('unknown-transaction')]).to.deep.equal([1, 3, 1, 1]);
    expect(gotA.map(([d]) => d)).to.not.include('unbound');
    // a datagram from anyone but the server is dropped before parsing (a public client, so no NAT filters it first)
    const pub = w.net.addHost('pub', { addresses: ['203.0.113.50'] });
    const c = (await drive(clock, allocateTurn({ server: w.config('alice', 'secret-a'), network: pub, clock }))) as TurnClient;
    const evil = w.net.addHost('evil', { addresses: ['203.0.113.66'] });
    const es = await evil.bindUdp({ address: '203.0.113.66' });
    es.send(encodeChannelData(0x4000, Buffer.from('spoof'), false), c.localAddress.port, '203.0.113.50');
    await clock.advanceAsync(50, 5);
    expect(c.counters.get('not-from-server')).to.equal(1);
    expect(c.counters.get('malformed')).to.equal(0);
  });

  it('fuzz: mutated and random packets from the server never throw out of the client', async () => {
    const clock = new FakeClock();
    const { w, a, b } = await twoAllocations(clock);
    b.send(Buffer.from('open'), a.relayedAddress);
    a.send(Buffer.from('open'), b.relayedAddress);
    await clock.advanceAsync(300, 5);
    let seed = 99;
    const rnd = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 4294967296);
    let mutated = 0;
    w.net.setTap((p) => {
      if (p.stage !== 'deliver' || p.host !== 'a' || p.src.port !== 3478) return undefined;
      mutated++;
      const d = Buffer.from(p.data);
      const kind = Math.floor(rnd() * 5);
      if (kind === 0) return d.subarray(0, Math.floor(rnd() * d.length));
      if (kind === 1) {
        for (let i = 0; i < 3; i++) d[Math.floor(rnd() * d.length)] = Math.floor(rnd() * 256);
        return d;
      }
      if (kind === 2) {
        const r = Buffer.alloc(Math.floor(rnd() * 80));
        for (let i = 0; i < r.length; i++) r[i] = Math.floor(rnd() * 256);
        return r;
      }
      if (kind === 3 && d.length >= 4) {
        d.writeUInt16BE(Math.floor(rnd() * 0xffff), 2); // lie about the length
        return d;
      }
      return d;
    });
    for (let i = 0; i < 500; i++) {
      b.send(Buffer.from(`fuzz${i}`), a.relayedAddress);
      if (i % 50 === 0) await clock.advanceAsync(20, 5);
    }
    await clock.advanceAsync(200, 5);
    w.net.setTap(undefined);
    expect(mutated).to.be.at.least(500);
    expect(w.net.counters.get('handler-error')).to.equal(0);
    expect(a.state).to.equal('allocated');
    const drops = a.counters.get('malformed') + a.counters.get('unknown-channel') + a.counters.get('unexpected-stun');
    expect(drops).to.be.above(100);
    // still works afterwards
    const before = a.counters.get('received-channel-data');
    b.send(Buffer.from('after'), a.relayedAddress);
    await clock.advanceAsync(100, 5);
    expect(a.counters.get('received-channel-data')).to.equal(before + 1);
  });
});

export type { TurnAllocation };

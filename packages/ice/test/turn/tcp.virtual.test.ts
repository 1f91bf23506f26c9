import { expect } from 'chai';
import { FakeClock, type TransportAddress } from '@rivulet/common';
import { allocateTurn, TurnClient } from '../../src/turn/index.js';
import { drive, relayWorld, TURN_IP } from './helpers.js';

describe('TURN client over TCP (testkit virtual TCP, FakeClock)', () => {
  it('allocates over TCP from behind a NAT and relays both ways with a UDP allocation, ChannelData padded on the stream', async () => {
    const clock = new FakeClock();
    const w = await relayWorld(clock);
    const t = (await drive(clock, allocateTurn({ server: w.config('alice', 'secret-a', 'tcp'), network: w.a, clock }))) as TurnClient;
    const u = (await drive(clock, allocateTurn({ server: w.config('bob', 'secret-b'), network: w.b, clock }))) as TurnClient;
    expect(t.mappedAddress).to.deep.equal({ address: '198.51.100.1', port: 40000, family: 'IPv4' });
    expect(t.relayedAddress.address).to.equal(TURN_IP);
    expect(w.server.allocations().map((a) => a.client.address)).to.deep.equal(['198.51.100.1', '198.51.100.2']);
    const gotT: string[] = [];
    const gotU: string[] = [];
    t.onData((d) => gotT.push(d.toString()));
    u.onData((d) => gotU.push(d.toString()));
    t.send(Buffer.from('t-open'), u.relayedAddress);
    u.send(Buffer.from('u-open'), t.relayedAddress);
    await clock.advanceAsync(300, 5);
    expect(t.channelFor(u.relayedAddress)).to.equal(0x4000);
    for (const m of ['odd', 'four', 'fived']) {
      t.send(Buffer.from(m), u.relayedAddress);
      u.send(Buffer.from(m.toUpperCase()), t.relayedAddress);
    }
    await clock.advanceAsync(300, 5);
    expect(gotU.slice(-3)).to.deep.equal(['odd', 'four', 'fived']);
    expect(gotT.slice(-3)).to.deep.equal(['ODD', 'FOUR', 'FIVED']);
    expect(t.counters.get('sent-channel-data')).to.equal(3);
    expect(t.counters.get('received-channel-data')).to.be.at.least(3);
    // 'odd' and 'fived' need stream padding: without it the server's framer would break the stream
    expect(t.counters.get('malformed') + t.counters.get('stream-framing')).to.equal(0);
    expect(w.server.counters.get('dropped-malformed')).to.equal(0);
    await drive(clock, t.close());
    await clock.advanceAsync(100, 5);
    expect(w.server.counters.get('released')).to.equal(1);
    expect(w.server.allocationCount).to.equal(1);
  });

  it('fails the allocation with an error when the TCP connection breaks', async () => {
    const clock = new FakeClock();
    const w = await relayWorld(clock);
    const t = (await drive(clock, allocateTurn({ server: w.config('alice', 'secret-a', 'tcp'), network: w.a, clock }))) as TurnClient;
    const states: Array<[string, string | undefined]> = [];
    t.onStateChange((s, e) => states.push([s, e?.message]));
    w.turnHost.link.cut();
    t.send(Buffer.from('x'), { address: TURN_IP, port: 50000, family: 'IPv4' } satisfies TransportAddress); // CreatePermission write hits the cut
    await clock.advanceAsync(100, 5);
    expect(t.state).to.equal('failed');
    expect(states).to.have.length(1);
    expect(states[0]![1]).to.match(/^TURN connection to tcp 203\.0\.113\.1:3478 lost: virtual TCP connection .* reset: a link on its path is cut$/);
    expect(clock.pendingTimers).to.equal(0);
  });

  it('rejects with a clear error when nothing listens on TCP', async () => {
    const clock = new FakeClock();
    const w = await relayWorld(clock);
    const cfg = { ...w.config('alice', 'secret-a', 'tcp'), port: 3479 };
    const err = await drive(clock, allocateTurn({ server: cfg, network: w.a, clock })).catch((e: Error) => e);
    expect((err as Error).message).to.equal(
      'TURN: cannot reach server tcp 203.0.113.1:3479: connectTcp from host a to 203.0.113.1:3479: ECONNREFUSED (nothing listens there)',
    );
  });
});

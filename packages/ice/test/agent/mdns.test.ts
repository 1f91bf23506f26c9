import { expect } from 'chai';
import { EventEmitter } from 'node:events';
import { FakeClock } from '@rivulet/common';
import { MulticastDnsService, generateMdnsName } from '../../src/agent/index.js';

type Packet = { questions?: Array<{ name: string; type: string }>; answers?: Array<{ name: string; type: string; ttl?: number; data?: unknown }> };

/** A shared in-process "multicast group": every socket sees every query and response. */
class FakeGroup {
  readonly sockets: FakeSocket[] = [];
  readonly sent: Array<['query' | 'response', Packet]> = [];
  socket(): FakeSocket {
    const s = new FakeSocket(this);
    this.sockets.push(s);
    return s;
  }
}
class FakeSocket extends EventEmitter {
  destroyed = false;
  constructor(private readonly group: FakeGroup) {
    super();
  }
  query(q: Packet): void {
    this.group.sent.push(['query', q]);
    for (const s of this.group.sockets) if (!s.destroyed) setImmediate(() => s.emit('query', q));
  }
  respond(r: Packet): void {
    this.group.sent.push(['response', r]);
    for (const s of this.group.sockets) if (!s.destroyed) setImmediate(() => s.emit('response', r));
  }
  destroy(): void {
    this.destroyed = true;
  }
}

describe('MulticastDnsService (fake multicast group)', () => {
  it('answers A queries for registered names and resolves peers through the group', async () => {
    const group = new FakeGroup();
    const clock = new FakeClock();
    const alice = new MulticastDnsService(clock, 3000, () => group.socket() as never);
    const bob = new MulticastDnsService(clock, 3000, () => group.socket() as never);
    const name = generateMdnsName();
    alice.register(name, '192.168.1.20');
    const v6 = generateMdnsName();
    alice.register(v6, 'fd00::20');
    await new Promise((r) => setImmediate(r));
    expect(await bob.resolve(name.toUpperCase())).to.equal('192.168.1.20');
    expect(await bob.resolve(v6)).to.equal('fd00::20');
    const answers = group.sent.filter(([k]) => k === 'response').map(([, p]) => p.answers![0]!);
    expect(answers.map((a) => [a.type, a.data])).to.deep.equal([
      ['A', '192.168.1.20'],
      ['AAAA', 'fd00::20'],
    ]);
    alice.close();
    bob.close();
  });

  it('resolves undefined after the timeout when nobody answers, and after unregister', async () => {
    const group = new FakeGroup();
    const clock = new FakeClock();
    const alice = new MulticastDnsService(clock, 3000, () => group.socket() as never);
    const bob = new MulticastDnsService(clock, 3000, () => group.socket() as never);
    const name = generateMdnsName();
    alice.register(name, '192.168.1.20');
    alice.unregister(name);
    let result: string | undefined | null = null;
    void bob.resolve(name).then((a) => (result = a));
    await clock.advanceAsync(2999);
    expect(result).to.equal(null);
    await clock.advanceAsync(2);
    expect(result).to.equal(undefined);
    alice.close();
    bob.close();
  });
});

import { expect } from 'chai';
import { FakeClock, type StreamSocket } from '@rivulet/common';
import { VirtualNetwork } from '../src/index.js';

async function world() {
  const clock = new FakeClock();
  const net = new VirtualNetwork({ clock, seed: 1 });
  const server = net.addHost('server', { addresses: ['203.0.113.5'], link: { delayMs: 10 } });
  const client = net.addHost('client', { addresses: ['198.51.100.9'], link: { delayMs: 5 } });
  const nat = net.addNat('nat', { publicAddress: '198.51.100.77', mapping: 'endpoint-independent', filtering: 'address-dependent' });
  const inside = net.addHost('inside', { addresses: ['10.1.1.2'], behind: nat, link: { delayMs: 1 } });
  const accepted: StreamSocket[] = [];
  const received: string[] = [];
  server.listenTcp({ port: 443 }, (s) => {
    accepted.push(s);
    s.onData((d) => received.push(`${clock.now()}:${d.toString()}`));
  });
  return { clock, net, server, client, inside, nat, accepted, received };
}

describe('testkit virtual TCP', () => {
  it('connects after one RTT and carries data in order with the path delay', async () => {
    const w = await world();
    let connectedAt = -1;
    const p = w.client.connectTcp({ address: '203.0.113.5', port: 443 }).then((s) => ((connectedAt = w.clock.now()), s));
    await w.clock.runUntil(() => connectedAt >= 0, { maxMs: 1000, stepMs: 1 });
    const c = await p;
    expect(connectedAt).to.equal(30); // 5 + 10 there, 10 + 5 back
    expect(w.accepted).to.have.length(1);
    expect(w.accepted[0]!.remoteAddress).to.deep.equal({ address: '198.51.100.9', port: 57344, family: 'IPv4' });
    expect(c.localAddress).to.deep.equal({ address: '198.51.100.9', port: 57344, family: 'IPv4' });
    c.write(Buffer.from('a'));
    c.write(Buffer.from('b'));
    w.client.link.update({ delayMs: 0 }); // a faster path later must not let 'c' overtake
    c.write(Buffer.from('c'));
    await w.clock.advanceAsync(20, 1);
    expect(w.received).to.deep.equal(['45:a', '45:b', '45:c']);
    const back: string[] = [];
    c.onData((d) => back.push(d.toString()));
    w.accepted[0]!.write(Buffer.from('pong'));
    await w.clock.advanceAsync(20, 1);
    expect(back).to.deep.equal(['pong']);
  });

  it('a client behind a NAT is seen as the NAT public address', async () => {
    const w = await world();
    const p = w.inside.connectTcp({ address: '203.0.113.5', port: 443 });
    await w.clock.advanceAsync(50, 1);
    await p;
    expect(w.accepted[0]!.remoteAddress).to.deep.equal({ address: '198.51.100.77', port: 40000, family: 'IPv4' });
  });

  it('refuses: nothing listening, no route to a private address, a cut link', async () => {
    const w = await world();
    const errs: string[] = [];
    const catchMsg = (p: Promise<unknown>) => p.catch((e: Error) => errs.push(e.message));
    void catchMsg(w.client.connectTcp({ address: '203.0.113.5', port: 80 }));
    void catchMsg(w.client.connectTcp({ address: '10.1.1.2', port: 443 }));
    await w.clock.advanceAsync(50, 1);
    w.server.link.cut();
    void catchMsg(w.client.connectTcp({ address: '203.0.113.5', port: 443 }));
    await w.clock.advanceAsync(50, 1);
    expect(errs).to.deep.equal([
      'connectTcp from host client to 10.1.1.2:443: no route to host (a private address behind another NAT, or an unknown address)',
      'connectTcp from host client to 203.0.113.5:80: ECONNREFUSED (nothing listens there)',
      'connectTcp from host client to 203.0.113.5:443: ETIMEDOUT (a link on the path is cut)',
    ]);
    expect(w.net.counters.get('tcp-refused')).to.equal(3);
  });

  it('close() delivers queued data, then the FIN; a cut link resets both ends', async () => {
    const w = await world();
    const p = w.client.connectTcp({ address: '203.0.113.5', port: 443 });
    await w.clock.advanceAsync(40, 1);
    const c = await p;
    const closes: string[] = [];
    w.accepted[0]!.onClose((e) => closes.push(`server:${e?.message ?? 'fin'}@${w.clock.now()}`));
    c.onClose((e) => closes.push(`client:${e?.message ?? 'fin'}@${w.clock.now()}`));
    c.write(Buffer.from('last words'));
    c.close();
    expect(c.closed).to.equal(true);
    await w.clock.advanceAsync(30, 1);
    expect(w.received.map((r) => r.split(':')[1])).to.deep.equal(['last words']);
    expect(closes).to.deep.equal(['client:fin@40', 'server:fin@55']);
    // second connection: cut, then write → reset on both ends
    const p2 = w.client.connectTcp({ address: '203.0.113.5', port: 443 });
    await w.clock.advanceAsync(40, 1);
    const c2 = await p2;
    const resets: string[] = [];
    c2.onClose((e) => resets.push(`client:${e?.message}`));
    w.accepted[1]!.onClose((e) => resets.push(`server:${e?.message}`));
    w.client.link.cut('up');
    c2.write(Buffer.from('lost'));
    await w.clock.advanceAsync(1, 1);
    expect(resets).to.have.length(2);
    expect(resets[0]).to.match(/^client:virtual TCP connection 198\.51\.100\.9:57345 ↔ 203\.0\.113\.5:443 reset: a link on its path is cut$/);
    expect(w.accepted[1]!.closed).to.equal(true);
    expect(w.net.counters.get('tcp-reset')).to.equal(1);
  });

  it('keeps bytes that arrive before onData is set', async () => {
    const w = await world();
    let serverSide: StreamSocket | undefined;
    w.client.listenTcp({ port: 7000 }, (s) => (serverSide = s));
    const p = w.server.connectTcp({ address: '198.51.100.9', port: 7000 });
    await w.clock.advanceAsync(40, 1);
    const c = await p;
    c.write(Buffer.from('early'));
    await w.clock.advanceAsync(40, 1);
    const got: string[] = [];
    serverSide!.onData((d) => got.push(d.toString()));
    expect(got).to.deep.equal(['early']);
  });

  it('listenTcp rejects misuse', async () => {
    const w = await world();
    expect(() => w.server.listenTcp({ port: 443 }, () => {})).to.throw('listenTcp on host server: 0.0.0.0:443 is already listening');
    expect(() => w.server.listenTcp({ address: '203.0.113.6', port: 1 }, () => {})).to.throw(/203\.0\.113\.6 is not an address of this host/);
    expect(() => w.server.listenTcp({ port: 0 }, () => {})).to.throw('port must be an integer 1..65535, got 0');
  });
});

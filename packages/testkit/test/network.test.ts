import { expect } from 'chai';
import { FakeClock, RealClock, setErrorReporter } from '@rivulet/common';
import { VirtualNetwork } from '../src/index.js';
import { collect } from './helpers.js';

describe('testkit VirtualNetwork basics', () => {
  function twoHosts() {
    const clock = new FakeClock();
    const net = new VirtualNetwork({ clock, seed: 7 });
    const a = net.addHost('a', { addresses: ['192.0.2.1', '2001:db8::1'] });
    const b = net.addHost('b', { addresses: ['192.0.2.2', '2001:db8::2'] });
    return { clock, net, a, b };
  }

  it('exposes the Network interface: interfaces() lists the host addresses', () => {
    const { a } = twoHosts();
    expect(a.interfaces()).to.deep.equal([
      { name: 'veth0', address: '192.0.2.1', family: 'IPv4', internal: false },
      { name: 'veth1', address: '2001:db8::1', family: 'IPv6', internal: false },
    ]);
  });

  it('delivers from a clock timer, never inside send(), with the sender address', async () => {
    const { clock, a, b } = twoHosts();
    const sa = await a.bindUdp({ address: '192.0.2.1', port: 5000 });
    const sb = await b.bindUdp({ address: '192.0.2.2', port: 6000 });
    const got = collect(sb, clock);
    sa.send(Buffer.from('hi'), 6000, '192.0.2.2');
    expect(got).to.have.length(0);
    clock.advance(0);
    expect(got).to.have.length(1);
    expect(got[0]!.data.toString()).to.equal('hi');
    expect(got[0]!.from).to.deep.equal({ address: '192.0.2.1', port: 5000, family: 'IPv4' });
  });

  it('copies the payload at send time, so the sender may reuse its buffer', async () => {
    const { clock, a, b } = twoHosts();
    const sa = await a.bindUdp({ address: '192.0.2.1' });
    const sb = await b.bindUdp({ address: '192.0.2.2', port: 6000 });
    const got = collect(sb, clock);
    const buf = Buffer.from('abcd');
    sa.send(buf, 6000, '192.0.2.2');
    buf.fill(0);
    clock.advance(0);
    expect(got[0]!.data.toString()).to.equal('abcd');
  });

  it('works over IPv6, canonicalising the address text', async () => {
    const { clock, a, b } = twoHosts();
    const sa = await a.bindUdp({ address: '2001:DB8:0::1', port: 5000 });
    expect(sa.localAddress).to.deep.equal({ address: '2001:db8::1', port: 5000, family: 'IPv6' });
    const sb = await b.bindUdp({ address: '::', port: 6000 });
    const got = collect(sb, clock);
    sa.send(Buffer.from('v6'), 6000, '2001:db8:0:0::2');
    clock.advance(0);
    expect(got.map((g) => g.from)).to.deep.equal([{ address: '2001:db8::1', port: 5000, family: 'IPv6' }]);
  });

  it('wildcard sockets send from the host address of the destination family', async () => {
    const { clock, a, b } = twoHosts();
    const sa = await a.bindUdp({ address: '0.0.0.0' });
    expect(sa.localAddress.port).to.equal(49152);
    const sb = await b.bindUdp({ address: '192.0.2.2', port: 6000 });
    const got = collect(sb, clock);
    sa.send(Buffer.from('x'), 6000, '192.0.2.2');
    clock.advance(0);
    expect(got[0]!.from).to.deep.equal({ address: '192.0.2.1', port: 49152, family: 'IPv4' });
  });

  it('counts sent, delivered and drops per reason', async () => {
    const { clock, net, a } = twoHosts();
    const sa = await a.bindUdp({ address: '192.0.2.1' });
    sa.send(Buffer.from('x'), 9, '192.0.2.2'); // no socket on b:9
    sa.send(Buffer.from('x'), 9, '203.0.113.99'); // nobody owns it
    sa.send(Buffer.from('x'), 9, 'not-an-ip');
    sa.send(Buffer.from('x'), 9, '2001:db8::2'); // v4 socket, v6 destination
    clock.advance(0);
    expect(net.counters.toJSON()).to.deep.equal({
      sent: 4,
      dropped: 4,
      'dropped:no-socket': 1,
      'dropped:no-route': 1,
      'dropped:bad-address': 2,
    });
    expect(a.counters.get('sent')).to.equal(4);
  });

  it('rejects misuse with errors naming the value', async () => {
    const { net, a } = twoHosts();
    await a.bindUdp({ address: '192.0.2.1', port: 5000 });
    let err = await a.bindUdp({ address: '192.0.2.1', port: 5000 }).catch((e: Error) => e);
    expect((err as Error).message).to.equal('bindUdp on host a: 192.0.2.1:5000 is already in use');
    err = await a.bindUdp({ address: '192.0.2.9' }).catch((e: Error) => e);
    expect((err as Error).message).to.contain('192.0.2.9 is not an address of this host');
    expect(() => net.addHost('c', { addresses: ['8.8.8.8'] })).to.throw(/8\.8\.8\.8 is outside the ranges/);
    expect(() => net.addHost('a', { addresses: ['192.0.2.50'] })).to.throw('the name a is already taken');
    expect(() => net.addHost('d', { addresses: ['192.0.2.1'] })).to.throw('address 192.0.2.1 is already used by a');
    const s = await a.bindUdp({ address: '192.0.2.1' });
    expect(() => s.send(Buffer.from('x'), 70000, '192.0.2.2')).to.throw('port must be an integer 1..65535, got 70000');
    expect(() => a.link.set({ loss: 2 })).to.throw('loss must be a probability in [0, 1], got 2');
  });

  it('closing a socket frees the port and later packets are dropped as no-socket', async () => {
    const { clock, net, a, b } = twoHosts();
    const sa = await a.bindUdp({ address: '192.0.2.1' });
    const sb = await b.bindUdp({ address: '192.0.2.2', port: 6000 });
    sa.send(Buffer.from('x'), 6000, '192.0.2.2');
    sb.close();
    expect(sb.closed).to.equal(true);
    clock.advance(0);
    expect(net.counters.get('dropped:no-socket')).to.equal(1);
    const again = await b.bindUdp({ address: '192.0.2.2', port: 6000 });
    expect(again.localAddress.port).to.equal(6000);
  });

  it('contains a throwing receive handler and counts it', async () => {
    const { clock, net, a, b } = twoHosts();
    const sa = await a.bindUdp({ address: '192.0.2.1' });
    const sb = await b.bindUdp({ address: '192.0.2.2', port: 6000 });
    const reported: unknown[] = [];
    setErrorReporter((e) => reported.push(e));
    try {
      sb.onMessage(() => {
        throw new Error('boom');
      });
      sa.send(Buffer.from('x'), 6000, '192.0.2.2');
      expect(() => clock.advance(0)).to.not.throw();
      expect(net.counters.get('handler-error')).to.equal(1);
      expect(reported).to.have.length(1);
    } finally {
      setErrorReporter((e, c) => console.error(`[rivulet] exception in ${c}:`, e));
    }
  });

  it('the tap can inspect, rewrite and drop packets at send and deliver', async () => {
    const { clock, net, a, b } = twoHosts();
    const sa = await a.bindUdp({ address: '192.0.2.1', port: 5000 });
    const sb = await b.bindUdp({ address: '192.0.2.2', port: 6000 });
    const got = collect(sb, clock);
    const seen: string[] = [];
    net.setTap((p) => {
      seen.push(`${p.stage}:${p.host}:${p.data.toString()}`);
      if (p.data.toString() === 'drop-me') return 'drop';
      if (p.stage === 'deliver') return Buffer.from(p.data.toString().toUpperCase());
      return undefined;
    });
    sa.send(Buffer.from('hello'), 6000, '192.0.2.2');
    sa.send(Buffer.from('drop-me'), 6000, '192.0.2.2');
    clock.advance(0);
    expect(seen).to.deep.equal(['send:a:hello', 'send:a:drop-me', 'deliver:b:hello']);
    expect(got.map((g) => g.data.toString())).to.deep.equal(['HELLO']);
    expect(net.counters.get('dropped:tap')).to.equal(1);
  });

  it('a host can send to itself, still asynchronously', async () => {
    const { clock, a } = twoHosts();
    const s1 = await a.bindUdp({ address: '192.0.2.1', port: 1000 });
    const s2 = await a.bindUdp({ address: '192.0.2.1', port: 1001 });
    const got = collect(s2, clock);
    s1.send(Buffer.from('me'), 1001, '192.0.2.1');
    expect(got).to.have.length(0);
    clock.advance(0);
    expect(got).to.have.length(1);
  });

  it('settle() runs a FakeClock until nothing is in flight, echoes included', async () => {
    const clock = new FakeClock();
    const net = new VirtualNetwork({ clock });
    const a = net.addHost('a', { addresses: ['192.0.2.1'], link: { delayMs: 7 } });
    const b = net.addHost('b', { addresses: ['192.0.2.2'], link: { delayMs: 3 } });
    const sa = await a.bindUdp({ address: '192.0.2.1', port: 1 });
    const sb = await b.bindUdp({ address: '192.0.2.2', port: 2 });
    sb.onMessage((d, from) => sb.send(d, from.port, from.address)); // echo
    const got = collect(sa, clock);
    sa.send(Buffer.from('ping'), 2, '192.0.2.2');
    expect(net.inFlight).to.equal(1);
    const elapsed = await net.settle();
    expect(got.map((g) => [g.data.toString(), g.at])).to.deep.equal([['ping', 20]]);
    expect(elapsed).to.equal(20);
    expect(net.inFlight).to.equal(0);
    const real = new VirtualNetwork({ clock: new RealClock() });
    let err: Error | undefined;
    await real.settle().catch((e: Error) => (err = e));
    expect(err?.message).to.contain('settle() needs a FakeClock');
  });

  it('runs with a RealClock too', async () => {
    const clock = new RealClock();
    const net = new VirtualNetwork({ clock });
    const a = net.addHost('a', { addresses: ['192.0.2.1'], link: { delayMs: 5 } });
    const b = net.addHost('b', { addresses: ['192.0.2.2'] });
    const sa = await a.bindUdp({ address: '192.0.2.1' });
    const sb = await b.bindUdp({ address: '192.0.2.2', port: 7 });
    const start = clock.now();
    const arrived = new Promise<number>((resolve) => sb.onMessage(() => resolve(clock.now() - start)));
    sa.send(Buffer.from('r'), 7, '192.0.2.2');
    const elapsed = await arrived;
    expect(elapsed).to.be.at.least(4);
    expect(net.inFlight).to.equal(0);
  });
});

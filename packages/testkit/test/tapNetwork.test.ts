import { expect } from 'chai';
import { FakeClock } from '@rivulet/common';
import { VirtualNetwork, tapNetwork } from '../src/index.js';

describe('testkit tapNetwork', () => {
  it('shows every sent and received datagram to the tap and loses exactly those it refuses', async () => {
    const clock = new FakeClock();
    const net = new VirtualNetwork({ clock, seed: 3 });
    const sentSeen: string[] = [];
    const receivedSeen: string[] = [];
    const a = tapNetwork(net.addHost('a', { addresses: ['192.0.2.1'] }), {
      send: (d, port, address) => { sentSeen.push(`${Buffer.from(d).toString()}>${address}:${port}`); return Buffer.from(d).toString() !== 'lose-out'; },
    });
    const b = tapNetwork(net.addHost('b', { addresses: ['192.0.2.2'] }), {
      receive: (d, from) => { receivedSeen.push(`${d.toString()}<${from.address}`); return d.toString() !== 'lose-in'; },
    });
    expect(a.interfaces().map((i) => i.address)).to.deep.equal(['192.0.2.1']);
    const sa = await a.bindUdp({ address: '192.0.2.1', port: 5000 });
    const sb = await b.bindUdp({ address: '192.0.2.2', port: 6000 });
    const delivered: string[] = [];
    sb.onMessage((d) => delivered.push(d.toString()));
    for (const m of ['one', 'lose-out', 'lose-in', 'two']) sa.send(Buffer.from(m), 6000, '192.0.2.2');
    await clock.advanceAsync(10, 1);
    expect(sentSeen).to.deep.equal(['one>192.0.2.2:6000', 'lose-out>192.0.2.2:6000', 'lose-in>192.0.2.2:6000', 'two>192.0.2.2:6000']);
    expect(receivedSeen).to.deep.equal(['one<192.0.2.1', 'lose-in<192.0.2.1', 'two<192.0.2.1']);
    expect(delivered).to.deep.equal(['one', 'two']);
    expect(sa.localAddress.port).to.equal(5000);
    sa.close();
    expect(sa.closed).to.equal(true);
    sb.close();
  });
});

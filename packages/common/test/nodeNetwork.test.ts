import { expect } from 'chai';
import { nodeNetwork, type TransportAddress } from '@rivulet/common';

describe('NodeNetwork (real UDP on 127.0.0.1)', () => {
  it('sends and receives a datagram and survives a throwing handler', async () => {
    const a = await nodeNetwork.bindUdp({ address: '127.0.0.1' });
    const b = await nodeNetwork.bindUdp({ address: '127.0.0.1' });
    try {
      let calls = 0;
      const got = new Promise<[Buffer, TransportAddress]>((resolve) => {
        b.onMessage((d, from) => {
          calls++;
          if (calls === 1) throw new Error('handler bug');
          resolve([d, from]);
        });
      });
      a.send(Buffer.from('one'), b.localAddress.port, '127.0.0.1');
      a.send(Buffer.from('two'), b.localAddress.port, '127.0.0.1');
      const [d, from] = await got;
      expect(d.toString()).to.equal('two');
      expect(from.port).to.equal(a.localAddress.port);
      expect(from.family).to.equal('IPv4');
    } finally {
      a.close();
      b.close();
    }
  });

  it('lists a loopback interface', () => {
    expect(nodeNetwork.interfaces().some((i) => i.address === '127.0.0.1' && i.internal)).to.equal(true);
  });
});

import { expect } from 'chai';
import { RealClock, nodeNetwork } from '@rivulet/common';
import { IceAgent } from '../../src/agent/index.js';
import { isUp, signal, waitUntil } from './helpers.js';

describe('IceAgent on 127.0.0.1 (nodeNetwork, real clock)', () => {
  it('connects two agents, selects the same host pair on both sides and carries data both ways', async () => {
    const clock = new RealClock();
    const only = (a: { address: string }) => a.address === '127.0.0.1';
    const a = new IceAgent({ controlling: true, clock, network: nodeNetwork, interfaceFilter: only });
    const b = new IceAgent({ controlling: false, clock, network: nodeNetwork, interfaceFilter: only });
    try {
      signal(a, b);
      a.start();
      b.start();
      await Promise.all([a.gather(), b.gather()]);
      await waitUntil(() => isUp(a.state) && isUp(b.state), 5000, 'both connected');
      const pa = a.selectedPair!;
      const pb = b.selectedPair!;
      expect(pa.local.candidate.type).to.equal('host');
      expect(pa.remote.port).to.equal(pb.local.base.address.port);
      expect(pb.remote.port).to.equal(pa.local.base.address.port);
      expect(a.state).to.equal('completed');
      const got: string[] = [];
      b.on('data', (d) => got.push(d.toString()));
      a.on('data', (d) => got.push(d.toString()));
      a.send(Buffer.from('hello from a'));
      b.send(Buffer.from('hello from b'));
      await waitUntil(() => got.length === 2, 2000, 'data both ways');
      expect(got.sort()).to.deep.equal(['hello from a', 'hello from b']);
    } finally {
      a.close();
      b.close();
    }
    expect(a.state).to.equal('closed');
  });
});

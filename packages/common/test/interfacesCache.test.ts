import { expect } from 'chai';
import os from 'node:os';
import { nodeNetwork } from '../src/index.js';
import { INTERFACES_CACHE_MS } from '../src/net/nodeNetwork.js';

/** nodeNetwork.interfaces() reuses one os.networkInterfaces() answer for INTERFACES_CACHE_MS (set-up latency). */
describe('nodeNetwork.interfaces() cache', function () {
  this.timeout(5_000);

  it('asks the OS at most once per second, returns copies, and asks again after the cache time', async () => {
    const real = os.networkInterfaces;
    let calls = 0;
    const fake: typeof os.networkInterfaces = () => {
      calls++;
      return { lo: [{ address: '127.0.0.1', netmask: '255.0.0.0', family: 'IPv4', mac: '00:00:00:00:00:00', internal: true, cidr: '127.0.0.1/8' }] };
    };
    os.networkInterfaces = fake;
    try {
      await new Promise((r) => setTimeout(r, INTERFACES_CACHE_MS + 20)); // whatever an earlier test cached has expired
      const first = nodeNetwork.interfaces();
      expect(calls).to.equal(1);
      expect(first).to.deep.equal([{ name: 'lo', address: '127.0.0.1', family: 'IPv4', internal: true }]);
      (first[0] as { address: string }).address = 'changed by the caller';
      const second = nodeNetwork.interfaces();
      expect(calls).to.equal(1);
      expect(second[0]!.address).to.equal('127.0.0.1');
      await new Promise((r) => setTimeout(r, INTERFACES_CACHE_MS + 20));
      nodeNetwork.interfaces();
      expect(calls).to.equal(2);
    } finally {
      os.networkInterfaces = real;
    }
  });
});

import { expect } from 'chai';
import { CipherSuite, type DtlsCertificate } from '../src/index.js';
import { makePair, runUntil, testCertificates } from './helpers/pair.js';

/**
 * setApplicationDataLimit(): SCTP's PLPMTUD (RFC 8261 §5, RFC 8899) sizes its packets itself and
 * may send records above `mtu`, up to the 2^14 plaintext limit (RFC 6347 §4.1).
 */
describe('dtls application data limit above the mtu (for SCTP PLPMTUD)', function () {
  this.timeout(10_000);
  let ec: DtlsCertificate[];
  before(async () => {
    ({ ec } = await testCertificates());
  });

  it('sends a 16384-byte record in one datagram once raised, not counted as over the mtu; refuses above the limit', () => {
    const p = makePair({ client: ec[0]!, server: ec[1]! }, {}, { cipherSuites: [CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256] });
    p.client.start();
    p.server.start();
    runUntil(p.clock, () => p.client.state === 'connected' && p.server.state === 'connected', 5_000);
    expect(p.client.recordOverhead).to.equal(13 + 8 + 16);
    // Before: the mtu (1200) is the limit.
    expect(() => p.client.send(Buffer.alloc(1201))).to.throw(/exceed the mtu of 1200/);
    p.client.setApplicationDataLimit(16384);
    const got: number[] = [];
    p.server.on('data', (d) => got.push(d.length));
    const before = p.pipe.log.length;
    p.client.send(Buffer.alloc(16384, 7));
    expect(p.pipe.log.slice(before).map((e) => e.data.length)).to.deep.equal([16384 + 37]);
    expect(p.client.counters.get('datagramOverMtu')).to.equal(0);
    runUntil(p.clock, () => got.length === 1, 1_000);
    expect(got).to.deep.equal([16384]);
    p.client.setApplicationDataLimit(9000);
    expect(() => p.client.send(Buffer.alloc(9001))).to.throw('DtlsEndpoint.send: 9001 bytes exceed the application data limit of 9000');
    expect(() => p.client.setApplicationDataLimit(16385)).to.throw('DtlsEndpoint.setApplicationDataLimit: 16385 is outside [1200, 16384]');
    expect(() => p.client.setApplicationDataLimit(1000)).to.throw(/1000 is outside/);
  });
});

import { expect } from 'chai';
import { CipherSuite, type DtlsCertificate } from '../src/index.js';
import { makePair, runUntil, testCertificates } from './helpers/pair.js';

describe('dtls send() size policy: one record per datagram, refused above the mtu (RFC 6347 §4.1.1.1)', function () {
  this.timeout(10_000);
  let ec: DtlsCertificate[];
  before(async () => {
    ({ ec } = await testCertificates());
  });

  function connected(suite: number, mtu?: number): ReturnType<typeof makePair> {
    const p = makePair({ client: ec[0]!, server: ec[1]! }, {}, { cipherSuites: [suite], ...(mtu ? { mtu } : {}) });
    p.client.start();
    p.server.start();
    runUntil(p.clock, () => p.client.state === 'connected' && p.server.state === 'connected', 5_000);
    expect(p.client.state).to.equal('connected');
    return p;
  }

  it('AES-128-GCM at the default mtu 1200: maxSendSize 1163 fills a 1200-byte datagram exactly', () => {
    const p = connected(CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);
    expect(p.client.maxSendSize).to.equal(1200 - 13 - 8 - 16);
    const got: number[] = [];
    p.server.on('data', (d) => got.push(d.length));
    const before = p.pipe.log.length;
    p.client.send(Buffer.alloc(1163, 1));
    expect(p.pipe.log.slice(before).map((e) => e.data.length)).to.deep.equal([1200]);
    expect(p.client.counters.get('datagramOverMtu')).to.equal(0);
    // Up to mtu is still sent whole (a 1200-byte SCTP packet), and counted.
    p.client.send(Buffer.alloc(1200, 2));
    expect(p.pipe.log.slice(before + 1).map((e) => e.data.length)).to.deep.equal([1237]);
    expect(p.client.counters.get('datagramOverMtu')).to.equal(1);
    runUntil(p.clock, () => got.length === 2, 1_000);
    expect(got).to.deep.equal([1163, 1200]);
  });

  it('refuses data longer than the mtu with an error naming both sizes; nothing is sent', () => {
    const p = connected(CipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, 500);
    expect(p.client.maxSendSize).to.equal(500 - 13 - 16);
    const before = p.pipe.log.length;
    expect(() => p.client.send(Buffer.alloc(501))).to.throw(
      'DtlsEndpoint.send: 501 bytes exceed the mtu of 500 (one record per datagram; at most 471 bytes fit without exceeding it)',
    );
    expect(() => p.client.send(Buffer.alloc(16385))).to.throw('16385 bytes exceed the record limit of 16384');
    expect(p.pipe.log.length).to.equal(before);
    expect(p.client.state).to.equal('connected');
  });
});

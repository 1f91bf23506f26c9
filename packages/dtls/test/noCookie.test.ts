import { expect } from 'chai';
import type { DtlsCertificate } from '../src/index.js';
import { DtlsEndpoint } from '../src/index.js';
import { makePair, runUntil, testCertificates } from './helpers/pair.js';

/** The handshake message types in the epoch-0 handshake records of one datagram (RFC 6347 §4.1, §4.2.2). */
function handshakeTypes(d: Buffer): number[] {
  const out: number[] = [];
  for (let off = 0; off + 13 <= d.length;) {
    const len = d.readUInt16BE(off + 11);
    const epoch = d.readUInt16BE(off + 3);
    if (d[off] === 22 && epoch === 0 && len >= 12) out.push(d[off + 13]!);
    off += 13 + len;
  }
  return out;
}

describe('dtls server without cookie exchange (cookieExchange: false, RFC 6347 §4.2.1)', function () {
  this.timeout(20_000);
  let ec: DtlsCertificate[];
  before(async () => {
    ({ ec } = await testCertificates());
  });

  it('answers the first ClientHello with the ServerHello flight: no HelloVerifyRequest, one round trip fewer', () => {
    for (const cookieExchange of [true, false]) {
      const p = makePair({ client: ec[0]!, server: ec[1]! }, { delayMs: 10 }, {}, { cookieExchange });
      p.client.start();
      p.server.start();
      const elapsed = runUntil(p.clock, () => p.client.state === 'connected' && p.server.state === 'connected', 5_000, 1);
      expect(p.errors.client.map((e) => e.message)).to.deep.equal([]);
      expect(p.errors.server.map((e) => e.message)).to.deep.equal([]);
      const fromServer = p.pipe.log.filter((l) => l.from === 'b').flatMap((l) => handshakeTypes(l.data));
      const fromClient = p.pipe.log.filter((l) => l.from === 'a').flatMap((l) => handshakeTypes(l.data));
      if (cookieExchange) {
        expect(fromServer[0]).to.equal(3); // hello_verify_request
        expect(fromClient.filter((t) => t === 1)).to.have.length(2); // two ClientHellos
        expect(elapsed).to.equal(60); // 3 round trips of 2 × 10 ms
      } else {
        expect(fromServer).to.not.include(3);
        expect(fromServer[0]).to.equal(2); // server_hello
        expect(fromClient.filter((t) => t === 1)).to.have.length(1);
        expect(elapsed).to.equal(40);
      }
      expect(p.client.exportKeyingMaterial('EXTRACTOR-dtls_srtp', 32).equals(p.server.exportKeyingMaterial('EXTRACTOR-dtls_srtp', 32))).to.equal(true);
    }
  });

  for (const seed of [1, 2, 3]) {
    it(`completes under 30 % loss, reordering and duplication (seed ${seed})`, () => {
      const lossy = { mtu: 400, initialRetransmitMs: 100, handshakeTimeoutMs: 60_000 };
      const p = makePair({ client: ec[0]!, server: ec[1]! }, { loss: 0.3, delayMs: 10, jitterMs: 40, duplicate: 0.1, seed }, lossy, { ...lossy, cookieExchange: false });
      p.client.start();
      p.server.start();
      runUntil(p.clock, () => p.client.state === 'connected' && p.server.state === 'connected', 60_000);
      expect(p.errors.client.map((e) => e.message)).to.deep.equal([]);
      expect(p.errors.server.map((e) => e.message)).to.deep.equal([]);
      expect(p.client.state).to.equal('connected');
      expect(p.server.state).to.equal('connected');
      expect(p.pipe.dropped).to.be.greaterThan(0);
      expect(p.client.exportKeyingMaterial('x', 32).equals(p.server.exportKeyingMaterial('x', 32))).to.equal(true);
    });
  }

  it('rejects a non-boolean cookieExchange naming the value', () => {
    expect(() => new DtlsEndpoint({ role: 'server', certificate: ec[0]!, send: () => {}, cookieExchange: 'no' as unknown as boolean }))
      .to.throw('DtlsEndpoint: cookieExchange must be a boolean, got no');
  });
});

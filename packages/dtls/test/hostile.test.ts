import { expect } from 'chai';
import { AlertDescription, type DtlsCertificate } from '../src/index.js';
import { parseRecords } from '../src/record/record.js';
import { makePair, runUntil, testCertificates, type Pair } from './helpers/pair.js';
import { seededRandom } from './helpers/pipe.js';

/** Alerts (level, description) found in plaintext alert records a side sent. */
function plaintextAlerts(p: Pair, side: 'a' | 'b'): [number, number][] {
  const out: [number, number][] = [];
  for (const e of p.pipe.log.filter((x) => x.from === side)) {
    for (const r of parseRecords(e.data).records) if (r.type === 21 && r.epoch === 0) out.push([r.fragment[0]!, r.fragment[1]!]);
  }
  return out;
}

function connect(p: Pair): void {
  p.client.start();
  p.server.start();
  runUntil(p.clock, () => p.client.state !== 'connecting' && p.server.state !== 'connecting', 10_000);
}

describe('dtls hostile input', function () {
  this.timeout(30_000);
  let ec: DtlsCertificate[];
  before(async () => {
    ({ ec } = await testCertificates());
  });

  it('random datagrams never throw, are counted, and do not disturb a connected pair', () => {
    const p = makePair({ client: ec[0]!, server: ec[1]! });
    connect(p);
    expect(p.server.state).to.equal('connected');
    const rnd = seededRandom(42);
    const start = Date.now();
    let n = 0;
    for (; n < 3000 && Date.now() - start < 5_000; n++) {
      const len = Math.floor(rnd() * 120);
      const d = Buffer.alloc(len);
      for (let i = 0; i < len; i++) d[i] = Math.floor(rnd() * 256);
      if (len > 0) d[0] = 20 + Math.floor(rnd() * 4); // a plausible content type
      if (len > 2 && rnd() < 0.7) d.writeUInt16BE(0xfefd, 1);
      if (len > 4 && rnd() < 0.5) d.writeUInt16BE(Math.floor(rnd() * 2), 3);
      if (len > 12 && rnd() < 0.7) d.writeUInt16BE(len - 13, 11);
      expect(() => p.server.handleDatagram(d)).to.not.throw();
      expect(() => p.client.handleDatagram(d)).to.not.throw();
    }
    expect(n).to.be.greaterThan(500);
    const c = p.server.counters.toJSON();
    expect(c.internalError ?? 0).to.equal(0);
    const drops = Object.entries(c)
      .filter(([k]) => k !== 'datagramsSent')
      .reduce((a, [, v]) => a + v, 0);
    expect(drops).to.be.greaterThan(n * 0.9);
    expect(p.server.state).to.equal('connected');
    expect(p.client.state).to.equal('connected');
    const got: string[] = [];
    p.server.on('data', (d) => got.push(d.toString()));
    p.client.send(Buffer.from('still fine'));
    runUntil(p.clock, () => got.length > 0, 1_000);
    expect(got).to.deep.equal(['still fine']);
  });

  it('a connecting server fed random ClientHello-shaped junk counts it and still accepts a real client', () => {
    const p = makePair({ client: ec[0]!, server: ec[1]! });
    p.server.start();
    const rnd = seededRandom(7);
    for (let n = 0; n < 1000; n++) {
      const body = Buffer.alloc(Math.floor(rnd() * 200));
      for (let i = 0; i < body.length; i++) body[i] = Math.floor(rnd() * 256);
      const hs = Buffer.alloc(12);
      hs[0] = 1;
      hs.writeUIntBE(body.length, 1, 3);
      hs.writeUIntBE(body.length, 9, 3);
      const rec = Buffer.alloc(13);
      rec[0] = 22;
      rec.writeUInt16BE(0xfefd, 1);
      rec.writeUInt16BE(hs.length + body.length, 11);
      expect(() => p.server.handleDatagram(Buffer.concat([rec, hs, body]))).to.not.throw();
    }
    expect(p.server.counters.get('malformedHandshake')).to.be.greaterThan(900);
    expect(p.server.counters.get('internalError')).to.equal(0);
    expect(p.server.state).to.equal('connecting');
    p.client.start();
    runUntil(p.clock, () => p.client.state !== 'connecting' && p.server.state !== 'connecting', 10_000);
    expect(p.server.state).to.equal('connected');
  });

  it('mutating one handshake datagram in flight never throws nor hits an internal error (300 seeded runs)', () => {
    const start = Date.now();
    let runs = 0;
    const outcomes = { connected: 0, failed: 0, other: 0 };
    for (let seed = 1; seed <= 300 && Date.now() - start < 20_000; seed++, runs++) {
      const rnd = seededRandom(seed);
      const p = makePair({ client: ec[0]!, server: ec[1]! }, {}, { initialRetransmitMs: 50, handshakeTimeoutMs: 3_000 }, { initialRetransmitMs: 50, handshakeTimeoutMs: 3_000 });
      const target = Math.floor(rnd() * 6);
      let index = 0;
      for (const side of ['a', 'b'] as const) {
        const original = p.pipe.sender(side);
        const endpoint = side === 'a' ? p.server : p.client;
        void original;
        p.pipe.attach(side === 'a' ? 'b' : 'a', (d) => {
          let data = d;
          if (index++ === target) {
            data = Buffer.from(d);
            const mode = Math.floor(rnd() * 3);
            if (mode === 0) for (let k = 0; k < 1 + rnd() * 4; k++) data[Math.floor(rnd() * data.length)] = Math.floor(rnd() * 256);
            else if (mode === 1) data = data.subarray(0, Math.floor(rnd() * data.length));
            else data = Buffer.concat([data, Buffer.from([Math.floor(rnd() * 256), 0, 1])]);
          }
          expect(() => endpoint.handleDatagram(data)).to.not.throw();
        });
      }
      connect(p);
      runUntil(p.clock, () => p.client.state !== 'connecting' && p.server.state !== 'connecting', 5_000);
      expect(p.client.counters.get('internalError'), `seed ${seed}`).to.equal(0);
      expect(p.server.counters.get('internalError'), `seed ${seed}`).to.equal(0);
      for (const e of [...p.errors.client, ...p.errors.server]) expect(e.message).to.not.match(/internal error/);
      if (p.client.state === 'connected' && p.server.state === 'connected') outcomes.connected++;
      else if (p.client.state === 'failed' || p.server.state === 'failed') outcomes.failed++;
      else outcomes.other++;
    }
    expect(runs).to.be.greaterThan(50);
    // Most corruptions are caught by framing, fragment checks or retransmission and the pair recovers.
    expect(outcomes.connected).to.be.greaterThan(runs / 2);
    expect(outcomes.other).to.equal(0);
  });

  it('wrong remote fingerprint: bad_certificate alert and an error naming both fingerprints', () => {
    const wrong = { algorithm: 'sha-256', value: ec[0]!.fingerprint('sha-256') }; // the client's own, not the server's
    const p = makePair({ client: ec[0]!, server: ec[1]! }, {}, { remoteFingerprints: [wrong] });
    connect(p);
    expect(p.client.state).to.equal('failed');
    const msg = p.errors.client[0]!.message;
    expect(msg).to.include(`expected sha-256 ${wrong.value}`);
    expect(msg).to.include(`got sha-256 ${ec[1]!.fingerprint('sha-256')}`);
    expect(msg).to.include('badCertificate');
    expect(plaintextAlerts(p, 'a')).to.deep.equal([[2, AlertDescription.badCertificate]]);
    expect(p.server.state).to.equal('failed');
    expect(p.errors.server[0]!.message).to.equal('peer sent fatal alert badCertificate (42)');
  });

  it('server checks the client certificate against its fingerprints too (sha-512 given)', () => {
    const wrong = { algorithm: 'sha-512', value: ec[1]!.fingerprint('sha-512') };
    const p = makePair({ client: ec[0]!, server: ec[1]! }, {}, {}, { remoteFingerprints: [wrong] });
    connect(p);
    expect(p.server.state).to.equal('failed');
    expect(p.errors.server[0]!.message).to.include(`got sha-512 ${ec[0]!.fingerprint('sha-512')}`);
    expect(plaintextAlerts(p, 'b')).to.deep.equal([[2, AlertDescription.badCertificate]]);
    expect(p.client.state).to.equal('failed');
  });

  it('accepts a matching sha-1 fingerprint (verify only)', () => {
    const p = makePair({ client: ec[0]!, server: ec[1]! }, {}, { remoteFingerprints: [{ algorithm: 'SHA-1', value: ec[1]!.fingerprint('sha-1').toLowerCase() }] });
    connect(p);
    expect(p.client.state).to.equal('connected');
  });

  it('bad ServerKeyExchange signature (key does not match certificate): decrypt_error alert', () => {
    const impostor: DtlsCertificate = { ...ec[1]!, privateKey: ec[0]!.privateKey, fingerprint: ec[1]!.fingerprint.bind(ec[1]!), fingerprints: ec[1]!.fingerprints };
    const p = makePair({ client: ec[0]!, server: impostor });
    connect(p);
    expect(p.client.state).to.equal('failed');
    expect(p.errors.client[0]!.message).to.match(/ServerKeyExchange signature does not verify.*decryptError/);
    expect(plaintextAlerts(p, 'a')).to.deep.equal([[2, AlertDescription.decryptError]]);
    expect(p.server.state).to.equal('failed');
  });

  it('bad CertificateVerify signature from the client: decrypt_error alert', () => {
    const impostor: DtlsCertificate = { ...ec[0]!, privateKey: ec[1]!.privateKey, fingerprint: ec[0]!.fingerprint.bind(ec[0]!), fingerprints: ec[0]!.fingerprints };
    const p = makePair({ client: impostor, server: ec[1]! });
    connect(p);
    expect(p.server.state).to.equal('failed');
    expect(p.errors.server[0]!.message).to.match(/CertificateVerify signature does not verify.*decryptError/);
    expect(plaintextAlerts(p, 'b')).to.deep.equal([[2, AlertDescription.decryptError]]);
    expect(p.client.state).to.equal('failed');
  });

  it('unexpected message order at the server (ClientKeyExchange before Certificate): unexpected_message', () => {
    const p = makePair({ client: ec[0]!, server: ec[1]! });
    // Rewrite the client's Certificate message type (11) into ClientKeyExchange (16) on the wire.
    p.pipe.attach('b', (d) => {
      const copy = Buffer.from(d);
      let off = 0;
      while (off + 13 <= copy.length) {
        const len = copy.readUInt16BE(off + 11);
        if (copy[off] === 22 && copy.readUInt16BE(off + 3) === 0 && copy[off + 13] === 11) copy[off + 13] = 16;
        off += 13 + len;
      }
      p.server.handleDatagram(copy);
    });
    connect(p);
    expect(p.server.state).to.equal('failed');
    expect(p.errors.server[0]!.message).to.match(/unexpected handshake message type 16.*expected Certificate/);
    expect(plaintextAlerts(p, 'b')).to.deep.equal([[2, AlertDescription.unexpectedMessage]]);
    expect(p.client.state).to.equal('failed');
    expect(p.errors.client[0]!.message).to.equal('peer sent fatal alert unexpectedMessage (10)');
  });

  it('unexpected message order at the client (Finished instead of ServerHello): unexpected_message', () => {
    const p = makePair({ client: ec[0]!, server: ec[1]! });
    p.client.start();
    const finished = Buffer.concat([
      Buffer.from([22, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 24]),
      Buffer.from([20, 0, 0, 12, 0, 0, 0, 0, 0, 0, 0, 12]),
      Buffer.alloc(12),
    ]);
    p.client.handleDatagram(finished);
    expect(p.client.state).to.equal('failed');
    expect(p.errors.client[0]!.message).to.match(/unexpected handshake message type 20.*HelloVerifyRequest or ServerHello/);
    expect(plaintextAlerts(p, 'a')).to.deep.equal([[2, AlertDescription.unexpectedMessage]]);
    // Failed means quiet: no more retransmissions of the ClientHello.
    const sent = p.pipe.log.filter((e) => e.from === 'a').length;
    p.clock.advance(10_000);
    expect(p.pipe.log.filter((e) => e.from === 'a').length).to.equal(sent);
  });

  it('API misuse gets errors naming the bad value', async () => {
    const base = { certificate: ec[0]!, send: () => undefined };
    const { DtlsEndpoint, generateCertificate } = await import('../src/index.js');
    expect(() => new DtlsEndpoint({ ...base, role: 'peer' as 'client' })).to.throw("role must be 'client' or 'server', got 'peer'");
    expect(() => new DtlsEndpoint({ ...base, role: 'client', cipherSuites: [0x1301] })).to.throw('unsupported cipher suite 0x1301');
    expect(() => new DtlsEndpoint({ ...base, role: 'client', srtpProfiles: [5] })).to.throw('unsupported SRTP protection profile 0x0005');
    expect(() => new DtlsEndpoint({ ...base, role: 'client', mtu: 10 })).to.throw('mtu must be a number in [128, 65507], got 10');
    expect(() => new DtlsEndpoint({ ...base, role: 'client', remoteFingerprints: [{ algorithm: 'md5', value: 'AA' }] })).to.throw("unsupported fingerprint algorithm 'md5'");
    const e = new DtlsEndpoint({ ...base, role: 'client' });
    expect(() => e.send(Buffer.from('x'))).to.throw("state is 'new'");
    expect(() => e.exportKeyingMaterial('EXTRACTOR-dtls_srtp', 60)).to.throw("no keys yet (state 'new')");
    await generateCertificate({ keyType: 'dsa' as 'rsa-2048' }).then(
      () => expect.fail('should reject'),
      (err: Error) => expect(err.message).to.include("got 'dsa'"),
    );
  });
});

import { expect } from 'chai';
import { CipherSuite, SrtpProfile, type DtlsCertificate } from '../src/index.js';
import { makePair, runUntil, testCertificates } from './helpers/pair.js';

describe('dtls handshake between our client and our server (in-memory link, FakeClock)', function () {
  this.timeout(20_000);
  let ec: DtlsCertificate[];
  let rsa: DtlsCertificate[];
  before(async () => {
    ({ ec, rsa } = await testCertificates());
  });

  const suites: [string, number, 'ec' | 'rsa'][] = [
    ['ECDHE-ECDSA-AES128-GCM', CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, 'ec'],
    ['ECDHE-ECDSA-AES256-GCM', CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, 'ec'],
    ['ECDHE-ECDSA-CHACHA20', CipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, 'ec'],
    ['ECDHE-RSA-AES128-GCM', CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, 'rsa'],
    ['ECDHE-RSA-AES256-GCM', CipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, 'rsa'],
    ['ECDHE-RSA-CHACHA20', CipherSuite.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256, 'rsa'],
  ];
  for (const [name, id, kind] of suites) {
    it(`${name}: connects, agrees on keys and SRTP profile, carries data both ways`, () => {
      const serverCert = kind === 'ec' ? ec[1]! : rsa[0]!;
      const p = makePair({ client: ec[0]!, server: serverCert }, {}, { cipherSuites: [id] });
      const states: string[] = [];
      p.client.on('statechange', (s) => states.push(s));
      p.client.start();
      p.server.start();
      runUntil(p.clock, () => p.client.state === 'connected' && p.server.state === 'connected', 5_000);
      expect(p.errors.client.map((e) => e.message)).to.deep.equal([]);
      expect(p.errors.server.map((e) => e.message)).to.deep.equal([]);
      expect(states).to.deep.equal(['connecting', 'connected']);
      expect(p.client.cipherSuite).to.equal(id);
      expect(p.server.cipherSuite).to.equal(id);
      expect(p.client.srtpProfile).to.equal(SrtpProfile.SRTP_AEAD_AES_128_GCM);
      expect(p.server.srtpProfile).to.equal(SrtpProfile.SRTP_AEAD_AES_128_GCM);
      expect(p.client.extendedMasterSecret).to.equal(true);
      const km = p.client.exportKeyingMaterial('EXTRACTOR-dtls_srtp', 56);
      expect(km.length).to.equal(56);
      expect(p.server.exportKeyingMaterial('EXTRACTOR-dtls_srtp', 56).toString('hex')).to.equal(km.toString('hex'));
      expect(p.client.remoteCertificate!.equals(serverCert.certificateDer)).to.equal(true);
      expect(p.server.remoteCertificate!.equals(ec[0]!.certificateDer)).to.equal(true);
      const got: string[] = [];
      p.server.on('data', (d) => {
        got.push(`s:${d.toString()}`);
        p.server.send(Buffer.from(`echo ${d.toString()}`));
      });
      p.client.on('data', (d) => got.push(`c:${d.toString()}`));
      p.client.send(Buffer.from('hello'));
      runUntil(p.clock, () => got.length === 2, 1_000);
      expect(got).to.deep.equal(['s:hello', 'c:echo hello']);
    });
  }

  it('SRTP keying material splits as client key ‖ server key ‖ client salt ‖ server salt (RFC 5764 §4.2)', () => {
    const p = makePair({ client: ec[0]!, server: ec[1]! }, {}, { srtpProfiles: [SrtpProfile.SRTP_AES128_CM_HMAC_SHA1_80] });
    p.client.start();
    p.server.start();
    runUntil(p.clock, () => p.client.state === 'connected' && p.server.state === 'connected', 5_000);
    expect(p.client.srtpProfile).to.equal(1);
    const raw = p.client.exportKeyingMaterial('EXTRACTOR-dtls_srtp', 60);
    const c = p.client.srtpKeyingMaterial();
    const s = p.server.srtpKeyingMaterial();
    expect(Buffer.concat([c.clientKey, c.serverKey, c.clientSalt, c.serverSalt]).equals(raw)).to.equal(true);
    expect(c.localKey.equals(s.remoteKey)).to.equal(true);
    expect(c.localSalt.equals(s.remoteSalt)).to.equal(true);
    expect(c.remoteKey.equals(s.localKey)).to.equal(true);
    expect(c.localKey.length).to.equal(16);
    expect(c.localSalt.length).to.equal(14);
  });

  it('without common SRTP profile the handshake still completes with srtpProfile undefined', () => {
    const p = makePair({ client: ec[0]!, server: ec[1]! }, {}, { srtpProfiles: [1] }, { srtpProfiles: [7] });
    p.client.start();
    p.server.start();
    runUntil(p.clock, () => p.client.state === 'connected' && p.server.state === 'connected', 5_000);
    expect(p.client.state).to.equal('connected');
    expect(p.client.srtpProfile).to.equal(undefined);
    expect(p.server.srtpProfile).to.equal(undefined);
  });

  it('fragments the handshake to the MTU and reassembles it (RSA certificate, mtu 300)', () => {
    const p = makePair({ client: rsa[1]!, server: rsa[0]! }, {}, { mtu: 300 }, { mtu: 300 });
    let largest = 0;
    const sizes = (d: Buffer): void => void (largest = Math.max(largest, d.length));
    p.client.start();
    p.server.start();
    runUntil(p.clock, () => p.client.state === 'connected' && p.server.state === 'connected', 5_000);
    for (const entry of p.pipe.log) sizes(entry.data);
    expect(p.client.state).to.equal('connected');
    expect(p.server.state).to.equal('connected');
    expect(largest).to.be.at.most(300);
    // An RSA-2048 certificate alone is ~800 bytes: several datagrams per flight.
    expect(p.pipe.log.filter((e) => e.from === 'b').length).to.be.greaterThan(4);
  });

  for (const seed of [1, 2, 3, 4, 5, 6]) {
    it(`completes under 30 % loss with reordering and duplication (seed ${seed})`, () => {
      const p = makePair(
        { client: ec[0]!, server: ec[1]! },
        { loss: 0.3, delayMs: 10, jitterMs: 40, duplicate: 0.1, seed },
        { mtu: 400, initialRetransmitMs: 100, handshakeTimeoutMs: 60_000 },
        { mtu: 400, initialRetransmitMs: 100, handshakeTimeoutMs: 60_000 },
      );
      p.client.start();
      p.server.start();
      const elapsed = runUntil(p.clock, () => p.client.state === 'connected' && p.server.state === 'connected', 60_000);
      expect(p.errors.client.map((e) => e.message)).to.deep.equal([]);
      expect(p.errors.server.map((e) => e.message)).to.deep.equal([]);
      expect(p.client.state, `after ${elapsed} ms`).to.equal('connected');
      expect(p.server.state).to.equal('connected');
      expect(p.pipe.dropped).to.be.greaterThan(0);
      expect(p.client.exportKeyingMaterial('x', 32).equals(p.server.exportKeyingMaterial('x', 32))).to.equal(true);
    });
  }

  it('drops replayed and duplicated records and counts them (RFC 6347 §4.1.2.6)', () => {
    const p = makePair({ client: ec[0]!, server: ec[1]! });
    p.client.start();
    p.server.start();
    runUntil(p.clock, () => p.client.state === 'connected' && p.server.state === 'connected', 5_000);
    const got: string[] = [];
    p.server.on('data', (d) => got.push(d.toString()));
    const before = p.pipe.log.length;
    p.client.send(Buffer.from('one'));
    p.client.send(Buffer.from('two'));
    runUntil(p.clock, () => got.length === 2, 1_000);
    const sent = p.pipe.log.slice(before).map((e) => e.data);
    expect(sent.length).to.equal(2);
    // Replay both, in reverse order, and one of them twice more.
    p.server.handleDatagram(sent[1]!);
    p.server.handleDatagram(sent[0]!);
    p.server.handleDatagram(sent[0]!);
    expect(got).to.deep.equal(['one', 'two']);
    expect(p.server.counters.get('replayed')).to.equal(3);
    // A flipped byte in the ciphertext fails authentication and is counted, not delivered.
    const forged = Buffer.from(sent[0]!);
    forged[forged.length - 1]! ^= 0x80;
    forged.writeUIntBE(1000, 5, 6); // fresh sequence number so the replay check passes first
    p.server.handleDatagram(forged);
    expect(p.server.counters.get('decryptFailed')).to.equal(1);
    expect(got).to.deep.equal(['one', 'two']);
  });

  it("a peer that never answers: 'failed' after handshakeTimeoutMs with back-off retransmissions", () => {
    const p = makePair({ client: ec[0]!, server: ec[1]! }, { loss: 1 }, { initialRetransmitMs: 1000, handshakeTimeoutMs: 20_000 });
    const sendTimes: number[] = [];
    const clientSend = p.pipe.sender('a');
    void clientSend;
    p.client.start();
    const startCount = p.pipe.log.length;
    expect(startCount).to.equal(1);
    let failedAt = -1;
    p.client.on('statechange', (s) => {
      if (s === 'failed') failedAt = p.clock.now();
    });
    let last = p.pipe.log.length;
    runUntil(
      p.clock,
      () => {
        if (p.pipe.log.length !== last) {
          sendTimes.push(p.clock.now());
          last = p.pipe.log.length;
        }
        return p.client.state === 'failed';
      },
      30_000,
      1,
    );
    expect(failedAt).to.equal(20_000);
    // Retransmissions at 1 s, 3 s, 7 s, 15 s (timeout doubling: 1, 2, 4, 8 s).
    expect(sendTimes).to.deep.equal([1000, 3000, 7000, 15000]);
    expect(p.errors.client[0]!.message).to.match(/did not complete within 20000 ms/);
    expect(p.clock.pendingTimers).to.equal(0);
  });

  it('retransmission back-off doubles and is capped at 60 s (RFC 6347 §4.2.4.1)', () => {
    const p = makePair({ client: ec[0]!, server: ec[1]! }, { loss: 1 }, { initialRetransmitMs: 16_000, handshakeTimeoutMs: 200_000 });
    p.client.start();
    const times: number[] = [];
    let last = p.pipe.log.length;
    runUntil(
      p.clock,
      () => {
        if (p.pipe.log.length !== last) {
          times.push(p.clock.now());
          last = p.pipe.log.length;
        }
        return p.client.state === 'failed';
      },
      250_000,
      100,
    );
    // Timeouts 16, 32, 60 (not 64), 60 s → sends at 16, 48, 108, 168 s; failed at 200 s.
    expect(times).to.deep.equal([16_000, 48_000, 108_000, 168_000]);
    expect(p.client.retransmissions).to.equal(4);
  });

  it("data that overtakes the peer's lost Finished is held and delivered once connected", () => {
    const p = makePair({ client: ec[0]!, server: ec[1]! }, {}, { initialRetransmitMs: 100 });
    let droppedFinished = false;
    p.pipe.attach('a', (d) => {
      // Drop the server's first flight 6 (it starts with a ChangeCipherSpec record).
      if (!droppedFinished && d[0] === 20) {
        droppedFinished = true;
        return;
      }
      p.client.handleDatagram(d);
    });
    p.server.on('connected', () => p.server.send(Buffer.from('early')));
    const got: string[] = [];
    p.client.on('data', (d) => got.push(d.toString()));
    p.client.start();
    p.server.start();
    runUntil(p.clock, () => p.client.state === 'connected', 5_000);
    expect(droppedFinished).to.equal(true);
    expect(p.client.counters.get('applicationDataHeld')).to.equal(1);
    expect(got).to.deep.equal(['early']);
  });

  it('close_notify closes both sides', () => {
    const p = makePair({ client: ec[0]!, server: ec[1]! });
    p.client.start();
    p.server.start();
    runUntil(p.clock, () => p.client.state === 'connected' && p.server.state === 'connected', 5_000);
    let serverClosed = 0;
    let clientClosed = 0;
    p.server.on('close', () => serverClosed++);
    p.client.on('close', () => clientClosed++);
    p.client.close();
    expect(p.client.state).to.equal('closed');
    runUntil(p.clock, () => p.server.state === 'closed', 1_000);
    expect(p.server.state).to.equal('closed');
    expect(serverClosed).to.equal(1);
    expect(clientClosed).to.equal(1);
    expect(p.server.counters.get('closeNotifyReceived')).to.equal(1);
    expect(() => p.client.send(Buffer.from('x'))).to.throw(/state is 'closed'/);
  });
});

describe('dtls server statelessness and renegotiation policy', function () {
  this.timeout(20_000);
  let ec: DtlsCertificate[];
  before(async () => {
    ({ ec } = await testCertificates());
  });

  it('HelloVerifyRequest is stateless: a second server with the same cookie secret completes the handshake', async () => {
    const { FakeClock } = await import('@rivulet/common');
    const { DtlsEndpoint } = await import('../src/index.js');
    const clock = new FakeClock();
    const secret = Buffer.alloc(32, 9);
    const toClient: Buffer[] = [];
    const toServer: Buffer[] = [];
    const client = new DtlsEndpoint({ role: 'client', certificate: ec[0]!, clock, send: (d) => toServer.push(d) });
    const first = new DtlsEndpoint({ role: 'server', certificate: ec[1]!, clock, cookieSecret: secret, send: (d) => toClient.push(d) });
    const second = new DtlsEndpoint({ role: 'server', certificate: ec[1]!, clock, cookieSecret: secret, send: (d) => toClient.push(d) });
    first.start();
    second.start();
    client.start();
    first.handleDatagram(toServer.shift()!); // ClientHello without cookie → HelloVerifyRequest
    expect(toClient.length).to.equal(1);
    expect(toClient[0]![13]).to.equal(3); // handshake type hello_verify_request
    client.handleDatagram(toClient.shift()!);
    // The ClientHello with the cookie goes to the *other* server instance.
    for (let i = 0; i < 20 && (toServer.length || toClient.length); i++) {
      while (toServer.length) second.handleDatagram(toServer.shift()!);
      while (toClient.length) client.handleDatagram(toClient.shift()!);
    }
    expect(client.state).to.equal('connected');
    expect(second.state).to.equal('connected');
    expect(first.state).to.equal('connecting');
    expect(first.counters.get('datagramsSent')).to.equal(1);
  });

  it('a ClientHello with a forged cookie gets a fresh HelloVerifyRequest and is counted', async () => {
    const { DtlsEndpoint } = await import('../src/index.js');
    const out: Buffer[] = [];
    const server = new DtlsEndpoint({ role: 'server', certificate: ec[1]!, send: (d) => out.push(d), handshakeTimeoutMs: 1000 });
    const sent: Buffer[] = [];
    const client = new DtlsEndpoint({ role: 'client', certificate: ec[0]!, send: (d) => sent.push(d), handshakeTimeoutMs: 1000 });
    server.start();
    client.start();
    const hello = Buffer.from(sent[0]!);
    // Splice in a 20-byte bogus cookie: cookie length byte sits at 13 + 12 + 2 + 32 + 1 (empty session id).
    const at = 13 + 12 + 2 + 32 + 1;
    const forgedBody = Buffer.concat([hello.subarray(25, at), Buffer.from([20]), Buffer.alloc(20, 0xee), hello.subarray(at + 1)]);
    const hs = Buffer.from(hello.subarray(13, 25));
    hs.writeUIntBE(forgedBody.length, 1, 3);
    hs.writeUIntBE(forgedBody.length, 9, 3);
    const rec = Buffer.from(hello.subarray(0, 13));
    rec.writeUInt16BE(12 + forgedBody.length, 11);
    server.handleDatagram(Buffer.concat([rec, hs, forgedBody]));
    expect(server.counters.get('badCookie')).to.equal(1);
    expect(out.length).to.equal(1);
    expect(out[0]![13]).to.equal(3);
    server.close();
    client.close();
  });

  it('refuses renegotiation: a HelloRequest under epoch 1 is answered with no_renegotiation and the link stays up', async () => {
    const { makePair: mk } = await import('./helpers/pair.js');
    const p = mk({ client: ec[0]!, server: ec[1]! });
    p.client.start();
    p.server.start();
    runUntil(p.clock, () => p.client.state === 'connected' && p.server.state === 'connected', 5_000);
    // Forge a HelloRequest from inside the server (epoch 1, next message_seq) using its record layer.
    const serverRecords = (p.server as unknown as { records: import('../src/record/recordLayer.js').RecordLayer }).records;
    const nextSeq = (p.client as unknown as { driver: { reassembler: { nextSeq: number } } }).driver.reassembler.nextSeq;
    const helloRequest = Buffer.from([0, 0, 0, 0, nextSeq >> 8, nextSeq & 0xff, 0, 0, 0, 0, 0, 0]);
    p.client.handleDatagram(serverRecords.seal(22, 1, helloRequest));
    expect(p.client.counters.get('renegotiationRefused')).to.equal(1);
    expect(p.client.state).to.equal('connected');
    runUntil(p.clock, () => p.server.counters.get('warningAlertReceived') > 0, 1_000);
    expect(p.server.counters.get('warningAlertReceived')).to.equal(1);
    expect(p.server.state).to.equal('connected');
  });

  it('a ClientHello that arrives before start() is kept and answered at start()', async () => {
    const { DtlsEndpoint } = await import('../src/index.js');
    const out: Buffer[] = [];
    const sent: Buffer[] = [];
    const server = new DtlsEndpoint({ role: 'server', certificate: ec[1]!, send: (d) => out.push(d), handshakeTimeoutMs: 1000 });
    const client = new DtlsEndpoint({ role: 'client', certificate: ec[0]!, send: (d) => sent.push(d), handshakeTimeoutMs: 1000 });
    client.start();
    server.handleDatagram(sent[0]!);
    expect(out.length).to.equal(0);
    server.start();
    expect(out.length).to.equal(1);
    expect(out[0]![13]).to.equal(3);
    server.close();
    client.close();
  });
});

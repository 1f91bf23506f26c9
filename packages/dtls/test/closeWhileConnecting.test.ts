import { expect } from 'chai';
import { AlertDescription, DtlsEndpoint, type DtlsCertificate } from '../src/index.js';
import { HandshakeType } from '../src/constants.js';
import { parseRecords } from '../src/record/record.js';
import { testCertificates } from './helpers/pair.js';
import { BatchLink, handshakeFragments } from './helpers/helloWire.js';
import { bindLoopback, OpensslProcess, opensslMissing, until } from './helpers/openssl.js';

/** [epoch, level, description] of every alert record in `datagrams`. */
function alerts(datagrams: Buffer[]): number[][] {
  return datagrams.flatMap((d) => parseRecords(d).records.filter((r) => r.type === 21).map((r) => [r.epoch, ...r.fragment]));
}

describe('dtls close() while connecting tells the peer at once (user_canceled + close_notify, RFC 5246 §7.2.1)', function () {
  this.timeout(10_000);
  let ec: DtlsCertificate[];
  before(async () => {
    ({ ec } = await testCertificates());
  });

  it('client closes after its ClientHello: one datagram with both alerts; the server closes without waiting; no retransmissions', () => {
    const link = new BatchLink({ client: ec[0]!, server: ec[1]! });
    let serverClosed = 0;
    link.server.on('close', () => serverClosed++);
    link.client.start();
    link.server.start();
    link.client.close();
    expect(link.client.state).to.equal('closed');
    const sentBefore = link.clientSent.length;
    expect(sentBefore).to.equal(2); // ClientHello, then the alerts
    expect(parseRecords(link.clientSent[1]!).records.length).to.equal(2);
    expect(alerts(link.clientSent)).to.deep.equal([
      [0, 1, AlertDescription.userCanceled],
      [0, 1, AlertDescription.closeNotify],
    ]);
    link.run(() => link.server.state !== 'connecting', 100);
    expect(link.server.state).to.equal('closed');
    expect(serverClosed).to.equal(1);
    expect(link.server.counters.get('warningAlertReceived')).to.equal(1);
    expect(link.server.counters.get('closeNotifyReceived')).to.equal(1);
    link.run(() => false, 10_000);
    expect(link.clientSent.length).to.equal(sentBefore); // the ClientHello timer stopped
    expect(link.client.retransmissions).to.equal(0);
  });

  it('server closes after sending its flight: the client stops at once instead of retrying for 30 s', () => {
    const link = new BatchLink({ client: ec[0]!, server: ec[1]! });
    const errors: Error[] = [];
    link.client.on('error', (e) => errors.push(e));
    link.client.start();
    link.server.start();
    // Run until the server has sent its ServerHello flight (after the cookie round trip).
    link.run(() => handshakeFragments(link.serverSent).some((f) => f.msgType === HandshakeType.serverHello), 1_000);
    expect(link.server.state).to.equal('connecting');
    link.server.close();
    const start = link.clock.now();
    link.run(() => link.client.state !== 'connecting', 1_000);
    expect(link.client.state).to.equal('closed');
    expect(link.clock.now() - start).to.be.at.most(20);
    expect(errors).to.deep.equal([]);
    expect(alerts(link.serverSent)).to.deep.equal([
      [0, 1, AlertDescription.userCanceled],
      [0, 1, AlertDescription.closeNotify],
    ]);
  });

  it('close() before start() and twice sends nothing', () => {
    const link = new BatchLink({ client: ec[0]!, server: ec[1]! });
    link.client.close();
    link.client.close();
    expect(link.client.state).to.equal('closed');
    expect(link.clientSent).to.deep.equal([]);
  });
});

describe('dtls close() while connecting, against OpenSSL s_client', function () {
  this.timeout(15_000);
  const cleanup: (() => void)[] = [];
  before(function () {
    const missing = opensslMissing();
    if (missing) {
      console.log(`      skipped: ${missing}`);
      this.skip();
    }
  });
  after(() => {
    for (const c of cleanup.splice(0)) c();
  });

  it('our server closes after sending its flight: s_client gives up within 1.5 s (it would otherwise retransmit)', async () => {
    const cert = (await testCertificates()).ec[1]!;
    const socket = await bindLoopback();
    cleanup.push(() => socket.close());
    let remote: { port: number; address: string } | undefined;
    let received = 0;
    let closedAt = 0;
    const server = new DtlsEndpoint({ role: 'server', certificate: cert, send: (d) => remote && socket.send(d, remote.port, remote.address) });
    socket.onMessage((d, from) => {
      remote ??= { port: from.port, address: from.address };
      server.handleDatagram(d);
      // Datagram 1 is the cookie-less hello, datagram 2 the hello with cookie: our flight 4 is out.
      if (++received === 2) {
        server.close();
        closedAt = Date.now();
      }
    });
    server.start();
    const client = OpensslProcess.start(['s_client', '-dtls1_2', '-connect', `127.0.0.1:${socket.localAddress.port}`]);
    cleanup.push(() => client.kill());
    await until(() => client.exited, 5_000, () => `s_client did not exit; output:\n${client.output}`);
    expect(closedAt).to.be.greaterThan(0);
    expect(Date.now() - closedAt).to.be.lessThan(1_500);
    expect(server.state).to.equal('closed');
    expect(client.output).to.match(/alert/i);
  });
});

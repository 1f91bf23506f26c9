import { expect } from 'chai';
import type { DatagramSocket } from '@rivulet/common';
import { CipherSuite, DtlsEndpoint, SrtpProfile, type DtlsCertificate } from '../src/index.js';
import { testCertificates } from './helpers/pair.js';
import {
  bindLoopback,
  noEmsConfig,
  OpensslProcess,
  opensslCertificate,
  opensslMissing,
  TempDir,
  toPem,
  until,
} from './helpers/openssl.js';
import { computeFingerprint } from '../src/certificate.js';
import { X509Certificate } from 'node:crypto';
import * as childProcess from 'node:child_process';
const require_ = (): typeof childProcess => childProcess;

const SUITES: { id: number; openssl: string; kind: 'ec' | 'rsa' }[] = [
  { id: CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, openssl: 'ECDHE-ECDSA-AES128-GCM-SHA256', kind: 'ec' },
  { id: CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, openssl: 'ECDHE-ECDSA-AES256-GCM-SHA384', kind: 'ec' },
  { id: CipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, openssl: 'ECDHE-ECDSA-CHACHA20-POLY1305', kind: 'ec' },
  { id: CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, openssl: 'ECDHE-RSA-AES128-GCM-SHA256', kind: 'rsa' },
  { id: CipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, openssl: 'ECDHE-RSA-AES256-GCM-SHA384', kind: 'rsa' },
  { id: CipherSuite.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256, openssl: 'ECDHE-RSA-CHACHA20-POLY1305', kind: 'rsa' },
];

const SRTP_NAMES: Record<number, string> = {
  [SrtpProfile.SRTP_AES128_CM_HMAC_SHA1_80]: 'SRTP_AES128_CM_SHA1_80',
  [SrtpProfile.SRTP_AES128_CM_HMAC_SHA1_32]: 'SRTP_AES128_CM_SHA1_32',
  [SrtpProfile.SRTP_AEAD_AES_128_GCM]: 'SRTP_AEAD_AES_128_GCM',
  [SrtpProfile.SRTP_AEAD_AES_256_GCM]: 'SRTP_AEAD_AES_256_GCM',
};
const KEYMAT_LEN: Record<number, number> = { 1: 60, 2: 60, 7: 56, 8: 88 };

interface Harness {
  /** Sizes of the datagrams OpenSSL sent us. */
  inSizes: number[];
  socket: DatagramSocket;
  endpoint: DtlsEndpoint;
  received: string[];
  errors: Error[];
}

describe('dtls interop with OpenSSL 3 (s_server / s_client on 127.0.0.1)', function () {
  this.timeout(30_000);
  let dir: TempDir;
  let ours: { ec: DtlsCertificate[]; rsa: DtlsCertificate[] };
  let theirs: { ec: { cert: string; key: string; pem: string }; rsa: { cert: string; key: string; pem: string } };
  const processes: OpensslProcess[] = [];
  let lastHarness: Harness | undefined;
  const sockets: DatagramSocket[] = [];

  before(async function () {
    const missing = opensslMissing();
    if (missing) {
      console.log(`      skipped: ${missing}`);
      this.skip();
    }
    dir = new TempDir();
    ours = await testCertificates();
    theirs = { ec: opensslCertificate(dir, 'ec', 'openssl-ec'), rsa: opensslCertificate(dir, 'rsa', 'openssl-rsa') };
  });

  afterEach(() => {
    for (const p of processes.splice(0)) p.kill();
    for (const s of sockets.splice(0)) s.close();
  });

  after(() => {
    for (const p of processes.splice(0)) p.kill();
    dir?.remove();
  });

  function fingerprintOf(pem: string): { algorithm: string; value: string } {
    return { algorithm: 'sha-256', value: computeFingerprint(new X509Certificate(pem).raw, 'sha-256') };
  }

  async function harness(
    role: 'client' | 'server',
    certificate: DtlsCertificate,
    peerPem: string,
    extra: { cipherSuites?: number[]; srtpProfiles?: number[]; mtu?: number; dropEvery?: number; requireExtendedMasterSecret?: boolean },
    peer?: { port: number },
  ): Promise<Harness> {
    const socket = await bindLoopback();
    sockets.push(socket);
    let remote = peer ? { port: peer.port, address: '127.0.0.1' } : undefined;
    const { dropEvery, ...endpointExtra } = extra;
    let outCount = 0;
    let inCount = 0;
    const endpoint = new DtlsEndpoint({
      role,
      certificate,
      remoteFingerprints: [fingerprintOf(peerPem)],
      initialRetransmitMs: 200,
      handshakeTimeoutMs: 8_000,
      send: (d) => {
        // Deterministic loss for retransmission tests: drop every n-th datagram we send.
        if (dropEvery && ++outCount % dropEvery === 0) return;
        if (remote) socket.send(d, remote.port, remote.address);
      },
      ...endpointExtra,
    });
    const h: Harness = { socket, endpoint, received: [], errors: [], inSizes: [] };
    lastHarness = h;
    socket.onMessage((data, from) => {
      h.inSizes.push(data.length);
      remote ??= { port: from.port, address: from.address };
      if (dropEvery && ++inCount % dropEvery === 1 && inCount > 1) return; // and every n-th we receive
      endpoint.handleDatagram(data);
    });
    endpoint.on('data', (d) => h.received.push(d.toString()));
    endpoint.on('error', (e) => h.errors.push(e));
    return h;
  }

  async function runOurClient(suite: (typeof SUITES)[number], srtp: number, ourKind: 'ec' | 'rsa', extraArgs: string[] = [], mtu?: number): Promise<OpensslProcess> {
    const peer = theirs[suite.kind];
    const ourCert = ourKind === 'ec' ? ours.ec[0]! : ours.rsa[0]!;
    const caFile = dir.file(`ours-${ourKind}.pem`, toPem(ourCert));
    const server = OpensslProcess.start([
      's_server', '-dtls1_2', '-accept', '127.0.0.1:0', '-cert', peer.cert, '-key', peer.key,
      '-cipher', suite.openssl, '-use_srtp', SRTP_NAMES[srtp]!,
      '-keymatexport', 'EXTRACTOR-dtls_srtp', '-keymatexportlen', String(KEYMAT_LEN[srtp]),
      '-Verify', '1', '-CAfile', caFile, '-naccept', '1', ...extraArgs,
    ]);
    processes.push(server);
    const port = Number((await server.waitFor(/ACCEPT 127\.0\.0\.1:(\d+)/, 10_000))[1]);
    const h = await harness('client', ourCert, peer.pem, { cipherSuites: [suite.id], srtpProfiles: [srtp], mtu }, { port });
    h.endpoint.start();
    await until(() => h.endpoint.state !== 'connecting', 10_000, () => `handshake; openssl said:\n${server.output}`);
    expect(h.errors.map((e) => e.message), server.output).to.deep.equal([]);
    expect(h.endpoint.state).to.equal('connected');
    await server.waitFor(/Keying material: [0-9A-F]+/, 5_000);
    expect(h.endpoint.cipherSuite).to.equal(suite.id);
    expect(h.endpoint.srtpProfile).to.equal(srtp);
    expect(h.endpoint.extendedMasterSecret).to.equal(true);
    expect(server.output).to.match(new RegExp(`CIPHER is ${suite.openssl}`));
    expect(server.output).to.match(/Client certificate/);
    expect(h.endpoint.exportKeyingMaterial('EXTRACTOR-dtls_srtp', KEYMAT_LEN[srtp]!).toString('hex')).to.equal(server.keyingMaterial());
    // Application data both ways: openssl reads stdin, writes what it receives to stdout.
    h.endpoint.send(Buffer.from('xfrom-rivulet\n'));
    await server.waitFor(/xfrom-rivulet/, 5_000);
    server.write('xfrom-openssl\n');
    await until(() => h.received.join('').includes('xfrom-openssl'), 5_000, () => `data from openssl; got ${JSON.stringify(h.received)}`);
    h.endpoint.close();
    await server.waitFor(/CONNECTION CLOSED|shutting down/, 5_000);
    return server;
  }

  async function runOurServer(suite: (typeof SUITES)[number], srtp: number, clientKind: 'ec' | 'rsa', extraArgs: string[] = [], mtu?: number): Promise<OpensslProcess> {
    const peer = theirs[clientKind];
    const ourCert = suite.kind === 'ec' ? ours.ec[1]! : ours.rsa[1]!;
    const caFile = dir.file(`ours-server-${suite.kind}.pem`, toPem(ourCert));
    const h = await harness('server', ourCert, peer.pem, { cipherSuites: [suite.id], srtpProfiles: [srtp], mtu });
    h.endpoint.start();
    const client = OpensslProcess.start([
      's_client', '-dtls1_2', '-connect', `127.0.0.1:${h.socket.localAddress.port}`, '-cert', peer.cert, '-key', peer.key,
      '-cipher', suite.openssl, '-use_srtp', SRTP_NAMES[srtp]!,
      '-keymatexport', 'EXTRACTOR-dtls_srtp', '-keymatexportlen', String(KEYMAT_LEN[srtp]),
      '-CAfile', caFile, '-verify_return_error', ...extraArgs,
    ]);
    processes.push(client);
    await until(() => h.endpoint.state !== 'connecting', 10_000, () => `handshake; openssl said:\n${client.output}`);
    expect(h.errors.map((e) => e.message), client.output).to.deep.equal([]);
    expect(h.endpoint.state).to.equal('connected');
    await client.waitFor(/Keying material: [0-9A-F]+/, 5_000);
    expect(h.endpoint.cipherSuite).to.equal(suite.id);
    expect(h.endpoint.srtpProfile).to.equal(srtp);
    expect(client.output).to.match(/Verify return code: 0 \(ok\)/);
    expect(h.endpoint.exportKeyingMaterial('EXTRACTOR-dtls_srtp', KEYMAT_LEN[srtp]!).toString('hex')).to.equal(client.keyingMaterial());
    client.write('xfrom-openssl\n');
    await until(() => h.received.join('').includes('xfrom-openssl'), 5_000, () => `data from openssl; got ${JSON.stringify(h.received)}`);
    h.endpoint.send(Buffer.from('xfrom-rivulet\n'));
    await client.waitFor(/xfrom-rivulet/, 5_000);
    h.endpoint.close();
    await client.waitFor(/closed|DONE/i, 5_000);
    return client;
  }

  for (const suite of SUITES) {
    it(`our client ↔ s_server: ${suite.openssl}, SRTP_AES128_CM_SHA1_80, mutual auth, exporter, data`, async () => {
      await runOurClient(suite, SrtpProfile.SRTP_AES128_CM_HMAC_SHA1_80, suite.kind === 'ec' ? 'rsa' : 'ec');
    });
    it(`s_client ↔ our server: ${suite.openssl}, SRTP_AES128_CM_SHA1_80, mutual auth, exporter, data`, async () => {
      await runOurServer(suite, SrtpProfile.SRTP_AES128_CM_HMAC_SHA1_80, suite.kind === 'ec' ? 'rsa' : 'ec');
    });
  }

  for (const srtp of [SrtpProfile.SRTP_AEAD_AES_128_GCM, SrtpProfile.SRTP_AEAD_AES_256_GCM, SrtpProfile.SRTP_AES128_CM_HMAC_SHA1_32]) {
    it(`our client ↔ s_server with ${SRTP_NAMES[srtp]} (keying material ${KEYMAT_LEN[srtp]} bytes)`, async () => {
      await runOurClient(SUITES[0]!, srtp, 'ec');
    });
    it(`s_client ↔ our server with ${SRTP_NAMES[srtp]}`, async () => {
      await runOurServer(SUITES[0]!, srtp, 'ec');
    });
  }

  // RSA certificates on both sides: OpenSSL (TLS 1.2) also checks that a peer's ECDSA certificate
  // curve is in its own group list, so a forced single group would reject our P-256 certificates.
  for (const [group, name] of [['X25519', 'X25519'], ['P-256', 'ECDH, prime256v1'], ['P-384', 'ECDH, secp384r1']] as const) {
    it(`our client ↔ s_server allowing only group ${group}`, async () => {
      await runOurClient(SUITES[3]!, 1, 'rsa', ['-groups', group]);
    });
    it(`s_client ↔ our server allowing only group ${group}`, async () => {
      const client = await runOurServer(SUITES[3]!, 1, 'rsa', ['-groups', group]);
      expect(client.output).to.include(`Server Temp Key: ${name}`);
    });
  }

  for (const [sigalg, label] of [['rsa_pkcs1_sha384', 'RSA+SHA384'], ['rsa_pkcs1_sha512', 'RSA+SHA512'], ['rsa_pss_rsae_sha256', 'RSA-PSS+SHA256'], ['rsa_pss_rsae_sha512', 'RSA-PSS+SHA512']] as const) {
    it(`s_client ↔ our RSA server with signature scheme ${sigalg} (client and server signatures)`, async () => {
      const client = await runOurServer(SUITES[3]!, 1, 'rsa', ['-sigalgs', sigalg, '-client_sigalgs', sigalg]);
      expect(client.output).to.include(`Peer signing digest: ${label.split('+')[1]}`);
      expect(client.output).to.include(`Peer signature type: ${label.startsWith('RSA-PSS') ? 'RSA-PSS' : 'RSA'}`);
    });
  }

  it('our client with an ECDSA P-384 key presented by s_server (ecdsa_secp384r1_sha384)', async () => {
    const p384 = (() => {
      const { spawnSync } = require_();
      const cert = dir.file('p384.pem');
      const key = dir.file('p384.key');
      const r = spawnSync('/usr/bin/openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-384', '-nodes', '-keyout', key, '-out', cert, '-subj', '/CN=p384', '-days', '2']);
      if (r.status !== 0) throw new Error('openssl req P-384 failed');
      return { cert, key };
    })();
    const ourCert = ours.ec[0]!;
    const caFile = dir.file('ours-p384.pem', toPem(ourCert));
    const server = OpensslProcess.start([
      's_server', '-dtls1_2', '-accept', '127.0.0.1:0', '-cert', p384.cert, '-key', p384.key, '-Verify', '1', '-CAfile', caFile, '-naccept', '1',
    ]);
    processes.push(server);
    const port = Number((await server.waitFor(/ACCEPT 127\.0\.0\.1:(\d+)/, 10_000))[1]);
    const pem = (await import('node:fs')).readFileSync(p384.cert, 'utf8');
    const h = await harness('client', ourCert, pem, {}, { port });
    h.endpoint.start();
    await until(() => h.endpoint.state !== 'connecting', 10_000, () => server.output);
    expect(h.errors.map((e) => e.message)).to.deep.equal([]);
    expect(h.endpoint.state).to.equal('connected');
    expect(h.endpoint.cipherSuite).to.equal(CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);
  });

  it("s_client's close_notify (typed 'Q') closes our server", async () => {
    const ourCert = ours.ec[1]!;
    const peer = theirs.ec;
    const h = await harness('server', ourCert, peer.pem, {});
    let closed = 0;
    h.endpoint.on('close', () => closed++);
    h.endpoint.start();
    const client = OpensslProcess.start(['s_client', '-dtls1_2', '-connect', `127.0.0.1:${h.socket.localAddress.port}`, '-cert', peer.cert, '-key', peer.key]);
    processes.push(client);
    await until(() => h.endpoint.state !== 'connecting', 10_000, () => client.output);
    expect(h.endpoint.state).to.equal('connected');
    client.write('Q\n');
    await until(() => h.endpoint.state === 'closed', 5_000, () => `state ${h.endpoint.state}; openssl said:\n${client.output}`);
    expect(closed).to.equal(1);
    expect(h.endpoint.counters.get('closeNotifyReceived')).to.equal(1);
  });

  // Small MTUs on both sides: OpenSSL fragments its RSA certificate flight and we reassemble it,
  // and OpenSSL reassembles ours.
  it('our client ↔ s_server with MTU 400 on both sides (handshake fragmentation both ways)', async () => {
    await runOurClient(SUITES[3]!, 1, 'rsa', ['-mtu', '400'], 400);
    expect(Math.max(...lastHarness!.inSizes)).to.be.at.most(400);
    expect(lastHarness!.inSizes.length).to.be.greaterThan(4); // the certificate alone needs several
  });
  it('s_client ↔ our server with MTU 400 on both sides (handshake fragmentation both ways)', async () => {
    await runOurServer(SUITES[3]!, 1, 'rsa', ['-mtu', '400'], 400);
    expect(Math.max(...lastHarness!.inSizes)).to.be.at.most(400);
    expect(lastHarness!.inSizes.length).to.be.greaterThan(4);
  });

  // Loss against a real peer: every 3rd datagram dropped each way, so both sides' retransmission
  // paths (our timer, OpenSSL's timer, and answering a repeated flight) are exercised.
  it('our client ↔ s_server with every 3rd datagram dropped each way', async () => {
    const peer = theirs.ec;
    const caFile = dir.file('ours-loss.pem', toPem(ours.ec[0]!));
    const server = OpensslProcess.start(['s_server', '-dtls1_2', '-accept', '127.0.0.1:0', '-cert', peer.cert, '-key', peer.key, '-Verify', '1', '-CAfile', caFile, '-naccept', '1']);
    processes.push(server);
    const port = Number((await server.waitFor(/ACCEPT 127\.0\.0\.1:(\d+)/, 10_000))[1]);
    const h = await harness('client', ours.ec[0]!, peer.pem, { dropEvery: 3 }, { port });
    h.endpoint.start();
    await until(() => h.endpoint.state !== 'connecting', 15_000, () => server.output);
    expect(h.errors.map((e) => e.message)).to.deep.equal([]);
    expect(h.endpoint.state).to.equal('connected');
    expect(h.endpoint.retransmissions).to.be.greaterThan(0);
  });

  it('s_client ↔ our server with every 3rd datagram dropped each way', async () => {
    const peer = theirs.ec;
    const h = await harness('server', ours.ec[1]!, peer.pem, { dropEvery: 3 });
    h.endpoint.start();
    const client = OpensslProcess.start(['s_client', '-dtls1_2', '-connect', `127.0.0.1:${h.socket.localAddress.port}`, '-cert', peer.cert, '-key', peer.key]);
    processes.push(client);
    await until(() => h.endpoint.state !== 'connecting', 15_000, () => client.output);
    expect(h.errors.map((e) => e.message)).to.deep.equal([]);
    expect(h.endpoint.state).to.equal('connected');
    await client.waitFor(/Cipher is ECDHE-ECDSA-AES128-GCM-SHA256/, 10_000);
  });

  // A peer without RFC 7627: by default we fall back to the legacy master secret (and the exporter
  // must still agree with OpenSSL's, which checks that path); with requireExtendedMasterSecret we refuse.
  it('our client ↔ s_server without extended master secret: legacy master secret, exporter agrees', async () => {
    const peer = theirs.ec;
    const env = { OPENSSL_CONF: noEmsConfig(dir) };
    const server = OpensslProcess.start(
      ['s_server', '-dtls1_2', '-accept', '127.0.0.1:0', '-cert', peer.cert, '-key', peer.key, '-naccept', '1', '-use_srtp', 'SRTP_AES128_CM_SHA1_80', '-keymatexport', 'EXTRACTOR-dtls_srtp', '-keymatexportlen', '60'],
      env,
    );
    processes.push(server);
    const port = Number((await server.waitFor(/ACCEPT 127\.0\.0\.1:(\d+)/, 10_000))[1]);
    const h = await harness('client', ours.ec[0]!, peer.pem, { srtpProfiles: [1] }, { port });
    h.endpoint.start();
    await until(() => h.endpoint.state !== 'connecting', 10_000, () => server.output);
    expect(h.errors.map((e) => e.message)).to.deep.equal([]);
    expect(h.endpoint.extendedMasterSecret).to.equal(false);
    await server.waitFor(/Keying material: [0-9A-F]+/, 5_000);
    expect(h.endpoint.exportKeyingMaterial('EXTRACTOR-dtls_srtp', 60).toString('hex')).to.equal(server.keyingMaterial());
  });

  it('s_client without extended master secret ↔ our server: legacy master secret, exporter agrees', async () => {
    const peer = theirs.ec;
    const h = await harness('server', ours.ec[1]!, peer.pem, { srtpProfiles: [1] });
    h.endpoint.start();
    const client = OpensslProcess.start(
      ['s_client', '-dtls1_2', '-connect', `127.0.0.1:${h.socket.localAddress.port}`, '-cert', peer.cert, '-key', peer.key, '-use_srtp', 'SRTP_AES128_CM_SHA1_80', '-keymatexport', 'EXTRACTOR-dtls_srtp', '-keymatexportlen', '60'],
      { OPENSSL_CONF: noEmsConfig(dir) },
    );
    processes.push(client);
    await until(() => h.endpoint.state !== 'connecting', 10_000, () => client.output);
    expect(h.errors.map((e) => e.message)).to.deep.equal([]);
    expect(h.endpoint.extendedMasterSecret).to.equal(false);
    await client.waitFor(/Keying material: [0-9A-F]+/, 5_000);
    expect(client.output).to.include('Extended master secret: no');
    expect(h.endpoint.exportKeyingMaterial('EXTRACTOR-dtls_srtp', 60).toString('hex')).to.equal(client.keyingMaterial());
  });

  it('requireExtendedMasterSecret refuses an s_server without it (handshake_failure)', async () => {
    const peer = theirs.ec;
    const server = OpensslProcess.start(['s_server', '-dtls1_2', '-accept', '127.0.0.1:0', '-cert', peer.cert, '-key', peer.key, '-naccept', '1'], {
      OPENSSL_CONF: noEmsConfig(dir),
    });
    processes.push(server);
    const port = Number((await server.waitFor(/ACCEPT 127\.0\.0\.1:(\d+)/, 10_000))[1]);
    const h = await harness('client', ours.ec[0]!, peer.pem, { requireExtendedMasterSecret: true }, { port });
    h.endpoint.start();
    await until(() => h.endpoint.state !== 'connecting', 10_000, () => server.output);
    expect(h.endpoint.state).to.equal('failed');
    expect(h.errors[0]!.message).to.match(/does not support extended_master_secret \(RFC 7627\).*handshakeFailure/);
    await server.waitFor(/alert handshake failure|handshake failure/i, 5_000);
  });
});

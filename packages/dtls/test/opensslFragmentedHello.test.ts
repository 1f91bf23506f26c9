import { expect } from 'chai';
import { X509Certificate } from 'node:crypto';
import type { DatagramSocket } from '@rivulet/common';
import { CipherSuite, DtlsEndpoint, type DtlsCertificate } from '../src/index.js';
import { computeFingerprint } from '../src/certificate.js';
import { HandshakeType } from '../src/constants.js';
import { testCertificates } from './helpers/pair.js';
import { handshakeFragments, type WireFragment } from './helpers/helloWire.js';
import { bindLoopback, OpensslProcess, opensslCertificate, opensslMissing, TempDir, toPem, until } from './helpers/openssl.js';

/**
 * OpenSSL 3 as the DTLS client with a ClientHello that does not fit its MTU, so it arrives in
 * several handshake fragments (RFC 6347 §4.2.3) — the situation a modern browser creates. OpenSSL's
 * own hello is ~180 bytes: -no_ticket only shrinks it and certificates are not part of it, so
 * `-mtu 256` alone does not fragment it. A long ALPN list, a long server name and `-cipher ALL`
 * grow it to ~940 bytes, which `-mtu 256` cuts into 5 fragments (asserted from the wire).
 */
describe('dtls server ↔ OpenSSL s_client with a fragmented ClientHello (MTU 256)', function () {
  this.timeout(30_000);
  let dir: TempDir;
  let ours: DtlsCertificate;
  let theirs: { cert: string; key: string; pem: string };
  const processes: OpensslProcess[] = [];
  const sockets: DatagramSocket[] = [];

  before(async function () {
    const missing = opensslMissing();
    if (missing) {
      console.log(`      skipped: ${missing}`);
      this.skip();
    }
    dir = new TempDir();
    ours = (await testCertificates()).ec[1]!;
    theirs = opensslCertificate(dir, 'ec', 'openssl-frag-client');
  });

  afterEach(() => {
    for (const p of processes.splice(0)) p.kill();
    for (const s of sockets.splice(0)) s.close();
  });

  after(() => {
    for (const p of processes.splice(0)) p.kill();
    dir?.remove();
  });

  const alpn = Array.from({ length: 20 }, (_, i) => `proto-${String(i).padStart(2, '0')}-abcdefghijklmnop`).join(',');
  const serverName = `${'a'.repeat(60)}.${'b'.repeat(60)}.example`;
  const bigHelloArgs = ['-mtu', '256', '-cipher', 'ALL', '-alpn', alpn, '-servername', serverName, '-groups', 'X25519:P-256:P-384:P-521:ffdhe2048:ffdhe3072'];

  /** Runs our server against s_client; `drop(i, datagram)` may discard the i-th datagram received. */
  async function run(drop: (index: number, datagram: Buffer) => boolean = () => false): Promise<{ fragments: WireFragment[]; endpoint: DtlsEndpoint; client: OpensslProcess }> {
    const socket = await bindLoopback();
    sockets.push(socket);
    let remote: { port: number; address: string } | undefined;
    const endpoint = new DtlsEndpoint({
      role: 'server',
      certificate: ours,
      remoteFingerprints: [{ algorithm: 'sha-256', value: computeFingerprint(new X509Certificate(theirs.pem).raw, 'sha-256') }],
      handshakeTimeoutMs: 15_000,
      send: (d) => {
        if (remote) socket.send(d, remote.port, remote.address);
      },
    });
    const received: Buffer[] = [];
    const data: string[] = [];
    const errors: Error[] = [];
    let index = 0;
    // The packet hook: every datagram s_client sends passes here first, so the test can count the
    // ClientHello fragments it really put on the wire.
    socket.onMessage((d, from) => {
      remote ??= { port: from.port, address: from.address };
      received.push(Buffer.from(d));
      if (drop(index++, d)) return;
      endpoint.handleDatagram(d);
    });
    endpoint.on('data', (d) => data.push(d.toString()));
    endpoint.on('error', (e) => errors.push(e));
    endpoint.start();
    const caFile = dir.file('ours-frag.pem', toPem(ours));
    const client = OpensslProcess.start([
      's_client', '-dtls1_2', '-connect', `127.0.0.1:${socket.localAddress.port}`, '-cert', theirs.cert, '-key', theirs.key,
      '-use_srtp', 'SRTP_AES128_CM_SHA1_80', '-keymatexport', 'EXTRACTOR-dtls_srtp', '-keymatexportlen', '60',
      '-CAfile', caFile, '-verify_return_error', ...bigHelloArgs,
    ]);
    processes.push(client);
    await until(() => endpoint.state !== 'connecting', 20_000, () => `handshake; counters ${JSON.stringify(endpoint.counters.toJSON())}; openssl said:\n${client.output}`);
    expect(errors.map((e) => e.message), client.output).to.deep.equal([]);
    expect(endpoint.state).to.equal('connected');
    await client.waitFor(/Keying material: [0-9A-F]+/, 5_000);
    expect(endpoint.exportKeyingMaterial('EXTRACTOR-dtls_srtp', 60).toString('hex')).to.equal(client.keyingMaterial());
    expect(endpoint.cipherSuite).to.equal(CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);
    expect(endpoint.srtpProfile).to.equal(1);
    client.write('xfrom-openssl\n');
    await until(() => data.join('').includes('xfrom-openssl'), 5_000, () => `data from openssl; got ${JSON.stringify(data)}`);
    endpoint.send(Buffer.from('xfrom-rivulet\n'));
    await client.waitFor(/xfrom-rivulet/, 5_000);
    expect(Math.max(...received.map((d) => d.length))).to.be.at.most(256);
    return { fragments: handshakeFragments(received).filter((f) => f.msgType === HandshakeType.clientHello), endpoint, client };
  }

  it('both ClientHellos (before and after HelloVerifyRequest) arrive in ≥ 4 fragments; handshake, exporter and data work', async () => {
    const { fragments, endpoint } = await run();
    const first = fragments.filter((f) => f.messageSeq === 0);
    const second = fragments.filter((f) => f.messageSeq === 1);
    expect(first.length).to.be.at.least(4);
    expect(second.length).to.be.at.least(4);
    expect(first[0]!.length).to.be.greaterThan(900);
    expect(first.some((f) => f.fragmentOffset > 0)).to.equal(true);
    expect(endpoint.counters.get('clientHelloReassembled')).to.equal(2);
    expect(endpoint.counters.get('badCookie')).to.equal(0);
  });

  it('a lost ClientHello fragment is recovered from OpenSSL retransmission', async () => {
    let dropped = 0;
    const { endpoint } = await run((i, d) => {
      // Drop the second fragment of the first hello, once.
      const f = handshakeFragments([d])[0];
      if (dropped === 0 && f && f.msgType === HandshakeType.clientHello && f.messageSeq === 0 && f.fragmentOffset > 0) {
        dropped++;
        return true;
      }
      return false;
    });
    expect(dropped).to.equal(1);
    expect(endpoint.counters.get('clientHelloReassembled')).to.equal(2);
  });
});

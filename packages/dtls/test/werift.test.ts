import { expect } from 'chai';
import { X509Certificate } from 'node:crypto';
import * as werift from 'werift';
import { computeFingerprint } from '../src/certificate.js';
import { CipherSuite, DtlsEndpoint, type DtlsCertificate } from '../src/index.js';
import { keyToPem, toPem, until } from './helpers/openssl.js';
import { testCertificates } from './helpers/pair.js';

/** werift's Transport seam, delivering to our endpoint (or a peer transport) on the next turn. */
class MemoryTransport {
  readonly type = 'memory';
  readonly address = { address: '127.0.0.1', port: 0, family: 'IPv4' } as const;
  closed = false;
  deliver: (d: Buffer) => void = () => undefined;
  onData: (data: Buffer, addr: unknown) => void = () => undefined;
  send = async (data: Buffer): Promise<void> => {
    const copy = Buffer.from(data);
    setImmediate(() => this.deliver(copy));
  };
  close = async (): Promise<void> => {
    this.closed = true;
  };
}

describe('dtls interop with werift (a second TypeScript implementation)', function () {
  this.timeout(20_000);
  let ec: DtlsCertificate[];
  const cleanup: (() => void)[] = [];
  before(async () => {
    ({ ec } = await testCertificates());
  });
  afterEach(() => {
    for (const c of cleanup.splice(0)) c();
  });

  for (const role of ['client', 'server'] as const) {
    it(`our ${role} ↔ werift ${role === 'client' ? 'server' : 'client'}: handshake, SRTP profile, exporter equality, data both ways`, async () => {
      const transport = new MemoryTransport();
      const weriftCert = ec[1]!;
      const opts = {
        transport: transport as never,
        cert: toPem(weriftCert),
        key: keyToPem(weriftCert),
        signatureHash: { hash: werift.HashAlgorithm.sha256_4, signature: werift.SignatureAlgorithm.ecdsa_3 },
        srtpProfiles: [1 as werift.SrtpProfile],
        certificateRequest: true,
        extendedMasterSecret: true,
      };
      const peer = role === 'client' ? new werift.DtlsServer(opts) : new werift.DtlsClient(opts);
      const ours = new DtlsEndpoint({
        role,
        certificate: ec[0]!,
        remoteFingerprints: [{ algorithm: 'sha-256', value: computeFingerprint(new X509Certificate(toPem(weriftCert)).raw, 'sha-256') }],
        cipherSuites: [CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256],
        srtpProfiles: [1],
        initialRetransmitMs: 200,
        handshakeTimeoutMs: 10_000,
        send: (d) => setImmediate(() => transport.onData(Buffer.from(d), ['127.0.0.1', 0])),
      });
      transport.deliver = (d) => ours.handleDatagram(d);
      cleanup.push(() => {
        ours.close();
        peer.close();
      });
      const errors: string[] = [];
      ours.on('error', (e) => errors.push(e.message));
      let peerConnected = false;
      peer.onConnect.once(() => (peerConnected = true));
      ours.start();
      if (peer instanceof werift.DtlsClient) void peer.connect();
      await until(() => (ours.state !== 'connecting' && peerConnected) || ours.state === 'failed', 10_000, () => `state ${ours.state}`);
      expect(errors).to.deep.equal([]);
      expect(ours.state).to.equal('connected');
      expect(ours.srtpProfile).to.equal(1);
      expect(ours.remoteCertificate!.equals(weriftCert.certificateDer)).to.equal(true);
      expect(ours.exportKeyingMaterial('EXTRACTOR-dtls_srtp', 60).toString('hex')).to.equal(
        peer.exportKeyingMaterial('EXTRACTOR-dtls_srtp', 60).toString('hex'),
      );
      const got: string[] = [];
      peer.onData.subscribe((d: Buffer) => got.push(`peer:${d.toString()}`));
      ours.on('data', (d) => got.push(`ours:${d.toString()}`));
      ours.send(Buffer.from('to werift'));
      await peer.send(Buffer.from('to rivulet'));
      await until(() => got.length === 2, 5_000, () => JSON.stringify(got));
      expect(got.sort()).to.deep.equal(['ours:to rivulet', 'peer:to werift']);
    });
  }
});

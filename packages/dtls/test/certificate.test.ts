import { expect } from 'chai';
import { createHash, X509Certificate } from 'node:crypto';
import { computeFingerprint, fingerprintMatches, generateCertificate, loadCertificate } from '../src/index.js';
import { testCertificates } from './helpers/pair.js';
import { keyToPem, toPem } from './helpers/openssl.js';

describe('dtls certificates', function () {
  this.timeout(20_000);

  it('generates a self-signed ECDSA P-256 certificate by default, valid for 30 days', async () => {
    const before = Date.now();
    const cert = await generateCertificate();
    const x = new X509Certificate(cert.certificateDer);
    expect(x.verify(x.publicKey)).to.equal(true); // self-signed
    expect(x.publicKey.asymmetricKeyType).to.equal('ec');
    expect(x.publicKey.asymmetricKeyDetails?.namedCurve).to.equal('prime256v1');
    expect(x.checkPrivateKey(cert.privateKey)).to.equal(true);
    const days = (cert.expires.getTime() - before) / 86_400_000;
    expect(days).to.be.within(29.99, 30.01);
    expect(x.subject).to.match(/^CN=rivulet-[0-9a-f]{12}$/);
  });

  it('generates RSA-2048 on request, with the requested lifetime', async () => {
    const { rsa } = await testCertificates();
    const x = new X509Certificate(rsa[0]!.certificateDer);
    expect(x.publicKey.asymmetricKeyType).to.equal('rsa');
    expect(x.publicKey.asymmetricKeyDetails?.modulusLength).to.equal(2048);
    const short = await generateCertificate({ expiresInDays: 2 });
    expect((short.expires.getTime() - Date.now()) / 86_400_000).to.be.within(1.99, 2.01);
    await generateCertificate({ expiresInDays: 0 }).then(
      () => expect.fail('should reject'),
      (e: Error) => expect(e.message).to.equal('generateCertificate: expiresInDays must be a positive number, got 0'),
    );
  });

  it('fingerprints are upper-case colon-separated hex of the DER hash (RFC 8122 §5)', async () => {
    const { ec } = await testCertificates();
    const cert = ec[0]!;
    const hex = createHash('sha256').update(cert.certificateDer).digest('hex').toUpperCase();
    expect(cert.fingerprint('sha-256')).to.equal(hex.match(/../g)!.join(':'));
    expect(cert.fingerprints.map((f) => f.algorithm)).to.deep.equal(['sha-256', 'sha-384', 'sha-512']);
    expect(cert.fingerprints[1]!.value).to.match(/^([0-9A-F]{2}:){47}[0-9A-F]{2}$/);
    expect(cert.fingerprint('sha-1')).to.match(/^([0-9A-F]{2}:){19}[0-9A-F]{2}$/);
    expect(fingerprintMatches(cert.certificateDer, { algorithm: 'SHA-256', value: ` ${cert.fingerprint('sha-256').toLowerCase()} ` })).to.equal(true);
    expect(fingerprintMatches(cert.certificateDer, { algorithm: 'sha-256', value: ec[1]!.fingerprint('sha-256') })).to.equal(false);
    expect(fingerprintMatches(cert.certificateDer, { algorithm: 'md5', value: 'AA' })).to.equal(false);
    expect(() => computeFingerprint(cert.certificateDer, 'md5')).to.throw("unsupported fingerprint algorithm 'md5'");
  });

  it('loadCertificate accepts PEM or DER with a matching key and rejects a mismatched one', async () => {
    const { ec } = await testCertificates();
    const loaded = loadCertificate(toPem(ec[0]!), keyToPem(ec[0]!));
    expect(loaded.certificateDer.equals(ec[0]!.certificateDer)).to.equal(true);
    expect(loaded.fingerprint('sha-256')).to.equal(ec[0]!.fingerprint('sha-256'));
    expect(loaded.expires.getTime()).to.be.closeTo(ec[0]!.expires.getTime(), 1000);
    const fromDer = loadCertificate(ec[0]!.certificateDer, ec[0]!.privateKey);
    expect(fromDer.fingerprint('sha-512')).to.equal(ec[0]!.fingerprint('sha-512'));
    expect(() => loadCertificate(ec[0]!.certificateDer, ec[1]!.privateKey)).to.throw('privateKey does not match the certificate public key');
    expect(() => loadCertificate(Buffer.from('nope'), ec[0]!.privateKey)).to.throw('certificate is neither DER nor PEM X.509');
  });
});

import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { generateCertificate } from '../src/index.js';
import { buildSelfSignedCertificate, derOid, derPositiveInteger, derTime, derTlv } from '../src/selfSigned.js';
import { OPENSSL, opensslMissing, TempDir } from './helpers/openssl.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('dtls self-signed certificate DER (RFC 5280 §4.1)', function () {
  this.timeout(20_000);

  it('encodes OIDs per X.690 §8.19 (known encodings)', () => {
    expect(hex(derOid('1.2.840.10045.4.3.2'))).to.equal('06082a8648ce3d040302'); // ecdsa-with-SHA256
    expect(hex(derOid('1.2.840.113549.1.1.11'))).to.equal('06092a864886f70d01010b'); // sha256WithRSAEncryption
    expect(hex(derOid('2.5.4.3'))).to.equal('0603550403'); // commonName
    expect(() => derOid('1')).to.throw("derOid: '1' is not a dotted OID");
  });

  it('uses short and long definite lengths (X.690 §8.1.3)', () => {
    expect(hex(derTlv(0x04, Buffer.alloc(127))).slice(0, 4)).to.equal('047f');
    expect(hex(derTlv(0x04, Buffer.alloc(128))).slice(0, 6)).to.equal('048180');
    expect(hex(derTlv(0x04, Buffer.alloc(300))).slice(0, 8)).to.equal('0482012c');
  });

  it('encodes positive INTEGERs minimally, padding a set sign bit', () => {
    expect(hex(derPositiveInteger(Buffer.from([0x7f, 1])))).to.equal('02027f01');
    expect(hex(derPositiveInteger(Buffer.from([0x80])))).to.equal('02020080');
    expect(hex(derPositiveInteger(Buffer.from([0, 0, 5])))).to.equal('020105');
  });

  it('switches from UTCTime to GeneralizedTime in 2050 (RFC 5280 §4.1.2.5)', () => {
    expect(derTime(new Date(Date.UTC(2026, 10, 21, 7, 5, 9))).toString('latin1')).to.equal('\x17\x0d261121070509Z');
    expect(derTime(new Date(Date.UTC(2049, 11, 31, 23, 59, 59))).toString('latin1')).to.equal('\x17\x0d491231235959Z');
    expect(derTime(new Date(Date.UTC(2050, 0, 1, 0, 0, 0))).toString('latin1')).to.equal('\x18\x0f20500101000000Z');
  });

  it('builds a certificate node parses, with the exact fields given, verifying under its own key', () => {
    const keys = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const der = buildSelfSignedCertificate({
      serial: Buffer.from('0102030405060708', 'hex'), commonName: 'rivulet-test',
      notBefore: new Date(Date.UTC(2026, 0, 1)), notAfter: new Date(Date.UTC(2051, 5, 2, 3, 4, 5)),
      spkiDer: keys.publicKey.export({ type: 'spki', format: 'der' }), privateKey: keys.privateKey,
    });
    const x = new X509Certificate(der);
    expect(x.serialNumber).to.equal('0102030405060708');
    expect(x.subject).to.equal('CN=rivulet-test');
    expect(x.issuer).to.equal('CN=rivulet-test');
    expect(new Date(x.validFrom).toISOString()).to.equal('2026-01-01T00:00:00.000Z');
    expect(new Date(x.validTo).toISOString()).to.equal('2051-06-02T03:04:05.000Z');
    expect(x.verify(keys.publicKey)).to.equal(true);
    expect(x.checkPrivateKey(keys.privateKey)).to.equal(true);
    const other = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    expect(x.verify(other.publicKey)).to.equal(false);
  });

  it('rejects bad fields with messages naming the value', () => {
    const keys = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const base = { serial: Buffer.from([1]), commonName: 'x', notBefore: new Date(1000), notAfter: new Date(2000), spkiDer: keys.publicKey.export({ type: 'spki', format: 'der' }), privateKey: keys.privateKey };
    expect(() => buildSelfSignedCertificate({ ...base, serial: Buffer.alloc(21, 1) })).to.throw('serial must be 1–20 bytes, got 21');
    expect(() => buildSelfSignedCertificate({ ...base, notAfter: new Date(1000) })).to.throw('notAfter 1970-01-01T00:00:01.000Z is not after notBefore');
    const ed = generateKeyPairSync('ed25519');
    expect(() => buildSelfSignedCertificate({ ...base, privateKey: ed.privateKey })).to.throw('privateKey must be an EC or RSA key, got ed25519');
  });

  it('generateCertificate: expires equals the certificate notAfter to the second, RSA signs sha256WithRSAEncryption', async () => {
    const ec = await generateCertificate({ expiresInDays: 3 });
    const x = new X509Certificate(ec.certificateDer);
    expect(new Date(x.validTo).getTime()).to.equal(ec.expires.getTime());
    const rsa = await generateCertificate({ keyType: 'rsa-2048' });
    const xr = new X509Certificate(rsa.certificateDer);
    expect(xr.verify(xr.publicKey)).to.equal(true);
    expect(xr.checkPrivateKey(rsa.privateKey)).to.equal(true);
  });

  it('openssl reads generated certificates as v3 self-signed ecdsa-with-SHA256 / sha256WithRSAEncryption', async function () {
    const missing = opensslMissing();
    if (missing) return this.skip();
    const dir = new TempDir();
    try {
      for (const [keyType, alg] of [['ecdsa-p256', 'ecdsa-with-SHA256'], ['rsa-2048', 'sha256WithRSAEncryption']] as const) {
        const cert = await generateCertificate({ keyType, commonName: 'rivulet-openssl' });
        const file = dir.file(`${keyType}.der`, cert.certificateDer);
        const text = spawnSync(OPENSSL, ['x509', '-inform', 'der', '-in', file, '-noout', '-text'], { encoding: 'utf8' });
        expect(text.status, text.stderr).to.equal(0);
        expect(text.stdout).to.include('Version: 3 (0x2)');
        expect(text.stdout).to.include(`Signature Algorithm: ${alg}`);
        expect(text.stdout).to.include('Subject: CN = rivulet-openssl');
        // Self-signed: verifies against itself as the only trust anchor.
        const pem = dir.file(`${keyType}.pem`, new X509Certificate(cert.certificateDer).toString());
        const verify = spawnSync(OPENSSL, ['verify', '-CAfile', pem, '-partial_chain', pem], { encoding: 'utf8' });
        expect(verify.stdout.trim(), verify.stderr).to.equal(`${pem}: OK`);
      }
    } finally {
      dir.remove();
    }
  });
});

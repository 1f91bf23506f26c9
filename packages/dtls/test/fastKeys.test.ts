import { expect } from 'chai';
import { createHash, createPublicKey, diffieHellman, generateKeyPairSync, randomBytes, X509Certificate } from 'node:crypto';
import { computeFingerprint, fingerprintMatches, generateCertificate } from '../src/index.js';
import { NamedGroup } from '../src/constants.js';
import { EphemeralKey } from '../src/crypto/keyExchange.js';
import { checkPeerCertificate } from '../src/handshake/context.js';
import { ecPublicKeyFromCertificate } from '../src/handshake/peerKey.js';
import { buildSelfSignedCertificate } from '../src/selfSigned.js';
import { DtlsAlertError } from '../src/errors.js';

/**
 * The set-up latency work replaced node's DER key encoders/decoders (slow under OpenSSL 3) with
 * JWK and a small certificate reader. These tests pin that the cheap paths give exactly the keys
 * and secrets the DER paths give.
 */

function certWith(namedCurve: 'prime256v1' | 'secp384r1'): { der: Buffer; spki: Buffer } {
  const keys = generateKeyPairSync('ec', { namedCurve });
  const spki = keys.publicKey.export({ type: 'spki', format: 'der' });
  const der = buildSelfSignedCertificate({
    serial: Buffer.from([1, 2, 3]),
    commonName: 'peer',
    notBefore: new Date(Date.UTC(2026, 0, 1)),
    notAfter: new Date(Date.UTC(2027, 0, 1)),
    spkiDer: spki,
    privateKey: keys.privateKey,
  });
  return { der, spki };
}

describe('dtls cheap key paths (JWK instead of DER through OpenSSL 3 decoders)', function () {
  this.timeout(20_000);

  it('reads the P-256 and P-384 key of a certificate: the same key node X509Certificate reads', () => {
    for (const curve of ['prime256v1', 'secp384r1'] as const) {
      const { der, spki } = certWith(curve);
      const key = ecPublicKeyFromCertificate(der);
      expect(key, curve).to.not.equal(undefined);
      expect(key!.asymmetricKeyDetails?.namedCurve).to.equal(curve);
      expect(key!.export({ type: 'spki', format: 'der' }).equals(spki), curve).to.equal(true);
      expect(key!.equals(new X509Certificate(der).publicKey), curve).to.equal(true);
    }
  });

  it('reads the key of generateCertificate() certificates (version [0] present)', async () => {
    const cert = await generateCertificate();
    const key = ecPublicKeyFromCertificate(cert.certificateDer);
    expect(key!.equals(createPublicKey(cert.privateKey))).to.equal(true);
  });

  it('returns undefined for what it does not recognise, so the X509Certificate path decides', async () => {
    const { der } = certWith('prime256v1');
    expect(ecPublicKeyFromCertificate(der.subarray(0, der.length - 1))).to.equal(undefined); // truncated
    expect(ecPublicKeyFromCertificate(Buffer.concat([der, Buffer.from([0])]))).to.equal(undefined); // trailing byte
    expect(ecPublicKeyFromCertificate(Buffer.from([0x30, 0x80, 0, 0]))).to.equal(undefined); // indefinite length
    expect(ecPublicKeyFromCertificate(Buffer.alloc(0))).to.equal(undefined);
    const otherCurve = Buffer.from(der);
    const at = otherCurve.indexOf(Buffer.from('2a8648ce3d030107', 'hex'));
    otherCurve[at + 7] = 0x08; // 1.2.840.10045.3.1.8: not a curve we read
    expect(ecPublicKeyFromCertificate(otherCurve)).to.equal(undefined);
    const rsa = await generateCertificate({ keyType: 'rsa-2048' });
    expect(ecPublicKeyFromCertificate(rsa.certificateDer)).to.equal(undefined);
    // checkPeerCertificate still gets the RSA key through X509Certificate.
    expect(checkPeerCertificate(rsa.certificateDer, rsa.fingerprints, 'rsa').asymmetricKeyType).to.equal('rsa');
  });

  it('a point that is not on the curve is a bad_certificate alert', () => {
    const { der } = certWith('prime256v1');
    const bad = Buffer.from(der);
    const at = bad.indexOf(Buffer.from('03420004', 'hex')) + 4;
    bad[at + 63] = bad[at + 63]! ^ 1; // flip one bit of Y
    expect(() => ecPublicKeyFromCertificate(bad)).to.throw();
    let err: unknown;
    try {
      checkPeerCertificate(bad, undefined, 'ec');
    } catch (e) {
      err = e;
    }
    expect(err).to.be.instanceOf(DtlsAlertError);
    expect((err as DtlsAlertError).message).to.match(/^peer certificate does not parse: /);
  });

  it('generateCertificate() SubjectPublicKeyInfo (built from JWK) is the DER node exports for the key', async () => {
    for (let i = 0; i < 5; i++) {
      const cert = await generateCertificate();
      const x = new X509Certificate(cert.certificateDer);
      expect(x.publicKey.export({ type: 'spki', format: 'der' }).equals(createPublicKey(cert.privateKey).export({ type: 'spki', format: 'der' }))).to.equal(true);
      expect(x.checkPrivateKey(cert.privateKey)).to.equal(true);
      expect(x.verify(x.publicKey)).to.equal(true);
    }
  });

  it('X25519 EphemeralKey (JWK in and out) agrees with a peer computing over DER keys', () => {
    for (let i = 0; i < 5; i++) {
      const ours = new EphemeralKey(NamedGroup.x25519);
      expect(ours.publicKey).to.have.length(32);
      const peer = generateKeyPairSync('x25519');
      const peerRaw = peer.publicKey.export({ type: 'spki', format: 'der' }).subarray(-32);
      const secret = ours.computeSecret(peerRaw);
      const ourSpki = Buffer.concat([Buffer.from('302a300506032b656e032100', 'hex'), ours.publicKey]);
      const expected = diffieHellman({ privateKey: peer.privateKey, publicKey: createPublicKey({ key: ourSpki, format: 'der', type: 'spki' }) });
      expect(Buffer.isBuffer(secret) && secret.equals(expected)).to.equal(true);
    }
  });

  it('X25519 rejects a wrong-length value and a small-order point (RFC 7748 §6.1 all-zero output)', () => {
    const ours = new EphemeralKey(NamedGroup.x25519);
    const short = ours.computeSecret(randomBytes(31));
    expect(short).to.be.instanceOf(Error);
    expect((short as Error).message).to.equal('X25519 public value must be 32 bytes, got 31');
    const zero = ours.computeSecret(Buffer.alloc(32)); // u = 0 has small order: returned, not thrown
    expect(zero).to.be.instanceOf(Error);
  });
  it('fingerprints: table-formatted hex equals the plain digest, and matching parses the SDP value exactly (RFC 8122 §5)', async () => {
    const cert = await generateCertificate();
    const der = cert.certificateDer;
    for (const [alg, node] of [['sha-1', 'sha1'], ['sha-256', 'sha256'], ['SHA-384', 'sha384'], ['sha-512', 'sha512']] as const) {
      const plain = createHash(node).update(der).digest('hex').toUpperCase().match(/../g)!.join(':');
      expect(computeFingerprint(der, alg), alg).to.equal(plain);
      expect(fingerprintMatches(der, { algorithm: alg, value: plain }), alg).to.equal(true);
      expect(fingerprintMatches(der, { algorithm: alg, value: `  ${plain.toLowerCase()}\t` }), `${alg} lower case, spaces`).to.equal(true);
    }
    const good = computeFingerprint(der, 'sha-256');
    const flipLast = good.slice(0, -1) + (good.endsWith('0') ? '1' : '0');
    const bad = [
      flipLast, // one nibble off
      good.replace(/:/g, '-'), // wrong separator
      good.slice(0, -3), // one byte short
      `${good}:00`, // one byte long
      `G${good.slice(1)}`, // not hex
      good.replace(/:/g, ''), // no separators
      '',
    ];
    for (const value of bad) expect(fingerprintMatches(der, { algorithm: 'sha-256', value }), JSON.stringify(value)).to.equal(false);
    expect(fingerprintMatches(der, { algorithm: 'sha-384', value: good })).to.equal(false); // right bytes, wrong algorithm
  });
});

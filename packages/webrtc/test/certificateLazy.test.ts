/**
 * RTCCertificate computes its fingerprints on the first getFingerprints(), not at creation, and the
 * descriptions we create use only the sha-256 digest: every connection generates a certificate, so
 * hashing the DER with sha-256, sha-384 and sha-512 up front was CPU and garbage on the connect path.
 * getFingerprints() still returns all three (webrtc-pc §4.9.2, as browsers do).
 */
import { createHash } from 'node:crypto';
import { expect } from 'chai';
import { generateCertificate, type DtlsCertificate, type FingerprintAlgorithm } from '@rivulet/dtls';
import { RTCPeerConnection } from '../src/index.js';
import { createCertificate } from '../src/rtc/RTCCertificate.js';

/** Material that counts how often the full fingerprint list and each single digest are computed. */
async function countingMaterial(): Promise<{ material: DtlsCertificate; all: () => number; single: Map<string, number> }> {
  const real = await generateCertificate();
  let all = 0;
  const single = new Map<string, number>();
  const material: DtlsCertificate = {
    certificateDer: real.certificateDer,
    privateKey: real.privateKey,
    expires: real.expires,
    fingerprint(algorithm: FingerprintAlgorithm): string {
      single.set(algorithm, (single.get(algorithm) ?? 0) + 1);
      return real.fingerprint(algorithm);
    },
    get fingerprints() {
      all++;
      return real.fingerprints;
    },
  };
  return { material, all: () => all, single };
}

const hex = (der: Uint8Array, hash: string): string =>
  createHash(hash).update(der).digest('hex').toUpperCase().match(/../g)!.join(':');

describe('RTCCertificate fingerprints are lazy', () => {
  it('creation computes no fingerprint; getFingerprints() returns sha-256, sha-384, sha-512 with exact values, once', async () => {
    const { material, all, single } = await countingMaterial();
    const cert = createCertificate(material);
    expect(all()).to.equal(0);
    expect(single.size).to.equal(0);
    const fps = cert.getFingerprints();
    expect(fps).to.deep.equal([
      { algorithm: 'sha-256', value: hex(material.certificateDer, 'sha256') },
      { algorithm: 'sha-384', value: hex(material.certificateDer, 'sha384') },
      { algorithm: 'sha-512', value: hex(material.certificateDer, 'sha512') },
    ]);
    // Fresh objects each call (callers may mutate them), computed only once.
    fps[0]!.value = 'changed';
    expect(cert.getFingerprints()[0]!.value).to.equal(hex(material.certificateDer, 'sha256'));
    expect(all()).to.equal(1);
  });

  it('an offer signals the sha-256 fingerprint without computing the sha-384/512 list', async () => {
    const { material, all, single } = await countingMaterial();
    const pc = new RTCPeerConnection({ certificates: [createCertificate(material)] });
    try {
      pc.createDataChannel('x');
      const offer = await pc.createOffer();
      await pc.setLocalDescription(offer);
      expect(offer.sdp).to.include(`a=fingerprint:sha-256 ${hex(material.certificateDer, 'sha256')}\r\n`);
      expect(offer.sdp!.match(/a=fingerprint:/g)).to.have.length(1);
      expect(all()).to.equal(0);
      expect([...single.keys()]).to.deep.equal(['sha-256']);
    } finally {
      pc.close();
    }
  });

  it('the dtls certificate memoises its sha-256 digest and builds the list from it', async () => {
    const c = await generateCertificate();
    const first = c.fingerprint('sha-256');
    expect(first).to.equal(hex(c.certificateDer, 'sha256'));
    expect(c.fingerprint('sha-256')).to.equal(first);
    expect(c.fingerprint('sha-1')).to.equal(hex(c.certificateDer, 'sha1'));
    expect(c.fingerprints.map((f) => f.algorithm)).to.deep.equal(['sha-256', 'sha-384', 'sha-512']);
    expect(c.fingerprints[2]!.value).to.equal(hex(c.certificateDer, 'sha512'));
  });
});

import { expect } from 'chai';
import {
  SRTP_PROFILES,
  dtlsIdOf,
  keyingMaterialLength,
  profileParams,
  splitDtlsSrtpKeyingMaterial,
  srtpProfileFromDtlsId,
} from '../src/index.js';

const hex = (s: string): Buffer => Buffer.from(s, 'hex');

describe('srtp profiles and DTLS-SRTP keying material (RFC 5764 §4.1.2, §4.2; RFC 7714 §14.2)', () => {
  it('maps use_srtp ids both ways', () => {
    expect(srtpProfileFromDtlsId(0x0001)).to.equal('AES_CM_128_HMAC_SHA1_80');
    expect(srtpProfileFromDtlsId(0x0002)).to.equal('AES_CM_128_HMAC_SHA1_32');
    expect(srtpProfileFromDtlsId(0x0007)).to.equal('AEAD_AES_128_GCM');
    expect(srtpProfileFromDtlsId(0x0008)).to.equal('AEAD_AES_256_GCM');
    expect(srtpProfileFromDtlsId(0x0005)).to.equal(undefined); // NULL cipher: not supported
    expect(srtpProfileFromDtlsId(0)).to.equal(undefined);
    expect(dtlsIdOf('AES_CM_128_HMAC_SHA1_80')).to.equal(1);
    expect(dtlsIdOf('AES_CM_128_HMAC_SHA1_32')).to.equal(2);
    expect(dtlsIdOf('AEAD_AES_128_GCM')).to.equal(7);
    expect(dtlsIdOf('AEAD_AES_256_GCM')).to.equal(8);
    expect(() => dtlsIdOf('AES_256_CM_HMAC_SHA1_80')).to.throw(/no registered DTLS-SRTP/);
    expect(() => profileParams('AES_CM_99' as never)).to.throw(/unknown SRTP profile "AES_CM_99"/);
  });

  it('keying material lengths are 2 × (key + salt)', () => {
    expect(keyingMaterialLength('AES_CM_128_HMAC_SHA1_80')).to.equal(60);
    expect(keyingMaterialLength('AES_CM_128_HMAC_SHA1_32')).to.equal(60);
    expect(keyingMaterialLength('AEAD_AES_128_GCM')).to.equal(56);
    expect(keyingMaterialLength('AEAD_AES_256_GCM')).to.equal(88);
    expect(SRTP_PROFILES.length).to.equal(5);
  });

  it('splits the exporter output client_key ‖ server_key ‖ client_salt ‖ server_salt (vectors.md exporter value)', () => {
    const km = hex(
      '05ac5a731ad359d5186dee7f9b46fbd534f0af013b341b9f5c2dcad39186656e288e38b7551f9f181f7c7bcafcab035688fddcb8fbd3fb32a099c06b',
    );
    const c = splitDtlsSrtpKeyingMaterial(km, 'AES_CM_128_HMAC_SHA1_80', 'client');
    expect(c.localKey.toString('hex')).to.equal('05ac5a731ad359d5186dee7f9b46fbd5');
    expect(c.remoteKey.toString('hex')).to.equal('34f0af013b341b9f5c2dcad39186656e');
    expect(c.localSalt.toString('hex')).to.equal('288e38b7551f9f181f7c7bcafcab');
    expect(c.remoteSalt.toString('hex')).to.equal('035688fddcb8fbd3fb32a099c06b');
    const s = splitDtlsSrtpKeyingMaterial(km, 'AES_CM_128_HMAC_SHA1_80', 'server');
    expect(s.localKey.equals(c.remoteKey)).to.equal(true);
    expect(s.localSalt.equals(c.remoteSalt)).to.equal(true);
    expect(s.remoteKey.equals(c.localKey)).to.equal(true);
    expect(s.remoteSalt.equals(c.localSalt)).to.equal(true);
    // Copies, not views: mutating the exporter buffer must not change keys.
    km.fill(0);
    expect(c.localKey.toString('hex')).to.equal('05ac5a731ad359d5186dee7f9b46fbd5');
  });

  it('GCM split uses 16-byte keys and 12-byte salts', () => {
    const km = Buffer.from(Array.from({ length: 56 }, (_, i) => i));
    const c = splitDtlsSrtpKeyingMaterial(km, 'AEAD_AES_128_GCM', 'client');
    expect(c.localKey).to.deep.equal(km.subarray(0, 16));
    expect(c.remoteKey).to.deep.equal(km.subarray(16, 32));
    expect(c.localSalt).to.deep.equal(km.subarray(32, 44));
    expect(c.remoteSalt).to.deep.equal(km.subarray(44, 56));
  });

  it('rejects a wrong material length or role with a message naming the value', () => {
    expect(() => splitDtlsSrtpKeyingMaterial(Buffer.alloc(59), 'AES_CM_128_HMAC_SHA1_80', 'client')).to.throw(
      'DTLS-SRTP keying material for AES_CM_128_HMAC_SHA1_80 must be 60 bytes, got 59',
    );
    expect(() => splitDtlsSrtpKeyingMaterial(Buffer.alloc(60), 'AES_CM_128_HMAC_SHA1_80', 'peer' as never)).to.throw(
      `role must be 'client' or 'server', got "peer"`,
    );
  });
});

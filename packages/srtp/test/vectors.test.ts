import { expect } from 'chai';
import {
  AesCmKeystream,
  AesGcmCipher,
  SrtcpContext,
  SrtpContext,
  createSrtpCipher,
  deriveSessionKeys,
  srtpKdf,
  type SrtpSessionKeys,
} from '../src/index.js';

// Known-answer vectors from /work/shared/vectors.md (RFC 3711 App. B, RFC 6188 §7, RFC 7714 §16-17).
const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

describe('srtp vectors: RFC 3711 Appendix B / RFC 6188 §7 (AES-CM)', () => {
  it('B.2 AES-128-CM keystream blocks 0..2 and 0xfeff..0xff01', () => {
    const ks = new AesCmKeystream(hex('2b7e151628aed2a6abf7158809cf4f3c'));
    hex('f0f1f2f3f4f5f6f7f8f9fafbfcfd0000').copy(ks.iv);
    const stream = ks.keystream(0xff02 * 16);
    expect(stream.subarray(0, 48).toString('hex')).to.equal(
      'e03ead0935c95e80e166b16dd92b4eb4d23513162b02d0f72a43a2fe4a5f97ab41e95b3bb0a2e8dd477901e4fca894c0',
    );
    expect(stream.subarray(0xfeff * 16, 0xff02 * 16).toString('hex')).to.equal(
      'ec8cdf7398607cb0f2d21675ea9ea1e4362b7c3c6773516318a077d7fc5073ae6a2cc3787889374fbeb4c81b17ba6c44',
    );
  });

  it('B.2 keystream applied to a buffer equals XOR with the keystream, at odd offsets too', () => {
    const ks = new AesCmKeystream(hex('2b7e151628aed2a6abf7158809cf4f3c'));
    hex('f0f1f2f3f4f5f6f7f8f9fafbfcfd0000').copy(ks.iv);
    const expected = hex('e03ead0935c95e80e166b16dd92b4eb4d23513162b02d0f72a43a2fe4a5f97ab41e95b3bb0a2e8dd477901e4fca894c0');
    for (const offset of [0, 1, 3, 4]) {
      const data = Buffer.alloc(offset + 45, 0);
      ks.apply(data, offset, offset + 45);
      expect(data.subarray(offset).toString('hex')).to.equal(expected.subarray(0, 45).toString('hex'));
      expect(data.subarray(0, offset).every((b) => b === 0)).to.equal(true);
    }
  });

  it('B.3 key derivation (AES-128, kdr = 0)', () => {
    const mk = hex('e1f97a0d3e018be0d64fa32c06de4139');
    const ms = hex('0ec675ad498afeebb6960b3aabe6');
    expect(srtpKdf(mk, ms, 0, 16).toString('hex')).to.equal('c61e7a93744f39ee10734afe3ff7a087');
    expect(srtpKdf(mk, ms, 2, 14).toString('hex')).to.equal('30cbbc08863d8c85d49db34a9ae1');
    expect(srtpKdf(mk, ms, 1, 20).toString('hex')).to.equal('cebe321f6ff7716b6fd4ab49af256a156d38baa4');
    const keys = deriveSessionKeys('AES_CM_128_HMAC_SHA1_80', mk, ms);
    expect(keys.rtpKey.toString('hex')).to.equal('c61e7a93744f39ee10734afe3ff7a087');
    expect(keys.rtpSalt.toString('hex')).to.equal('30cbbc08863d8c85d49db34a9ae1');
    expect(keys.rtpAuthKey.toString('hex')).to.equal('cebe321f6ff7716b6fd4ab49af256a156d38baa4');
  });

  it('RFC 6188 §7.1 AES-256-CM keystream', () => {
    const ks = new AesCmKeystream(hex('57f82fe3613fd170a85ec93c40b1f0922ec4cb0dc025b58272147cc438944a98'));
    hex('f0f1f2f3f4f5f6f7f8f9fafbfcfd0000').copy(ks.iv);
    expect(ks.keystream(48).toString('hex')).to.equal(
      '92bdd28a93c3f52511c677d08b5515a49da71b2378a854f67050756ded165bac63c4868b7096d88421b563b8c94c9a31',
    );
  });

  it('RFC 6188 §7.2 AES-256 key derivation', () => {
    const keys = deriveSessionKeys(
      'AES_256_CM_HMAC_SHA1_80',
      hex('f0f04914b513f2763a1b1fa130f10e2998f6f6e43e4309d1e622a0e332b9f1b6'),
      hex('3b04803de51ee7c96423ab5b78d2'),
    );
    expect(keys.rtpKey.toString('hex')).to.equal('5ba1064e30ec51613cad926c5a28ef731ec7fb397f70a960653caf06554cd8c4');
    expect(keys.rtpSalt.toString('hex')).to.equal('fa31791685ca444a9e07c6c64e93');
    expect(keys.rtpAuthKey.toString('hex')).to.equal('fd9c32d39ed5fbb5a9dc96b30818454d1313dc05');
  });
});

describe('srtp vectors: RFC 7714 §16-17 (AES-GCM; the RFC uses the master key as session key)', () => {
  const rtp = hex('8040f17b8041f8d35501a0b247616c6c696120657374206f6d6e69732064697669736120696e207061727465732074726573');
  const rtcp = hex('81c8000d4d6172734e5450314e545032525450200000042a0000e9304c756e61deadbeefdeadbeefdeadbeefdeadbeefdeadbeef');
  const salt = hex('517569642070726f2071756f');
  const keys = (key: string): SrtpSessionKeys => ({
    rtpKey: hex(key), rtpSalt: salt, rtpAuthKey: Buffer.alloc(0),
    rtcpKey: hex(key), rtcpSalt: salt, rtcpAuthKey: Buffer.alloc(0),
  });
  const k128 = '000102030405060708090a0b0c0d0e0f';
  const k256 = '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f';

  const cases = [
    { name: 'AEAD_AES_128_GCM', key: k128, profile: 'AEAD_AES_128_GCM' as const,
      srtp: '8040f17b8041f8d35501a0b2f24de3a3fb34de6cacba861c9d7e4bcabe633bd50d294e6f42a5f47a51c7d19b36de3adf8833899d7f27beb16a9152cf765ee4390cce',
      srtpAuthOnly: '8040f17b8041f8d35501a0b247616c6c696120657374206f6d6e69732064697669736120696e20706172746573207472657322493f82d2bce397e9d79e3b19aa4216',
      srtcp: '81c8000d4d61727363e94885dcdab67ca727d7662f6b7e997ff5c0f76c06f32dc676a5f1730d6fda4ce09b4686303ded0bb9275bc84aa45896cf4d2fc5abf87245d9eade800005d4',
      srtcpAuthOnly: '81c8000d4d6172734e5450314e545032525450200000042a0000e9304c756e61deadbeefdeadbeefdeadbeefdeadbeefdeadbeef841dd9683dd78ec92ae58790125f62b3000005d4' },
    { name: 'AEAD_AES_256_GCM', key: k256, profile: 'AEAD_AES_256_GCM' as const,
      srtp: '8040f17b8041f8d35501a0b232b1de78a822fe12ef9f78fa332e33aab18012389a58e2f3b50b2a0276ffae0f1ba63799b87b7aa3db36dfffd6b0f9bb7878d7a76c13',
      srtpAuthOnly: '8040f17b8041f8d35501a0b247616c6c696120657374206f6d6e69732064697669736120696e207061727465732074726573a866d5910f887463067ceefec45215d4',
      srtcp: '81c8000d4d617273d50ae4d1f5ce5d304ba297e47d470c282c3ece5dbffe0a50a2eaa5c1110555be8415f658c61de0476f1b6fad1d1eb30c4446839f57ff6f6cb26ac3be800005d4',
      srtcpAuthOnly: '81c8000d4d6172734e5450314e545032525450200000042a0000e9304c756e61deadbeefdeadbeefdeadbeefdeadbeefdeadbeef91db4afbfeee5a978fab4393ed2615fe000005d4' },
  ];

  for (const c of cases) {
    it(`${c.name} SRTP encryption (§16.1) protects and unprotects to the RFC bytes`, () => {
      const tx = new SrtpContext({ cipher: createSrtpCipher(c.profile, keys(c.key)) });
      expect(tx.protect(rtp).toString('hex')).to.equal(c.srtp);
      const rx = new SrtpContext({ cipher: createSrtpCipher(c.profile, keys(c.key)) });
      expect(rx.unprotect(hex(c.srtp))?.toString('hex')).to.equal(rtp.toString('hex'));
    });

    it(`${c.name} SRTP authentication-only (§16.2)`, () => {
      const tx = new SrtpContext({ cipher: new AesGcmCipher(keys(c.key), false) });
      expect(tx.protect(rtp).toString('hex')).to.equal(c.srtpAuthOnly);
      const rx = new SrtpContext({ cipher: new AesGcmCipher(keys(c.key), false) });
      expect(rx.unprotect(hex(c.srtpAuthOnly))?.toString('hex')).to.equal(rtp.toString('hex'));
    });

    it(`${c.name} SRTCP encrypted, E = 1, index 0x5d4 (§17.1)`, () => {
      const tx = new SrtcpContext({ cipher: createSrtpCipher(c.profile, keys(c.key)) });
      tx.setSrtcpIndex(0x4d617273, 0x5d4);
      expect(tx.protect(rtcp).toString('hex')).to.equal(c.srtcp);
      expect(tx.srtcpIndex(0x4d617273)).to.equal(0x5d5);
      const rx = new SrtcpContext({ cipher: createSrtpCipher(c.profile, keys(c.key)) });
      expect(rx.unprotect(hex(c.srtcp))?.toString('hex')).to.equal(rtcp.toString('hex'));
    });

    it(`${c.name} SRTCP authentication-only, E = 0 (§17.2)`, () => {
      const tx = new SrtcpContext({ cipher: createSrtpCipher(c.profile, keys(c.key)) });
      tx.setSrtcpIndex(0x4d617273, 0x5d4);
      expect(tx.protect(rtcp, false).toString('hex')).to.equal(c.srtcpAuthOnly);
      const rx = new SrtcpContext({ cipher: createSrtpCipher(c.profile, keys(c.key)) });
      expect(rx.unprotect(hex(c.srtcpAuthOnly))?.toString('hex')).to.equal(rtcp.toString('hex'));
    });
  }
});

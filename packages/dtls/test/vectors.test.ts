import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { RecordCipher, splitKeyBlock } from '../src/crypto/aead.js';
import { cipherSuiteInfo, CipherSuite } from '../src/crypto/cipherSuites.js';
import { x25519Raw } from '../src/crypto/keyExchange.js';
import { exportKeyingMaterial, keyBlock, masterSecret, prf, verifyData } from '../src/crypto/prf.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

// Values from /work/shared/vectors.md (TLS WG PRF vector; "Illustrated TLS Connection" key schedule).
const clientRandom = hex('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f');
const serverRandom = hex('707172737475767778797a7b7c7d7e7f808182838485868788898a8b8c8d8e8f');
const preMaster = hex('df4a291baa1eb7cfa6934b29b474baad2697e29f1f920dcc77c8a0a088447624');
const master = hex('916abf9da55973e13614ae0a3f5d3f37b023ba129aee02cc9134338127cd7049781c8e19fc1eb2a7387ac06ae237344c');

describe('dtls key schedule known answers', () => {
  it('TLS 1.2 PRF P_SHA256 (IETF TLS WG msg03416), 100 bytes', () => {
    const out = prf('sha256', hex('9bbe436ba940f017b17652849a71db35'), 'test label', hex('a0ba9f936cda311827a6f796ffd5198c'), 100);
    expect(out.toString('hex')).to.equal(
      'e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a' +
        '6b301791e90d35c9c9a46b4e14baf9af0fa022f7077def17abfd3797c0564bab' +
        '4fbc91666e9def9b97fce34f796789baa48082d122ee42c5a72e5a5110fff701' +
        '87347b66',
    );
  });

  it('X25519 pre-master secret', () => {
    const pms = x25519Raw(
      hex('202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f'),
      hex('9fd7ad6dcff4298dd3f96d5b1b2af910a0535b1488d7f8fabb349a982880b615'),
    );
    expect(pms.toString('hex')).to.equal(preMaster.toString('hex'));
  });

  it('master secret', () => {
    expect(masterSecret('sha256', preMaster, clientRandom, serverRandom).toString('hex')).to.equal(master.toString('hex'));
  });

  it('key block (server_random ‖ client_random order) split for AES-128-GCM', () => {
    const suite = cipherSuiteInfo(CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256)!;
    const keys = splitKeyBlock(suite, keyBlock('sha256', master, clientRandom, serverRandom, 40));
    expect(keys.clientWriteKey.toString('hex')).to.equal('1b7d117c7d5f690bc263cae8ef60af0f');
    expect(keys.serverWriteKey.toString('hex')).to.equal('1878acc22ad8bdd8c601a617126f6354');
    expect(keys.clientWriteIv.toString('hex')).to.equal('0eb20906');
    expect(keys.serverWriteIv.toString('hex')).to.equal('f781fad2');
  });

  it('DTLS-SRTP exporter (regression value from vectors.md; no context, no length field)', () => {
    const out = exportKeyingMaterial('sha256', master, clientRandom, serverRandom, 'EXTRACTOR-dtls_srtp', 60);
    expect(out.toString('hex')).to.equal(
      '05ac5a731ad359d5186dee7f9b46fbd534f0af013b341b9f5c2dcad39186656e288e38b7551f9f181f7c7bcafcab035688fddcb8fbd3fb32a099c06b',
    );
    // With an (empty) context the length field is present, so the output must differ (RFC 5705 §4).
    const withContext = exportKeyingMaterial('sha256', master, clientRandom, serverRandom, 'EXTRACTOR-dtls_srtp', 60, Buffer.alloc(0));
    expect(withContext.equals(out)).to.equal(false);
  });

  it('verify_data is PRF(master, label, SHA-256(messages))[0..12]', () => {
    const messages = Buffer.from('handshake transcript');
    const expected = prf('sha256', master, 'client finished', createHash('sha256').update(messages).digest(), 12);
    expect(verifyData('sha256', master, 'client', messages).toString('hex')).to.equal(expected.toString('hex'));
    expect(verifyData('sha256', master, 'server', messages).equals(expected)).to.equal(false);
  });
});

describe('dtls AEAD record protection', () => {
  const aad = (epoch: number, seq: number, type: number, len: number): Buffer => {
    const b = Buffer.alloc(13);
    b.writeUInt16BE(epoch, 0);
    b.writeUIntBE(seq, 2, 6);
    b[8] = type;
    b.writeUInt16BE(0xfefd, 9);
    b.writeUInt16BE(len, 11);
    return b;
  };

  it('AES-128-GCM: explicit nonce = epoch‖seq, nonce = salt‖explicit, AAD per RFC 6347 §4.1.2.1', async () => {
    const { createCipheriv } = await import('node:crypto');
    const suite = cipherSuiteInfo(CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256)!;
    const key = hex('1b7d117c7d5f690bc263cae8ef60af0f');
    const salt = hex('0eb20906');
    const c = new RecordCipher(suite, key, salt);
    const plaintext = Buffer.from('ping');
    const record = c.encrypt(1, 5, 23, 0xfefd, plaintext);
    const explicit = hex('0001000000000005');
    expect(record.subarray(0, 8).toString('hex')).to.equal(explicit.toString('hex'));
    // Independent computation with node:crypto directly.
    const ref = createCipheriv('aes-128-gcm', key, Buffer.concat([salt, explicit]), { authTagLength: 16 });
    ref.setAAD(aad(1, 5, 23, 4));
    const body = Buffer.concat([ref.update(plaintext), ref.final(), ref.getAuthTag()]);
    expect(record.subarray(8).toString('hex')).to.equal(body.toString('hex'));
    expect(c.decrypt(1, 5, 23, 0xfefd, record)!.toString()).to.equal('ping');
    // Wrong sequence number in the header → AAD mismatch → rejected.
    expect(c.decrypt(1, 6, 23, 0xfefd, record)).to.equal(undefined);
    const tampered = Buffer.from(record);
    tampered[9]! ^= 1;
    expect(c.decrypt(1, 5, 23, 0xfefd, tampered)).to.equal(undefined);
  });

  it('ChaCha20-Poly1305: nonce = IV XOR (0^32 ‖ epoch ‖ seq), nothing explicit (RFC 7905 §2)', async () => {
    const { createCipheriv } = await import('node:crypto');
    const suite = cipherSuiteInfo(CipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256)!;
    const key = Buffer.alloc(32, 7);
    const iv = hex('000102030405060708090a0b');
    const c = new RecordCipher(suite, key, iv);
    const record = c.encrypt(1, 0x0102, 23, 0xfefd, Buffer.from('pong'));
    expect(record.length).to.equal(4 + 16);
    const nonce = hex('000102030405060708090a0b');
    const seq = hex('0001000000000102');
    for (let i = 0; i < 8; i++) nonce[4 + i]! ^= seq[i]!;
    const ref = createCipheriv('chacha20-poly1305', key, nonce, { authTagLength: 16 });
    ref.setAAD(aad(1, 0x0102, 23, 4), { plaintextLength: 4 });
    const body = Buffer.concat([ref.update(Buffer.from('pong')), ref.final(), ref.getAuthTag()]);
    expect(record.toString('hex')).to.equal(body.toString('hex'));
    expect(c.decrypt(1, 0x0102, 23, 0xfefd, record)!.toString()).to.equal('pong');
    expect(c.decrypt(1, 0x0103, 23, 0xfefd, record)).to.equal(undefined);
  });

  it('AES-256-GCM key length is enforced', () => {
    const suite = cipherSuiteInfo(CipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384)!;
    expect(() => new RecordCipher(suite, Buffer.alloc(16), Buffer.alloc(4))).to.throw(/32 bytes, got 16/);
  });
});

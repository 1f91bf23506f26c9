/**
 * The per-packet record path after the allocation cuts: RecordCipher.sealRecord (header and
 * fragment in one Buffer, scratch nonce/AAD reused between records) and RecordLayer's cached write
 * state must produce exactly the records an independent node:crypto computation gives.
 */
import { createCipheriv } from 'node:crypto';
import { expect } from 'chai';
import { CipherSuite, cipherSuiteInfo } from '../src/crypto/cipherSuites.js';
import { RecordCipher } from '../src/crypto/aead.js';
import { RecordLayer } from '../src/record/recordLayer.js';
import { parseRecords } from '../src/record/record.js';

const aes = cipherSuiteInfo(CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256)!;
const chacha = cipherSuiteInfo(CipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256)!;

function aad(epoch: number, seq: number, type: number, len: number): Buffer {
  const b = Buffer.alloc(13);
  b.writeUInt16BE(epoch, 0);
  b.writeUIntBE(seq, 2, 6);
  b[8] = type;
  b.writeUInt16BE(0xfefd, 9);
  b.writeUInt16BE(len, 11);
  return b;
}

/** RFC 6347 §4.1 header ‖ RFC 5288 explicit nonce ‖ ciphertext ‖ tag, computed from scratch. */
function referenceAesRecord(key: Buffer, salt: Buffer, epoch: number, seq: number, type: number, plaintext: Buffer): Buffer {
  const explicit = Buffer.alloc(8);
  explicit.writeUInt16BE(epoch, 0);
  explicit.writeUIntBE(seq, 2, 6);
  const c = createCipheriv('aes-128-gcm', key, Buffer.concat([salt, explicit]), { authTagLength: 16 });
  c.setAAD(aad(epoch, seq, type, plaintext.length));
  const body = Buffer.concat([explicit, c.update(plaintext), c.final(), c.getAuthTag()]);
  const header = Buffer.alloc(13);
  header[0] = type;
  header.writeUInt16BE(0xfefd, 1);
  header.writeUInt16BE(epoch, 3);
  header.writeUIntBE(seq, 5, 6);
  header.writeUInt16BE(body.length, 11);
  return Buffer.concat([header, body]);
}

describe('record path: sealRecord and the cached write state', () => {
  const key = Buffer.from('1b7d117c7d5f690bc263cae8ef60af0f', 'hex');
  const salt = Buffer.from('0eb20906', 'hex');

  it('sealRecord gives header ‖ fragment byte-identical to the reference, record after record', () => {
    const c = new RecordCipher(aes, key, salt);
    const a = Buffer.from('first record, 32 bytes long.....');
    const b = Buffer.alloc(1200, 0x5a);
    const r1 = c.sealRecord(23, 0xfefd, 1, 0, a);
    const r2 = c.sealRecord(23, 0xfefd, 1, 1, b);
    // r1 must not change when the scratch buffers are reused for r2.
    expect(r1.toString('hex')).to.equal(referenceAesRecord(key, salt, 1, 0, 23, a).toString('hex'));
    expect(r2.toString('hex')).to.equal(referenceAesRecord(key, salt, 1, 1, 23, b).toString('hex'));
    expect(r2.length).to.equal(13 + 8 + 1200 + 16);
    // Round trip through the parser and decrypt.
    const [rec] = parseRecords(r2).records;
    expect(c.decrypt(rec!.epoch, rec!.sequenceNumber, rec!.type, rec!.version, rec!.fragment)!.equals(b)).to.equal(true);
  });

  it('the caller may mutate the key buffer after construction without affecting records', () => {
    const k = Buffer.from(key);
    const c = new RecordCipher(aes, k, salt);
    k.fill(0);
    const p = Buffer.from('x');
    expect(c.sealRecord(23, 0xfefd, 1, 9, p).toString('hex')).to.equal(referenceAesRecord(key, salt, 1, 9, 23, p).toString('hex'));
  });

  it('ChaCha20-Poly1305 nonce XORs all 48 sequence bits (seq above 2^32) and decrypts', () => {
    const ck = Buffer.alloc(32, 3);
    const iv = Buffer.from('a0a1a2a3a4a5a6a7a8a9aaab', 'hex');
    const c = new RecordCipher(chacha, ck, iv);
    const seq = 0x1234_5678_9abc;
    const p = Buffer.from('chacha high sequence');
    const rec = c.sealRecord(23, 0xfefd, 1, seq, p);
    const nonce = Buffer.from(iv);
    const s = Buffer.alloc(8);
    s.writeUInt16BE(1, 0);
    s.writeUIntBE(seq, 2, 6);
    for (let i = 0; i < 8; i++) nonce[4 + i]! ^= s[i]!;
    const ref = createCipheriv('chacha20-poly1305', ck, nonce, { authTagLength: 16 });
    ref.setAAD(aad(1, seq, 23, p.length), { plaintextLength: p.length });
    const body = Buffer.concat([ref.update(p), ref.final(), ref.getAuthTag()]);
    expect(rec.subarray(13).toString('hex')).to.equal(body.toString('hex'));
    expect(c.decrypt(1, seq, 23, 0xfefd, rec.subarray(13))!.toString()).to.equal('chacha high sequence');
    // The IV scratch must not leak into a later AES-free call: decrypting with another seq fails.
    expect(c.decrypt(1, seq + 1, 23, 0xfefd, rec.subarray(13))).to.equal(undefined);
  });

  it('RecordLayer.seal numbers records consecutively per epoch across epoch switches and explicit sequences', () => {
    const layer = new RecordLayer(() => {});
    const write = new RecordCipher(aes, key, salt);
    const read = new RecordCipher(aes, key, salt);
    layer.seal(22, 0, Buffer.from([1])); // epoch 0 seq 0
    layer.installKeys(1, write, read);
    const seqOf = (r: Buffer) => parseRecords(r).records[0]!.sequenceNumber;
    expect(seqOf(layer.seal(23, 1, Buffer.from('a')))).to.equal(0);
    expect(seqOf(layer.seal(23, 1, Buffer.from('b')))).to.equal(1);
    expect(seqOf(layer.seal(22, 0, Buffer.from('c')))).to.equal(1); // epoch 0 continues
    expect(seqOf(layer.seal(23, 1, Buffer.from('d')))).to.equal(2); // epoch 1 continues after the switch
    expect(seqOf(layer.seal(22, 1, Buffer.from('e'), 40))).to.equal(40); // explicit: does not consume
    expect(seqOf(layer.seal(23, 1, Buffer.from('f')))).to.equal(3);
    layer.setWriteSequence(1, 100);
    const r = layer.seal(23, 1, Buffer.from('g'));
    expect(seqOf(r)).to.equal(100);
    expect(seqOf(layer.seal(23, 1, Buffer.from('h')))).to.equal(101);
    // And every record opens on the other side.
    const peer = new RecordLayer(() => {});
    peer.installKeys(1, new RecordCipher(aes, key, salt), new RecordCipher(aes, key, salt));
    expect(peer.open(parseRecords(r).records[0]!)!.toString()).to.equal('g');
  });

  it('pack: a datagram of one record is that record itself (no copy), several are concatenated', () => {
    const a = Buffer.alloc(700, 1);
    const b = Buffer.alloc(400, 2);
    const c = Buffer.alloc(600, 3);
    const out = RecordLayer.pack([a, b, c], 1200);
    expect(out.map((d) => d.length)).to.deep.equal([1100, 600]);
    expect(out[1]).to.equal(c);
    expect(out[0]!.subarray(700).equals(b)).to.equal(true);
  });
});

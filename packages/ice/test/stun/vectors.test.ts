import { expect } from 'chai';
import {
  StunAttr,
  StunClass,
  StunMessage,
  StunMethod,
  attr,
  encodeStun,
  longTermKey,
  parseStun,
  saslprep,
  shortTermKey,
  verifyFingerprint,
  verifyIntegrity,
} from '../../src/stun/index.js';

// RFC 5769 vectors, copied from /work/shared/vectors.md.
const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const REQ = hex(`000100582112a442b7e7a701bc34d686fa87dfae802200105354554e20746573
7420636c69656e74002400046e0001ff80290008932ff9b151263b3600060009
6576746a3a68367659202020000800149aeaa70cbfd8cb56781ef2b5b2d3f249
c1b571a280280004e57a3bcf`);
const RES4 = hex(`0101003c2112a442b7e7a701bc34d686fa87dfae8022000b7465737420766563
746f7220002000080001a147e112a643000800142b91f599fd9e90c38c7489f9
2af9ba53f06be7d780280004c07d4c96`);
const RES6 = hex(`010100482112a442b7e7a701bc34d686fa87dfae8022000b7465737420766563
746f7220002000140002a1470113a9faa5d3f179bc25f4b5bed2b9d900080014
a382954e4be67bf11784c97c8292c275bfe3ed4180280004c8fb0b4c`);
const LT = hex(`000100602112a44278ad3433c6ad72c029da412e00060012e3839ee38388e383
aae38383e382afe382b900000015001c662f2f3439396b39353464364f4c3334
6f4c394653547679363473410014000b6578616d706c652e6f72670000080014
f67024656dd64a3e02b8e0712e85c9a28ca89666`);
const PASSWORD = 'VOkJxbRl1RmTxUk/WvJxBt';

describe('STUN RFC 5769 vectors', () => {
  it('§2.1 sample request: fields, integrity, fingerprint', () => {
    const m = parseStun(REQ)!;
    expect(m).to.not.equal(undefined);
    expect(m.method).to.equal(StunMethod.Binding);
    expect(m.messageClass).to.equal(StunClass.Request);
    expect(m.transactionKey).to.equal('b7e7a701bc34d686fa87dfae');
    expect(attr.getSoftware(m)).to.equal('STUN test client');
    expect(attr.getPriority(m)).to.equal(0x6e0001ff);
    expect(attr.getIceControlled(m)).to.equal(0x932ff9b151263b36n);
    expect(attr.getUsername(m)).to.equal('evtj:h6vY');
    expect(verifyIntegrity(m, shortTermKey(PASSWORD))).to.equal(true);
    expect(verifyIntegrity(m, shortTermKey(PASSWORD + 'x'))).to.equal(false);
    expect(verifyFingerprint(m)).to.equal(true);
    expect(m.unknownComprehensionRequired()).to.deep.equal([]);
  });

  it('§2.1 re-encodes byte-exactly (padding aside) with MI and FINGERPRINT', () => {
    const m = new StunMessage(StunMethod.Binding, StunClass.Request, hex('b7e7a701bc34d686fa87dfae'));
    attr.setSoftware(m, 'STUN test client');
    attr.setPriority(m, 0x6e0001ff);
    attr.setIceControlled(m, 0x932ff9b151263b36n);
    attr.setUsername(m, 'evtj:h6vY');
    const out = encodeStun(m, { integrityKey: shortTermKey(PASSWORD), fingerprint: true });
    // The RFC pads USERNAME with 0x20; we pad with 0x00. Patch the 3 pad bytes and compare all.
    const padAt = REQ.indexOf(Buffer.from('evtj:h6vY')) + 9;
    const ours = Buffer.from(out);
    expect(ours.subarray(padAt, padAt + 3)).to.deep.equal(Buffer.from([0, 0, 0]));
    ours.fill(0x20, padAt, padAt + 3);
    // MI covers the padding, so compare only up to MI and separately check our MI verifies.
    const miAt = padAt + 3;
    expect(ours.subarray(0, miAt).toString('hex')).to.equal(REQ.subarray(0, miAt).toString('hex'));
    const back = parseStun(out)!;
    expect(verifyIntegrity(back, shortTermKey(PASSWORD))).to.equal(true);
    expect(verifyFingerprint(back)).to.equal(true);
    expect(out.length).to.equal(REQ.length);
  });

  it('§2.2 IPv4 response: XOR-MAPPED-ADDRESS 192.0.2.1:32853', () => {
    const m = parseStun(RES4)!;
    expect(m.messageClass).to.equal(StunClass.SuccessResponse);
    expect(attr.getSoftware(m)).to.equal('test vector');
    expect(attr.getXorMappedAddress(m)).to.deep.equal({ address: '192.0.2.1', port: 32853, family: 'IPv4' });
    expect(verifyIntegrity(m, shortTermKey(PASSWORD))).to.equal(true);
    expect(verifyFingerprint(m)).to.equal(true);
  });

  it('§2.2 IPv4 response re-encodes identically up to the SOFTWARE pad byte and verifies', () => {
    const m = new StunMessage(StunMethod.Binding, StunClass.SuccessResponse, hex('b7e7a701bc34d686fa87dfae'));
    attr.setSoftware(m, 'test vector');
    attr.setXorMappedAddress(m, { address: '192.0.2.1', port: 32853 });
    const out = encodeStun(m, { integrityKey: shortTermKey(PASSWORD), fingerprint: true });
    // SOFTWARE "test vector" is padded with 0x20 in the RFC; MI covers the pad so patch and recompute.
    const ours = Buffer.from(out);
    ours[20 + 4 + 11] = 0x20;
    expect(ours.subarray(0, 44).toString('hex')).to.equal(RES4.subarray(0, 44).toString('hex'));
    // Everything after the pad byte is covered by MI/FINGERPRINT over our 0x00 pad, so check it verifies.
    const back = parseStun(out)!;
    expect(verifyIntegrity(back, shortTermKey(PASSWORD))).to.equal(true);
    expect(verifyFingerprint(back)).to.equal(true);
    expect(out.length).to.equal(RES4.length);
  });

  it('§2.3 IPv6 response: XOR-MAPPED-ADDRESS [2001:db8:1234:5678:11:2233:4455:6677]:32853', () => {
    const m = parseStun(RES6)!;
    expect(attr.getXorMappedAddress(m)).to.deep.equal({ address: '2001:db8:1234:5678:11:2233:4455:6677', port: 32853, family: 'IPv6' });
    expect(verifyIntegrity(m, shortTermKey(PASSWORD))).to.equal(true);
    expect(verifyFingerprint(m)).to.equal(true);
    const again = new StunMessage(StunMethod.Binding, StunClass.SuccessResponse, m.transactionId);
    attr.setXorMappedAddress(again, { address: '2001:db8:1234:5678:11:2233:4455:6677', port: 32853 });
    expect(again.get(StunAttr.XorMappedAddress)!.toString('hex')).to.equal(m.get(StunAttr.XorMappedAddress)!.toString('hex'));
  });

  it('§2.4 long-term credentials with SASLprep', () => {
    expect(saslprep('The\u00adM\u00aatrIX')).to.equal('TheMatrIX');
    const key = longTermKey('\u30de\u30c8\u30ea\u30c3\u30af\u30b9', 'example.org', 'The\u00adM\u00aatrIX');
    expect(key.toString('hex')).to.equal('e8ca7ad59d5eb0518e312911d2dab2a9');
    const m = parseStun(LT)!;
    expect(m.transactionKey).to.equal('78ad3433c6ad72c029da412e');
    expect(attr.getUsername(m)).to.equal('\u30de\u30c8\u30ea\u30c3\u30af\u30b9');
    expect(attr.getNonce(m)).to.equal('f//499k954d6OL34oL9FSTvy64sA');
    expect(attr.getRealm(m)).to.equal('example.org');
    expect(verifyIntegrity(m, key)).to.equal(true);
    expect(verifyFingerprint(m)).to.equal(false); // §2.4 has no FINGERPRINT
    // Re-encoding reproduces the vector exactly (all values are 4-byte aligned or zero-padded here).
    const b = new StunMessage(StunMethod.Binding, StunClass.Request, m.transactionId);
    attr.setUsername(b, '\u30de\u30c8\u30ea\u30c3\u30af\u30b9');
    attr.setNonce(b, 'f//499k954d6OL34oL9FSTvy64sA');
    attr.setRealm(b, 'example.org');
    expect(encodeStun(b, { integrityKey: key }).toString('hex')).to.equal(LT.toString('hex'));
  });

  it('rejects a flipped bit via FINGERPRINT and counts it', () => {
    const bad = Buffer.from(RES4);
    bad[30] = bad[30]! ^ 1;
    expect(parseStun(bad)).to.equal(undefined);
  });
});

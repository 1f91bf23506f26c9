import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { Counters } from '@rivulet/common';
import {
  StunAttr,
  StunClass,
  StunMessage,
  StunMethod,
  attr,
  decodeMessageType,
  encodeMessageType,
  encodeStun,
  parseStun,
  shortTermKey,
  verifyIntegrity,
  verifyIntegritySha256,
  type StunDropReason,
} from '../../src/stun/index.js';

describe('STUN codec', () => {
  it('encodes message types per RFC 8489 §5 (Binding request 0x0001, success 0x0101, error 0x0111; Allocate 0x0003, Data indication 0x0017)', () => {
    expect(encodeMessageType(StunMethod.Binding, StunClass.Request)).to.equal(0x0001);
    expect(encodeMessageType(StunMethod.Binding, StunClass.SuccessResponse)).to.equal(0x0101);
    expect(encodeMessageType(StunMethod.Binding, StunClass.ErrorResponse)).to.equal(0x0111);
    expect(encodeMessageType(StunMethod.Allocate, StunClass.Request)).to.equal(0x0003);
    expect(encodeMessageType(StunMethod.Data, StunClass.Indication)).to.equal(0x0017);
    for (let method = 0; method <= 0xfff; method += 37) {
      for (const cls of [0, 1, 2, 3] as const) {
        expect(decodeMessageType(encodeMessageType(method, cls))).to.deep.equal({ method, cls });
      }
    }
    expect(() => encodeMessageType(0x1000, 0)).to.throw(/0x1000|4096/);
  });

  it('round-trips every typed attribute', () => {
    const m = new StunMessage(StunMethod.Allocate, StunClass.Request);
    attr.setMappedAddress(m, { address: '10.1.2.3', port: 4000 });
    attr.setXorAddress(m, StunAttr.XorPeerAddress, { address: '::1', port: 5 });
    attr.setXorAddress(m, StunAttr.XorRelayedAddress, { address: 'fe80::1:2', port: 65535 });
    attr.setErrorCode(m, 487, 'Role Conflict');
    attr.setUnknownAttributes(m, [0x0031, 0x7000]);
    attr.setLifetime(m, 600);
    attr.setData(m, Buffer.from([1, 2, 3]));
    attr.setChannelNumber(m, 0x4001);
    attr.setRequestedTransport(m, 17);
    attr.setRequestedAddressFamily(m, 'IPv6');
    attr.setDontFragment(m);
    attr.setUseCandidate(m);
    attr.setIceControlling(m, 0xffffffffffffffffn);
    attr.setRealm(m, 'r');
    attr.setNonce(m, 'n');
    const key = shortTermKey('pw');
    const wire = encodeStun(m, { integrityKey: key, integritySha256Key: key, fingerprint: true });
    const p = parseStun(wire)!;
    expect(attr.getMappedAddress(p)).to.deep.equal({ address: '10.1.2.3', port: 4000, family: 'IPv4' });
    expect(attr.getXorAddress(p, StunAttr.XorPeerAddress)).to.deep.equal({ address: '::1', port: 5, family: 'IPv6' });
    expect(attr.getXorAddress(p, StunAttr.XorRelayedAddress)).to.deep.equal({ address: 'fe80::1:2', port: 65535, family: 'IPv6' });
    expect(attr.getErrorCode(p)).to.deep.equal({ code: 487, reason: 'Role Conflict' });
    expect(attr.getUnknownAttributes(p)).to.deep.equal([0x0031, 0x7000]);
    expect(attr.getLifetime(p)).to.equal(600);
    expect(attr.getData(p)).to.deep.equal(Buffer.from([1, 2, 3]));
    expect(attr.getChannelNumber(p)).to.equal(0x4001);
    expect(attr.getRequestedTransport(p)).to.equal(17);
    expect(attr.getRequestedAddressFamily(p)).to.equal('IPv6');
    expect(attr.getDontFragment(p)).to.equal(true);
    expect(attr.getUseCandidate(p)).to.equal(true);
    expect(attr.getIceControlling(p)).to.equal(0xffffffffffffffffn);
    expect(attr.getIceControlled(p)).to.equal(undefined);
    expect(attr.getRealm(p)).to.equal('r');
    expect(verifyIntegrity(p, key)).to.equal(true);
    expect(verifyIntegritySha256(p, key)).to.equal(true);
    expect(verifyIntegritySha256(p, shortTermKey('other'))).to.equal(false);
  });

  it('finds unknown comprehension-required attributes but not unknown optional ones', () => {
    const m = new StunMessage(StunMethod.Binding, StunClass.Request);
    m.add(0x7777, Buffer.from([1]));
    m.add(0xc001, Buffer.from([1]));
    m.add(0x7777, Buffer.from([2]));
    const p = parseStun(encodeStun(m))!;
    expect(p.unknownComprehensionRequired()).to.deep.equal([0x7777]);
  });

  it('ignores attributes after MESSAGE-INTEGRITY except FINGERPRINT (RFC 8489 §14.5)', () => {
    const m = new StunMessage(StunMethod.Binding, StunClass.Request);
    attr.setUsername(m, 'a:b');
    const wire = encodeStun(m, { integrityKey: shortTermKey('x') });
    // Append a PRIORITY after MI by hand.
    const extra = Buffer.from([0x00, 0x24, 0x00, 0x04, 0, 0, 0, 9]);
    const msg = Buffer.concat([wire, extra]);
    msg.writeUInt16BE(msg.length - 20, 2);
    const p = parseStun(msg)!;
    expect(attr.getPriority(p)).to.equal(undefined);
    expect(verifyIntegrity(p, shortTermKey('x'))).to.equal(true);
  });

  it('rejects API misuse with messages naming the value', () => {
    expect(() => new StunMessage(1, 0, Buffer.alloc(11))).to.throw(/12 bytes, got 11/);
    expect(() => attr.setChannelNumber(new StunMessage(1, 0), 0x3fff)).to.throw(/16383/);
    expect(() => attr.setErrorCode(new StunMessage(1, 0), 200, 'x')).to.throw(/200/);
    expect(() => attr.setMappedAddress(new StunMessage(1, 0), { address: 'host.local', port: 1 })).to.throw(/host\.local/);
  });

  it('safe parse: counts non-STUN, malformed and bad-fingerprint input', () => {
    const c = new Counters<StunDropReason>();
    expect(parseStun(Buffer.from([0x80, 1, 2]), c)).to.equal(undefined);
    const m = new StunMessage(StunMethod.Binding, StunClass.Request);
    attr.setUsername(m, 'abc');
    const wire = encodeStun(m, { fingerprint: true });
    const truncatedAttr = Buffer.from(wire);
    truncatedAttr.writeUInt16BE(200, 22); // USERNAME length beyond the message
    expect(parseStun(truncatedAttr, c)).to.equal(undefined);
    const badFp = Buffer.from(wire);
    badFp[badFp.length - 1] ^= 0xff;
    expect(parseStun(badFp, c)).to.equal(undefined);
    expect(c.toJSON()).to.deep.equal({ 'stun-not-stun': 1, 'stun-malformed': 1, 'stun-bad-fingerprint': 1 });
  });
});

describe('STUN fuzz (safe parse never throws)', () => {
  function typedGettersNeverThrowUnexpected(m: StunMessage): void {
    // Getters may throw ParseError on malformed values; nothing else.
    for (const fn of [attr.getXorMappedAddress, attr.getMappedAddress, attr.getErrorCode, attr.getUnknownAttributes, attr.getPriority, attr.getIceControlling, attr.getLifetime, attr.getChannelNumber, attr.getRequestedTransport, attr.getRequestedAddressFamily]) {
      try {
        fn(m);
      } catch (e) {
        expect((e as Error).name).to.equal('ParseError');
      }
    }
  }

  it('5000 random buffers and 5000 mutated valid messages', function () {
    this.timeout(20000);
    const c = new Counters<StunDropReason>();
    let parsed = 0;
    const deadline = Date.now() + 8000;
    for (let i = 0; i < 5000 && Date.now() < deadline; i++) {
      const b = randomBytes(Math.floor(Math.random() * 120));
      if (i % 2 === 0 && b.length >= 20) {
        // make it look like STUN so deeper code runs
        b[0] = b[0]! & 0x01;
        b.writeUInt16BE((b.length - 20) & ~3, 2);
        b.writeUInt32BE(0x2112a442, 4);
      }
      const m = parseStun(b.length >= 20 && i % 2 === 0 ? b.subarray(0, 20 + ((b.length - 20) & ~3)) : b, c);
      if (m) {
        parsed++;
        typedGettersNeverThrowUnexpected(m);
      }
    }
    const base = new StunMessage(StunMethod.Binding, StunClass.Request);
    attr.setUsername(base, 'user:frag');
    attr.setPriority(base, 123);
    attr.setXorMappedAddress(base, { address: '1.2.3.4', port: 5 });
    attr.setIceControlling(base, 42n);
    const valid = encodeStun(base, { integrityKey: shortTermKey('p'), fingerprint: true });
    for (let i = 0; i < 5000 && Date.now() < deadline; i++) {
      const b = Buffer.from(valid);
      const flips = 1 + Math.floor(Math.random() * 4);
      for (let k = 0; k < flips; k++) b[Math.floor(Math.random() * b.length)] = Math.floor(Math.random() * 256);
      const cut = Math.random() < 0.2 ? b.subarray(0, Math.floor(Math.random() * b.length)) : b;
      const m = parseStun(cut, c);
      if (m) {
        parsed++;
        typedGettersNeverThrowUnexpected(m);
        verifyIntegrity(m, shortTermKey('p'));
      }
    }
    const dropped = c.get('stun-not-stun') + c.get('stun-malformed') + c.get('stun-bad-fingerprint');
    expect(dropped).to.be.greaterThan(5000);
    expect(parsed + dropped).to.be.greaterThan(9000);
  });
});

import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { LongTermCredentials } from '../../src/turn/auth.js';
import { StunAttr, StunClass, StunMessage, StunMethod, attr, encodeStun, longTermKey, verifyIntegrity } from '../../src/stun/index.js';

function challenge(algorithms?: number[]): StunMessage {
  const m = new StunMessage(StunMethod.Allocate, StunClass.ErrorResponse);
  attr.setErrorCode(m, 401, 'Unauthorized');
  attr.setRealm(m, 'example.org');
  attr.setNonce(m, 'n0nce');
  if (algorithms) {
    const v = Buffer.alloc(algorithms.length * 4);
    algorithms.forEach((a, i) => v.writeUInt16BE(a, i * 4));
    m.add(StunAttr.PasswordAlgorithms, v);
  }
  return StunMessage.parse(encodeStun(m));
}

function signedRequest(c: LongTermCredentials): StunMessage {
  return StunMessage.parse(c.sign(new StunMessage(StunMethod.Allocate, StunClass.Request)));
}

describe('TURN long-term credentials (RFC 8489 §9.2)', () => {
  it('signs with MD5(user:realm:pass) after a plain 401, with USERNAME, REALM and NONCE', () => {
    const c = new LongTermCredentials('user', 'pass');
    expect(c.ready).to.equal(false);
    expect(() => c.sign(new StunMessage(StunMethod.Allocate, StunClass.Request))).to.throw(/a 401 challenge must come first/);
    expect(c.challenge(challenge(), 401)).to.equal('retry');
    const req = signedRequest(c);
    expect([attr.getUsername(req), attr.getRealm(req), attr.getNonce(req)]).to.deep.equal(['user', 'example.org', 'n0nce']);
    expect(verifyIntegrity(req, longTermKey('user', 'example.org', 'pass'))).to.equal(true);
    expect(req.has(StunAttr.PasswordAlgorithm)).to.equal(false);
  });

  it('echoes PASSWORD-ALGORITHMS and uses SHA-256 when it is the only algorithm offered', () => {
    const c = new LongTermCredentials('user', 'pass');
    expect(c.challenge(challenge([0x0002]), 401)).to.equal('retry');
    const req = signedRequest(c);
    expect(req.get(StunAttr.PasswordAlgorithms)!.toString('hex')).to.equal('00020000');
    expect(req.get(StunAttr.PasswordAlgorithm)!.toString('hex')).to.equal('00020000');
    const sha = createHash('sha256').update('user:example.org:pass').digest();
    expect(verifyIntegrity(req, sha)).to.equal(true);
  });

  it('keeps MD5 when the server offers it', () => {
    const c = new LongTermCredentials('user', 'pass');
    c.challenge(challenge([0x0001, 0x0002]), 401);
    const req = signedRequest(c);
    expect(req.get(StunAttr.PasswordAlgorithm)!.toString('hex')).to.equal('00010000');
    expect(verifyIntegrity(req, longTermKey('user', 'example.org', 'pass'))).to.equal(true);
  });

  it('438 takes the new nonce; a challenge without NONCE or REALM is a rejection', () => {
    const c = new LongTermCredentials('user', 'pass');
    c.challenge(challenge(), 401);
    const stale = new StunMessage(StunMethod.Refresh, StunClass.ErrorResponse);
    attr.setErrorCode(stale, 438, 'Stale Nonce');
    attr.setNonce(stale, 'fresh');
    expect(c.challenge(StunMessage.parse(encodeStun(stale)), 438)).to.equal('retry');
    expect(attr.getNonce(signedRequest(c))).to.equal('fresh');
    const bare = new StunMessage(StunMethod.Allocate, StunClass.ErrorResponse);
    attr.setErrorCode(bare, 401, 'Unauthorized');
    expect(new LongTermCredentials('u', 'p').challenge(StunMessage.parse(encodeStun(bare)), 401)).to.equal('rejected');
  });
});

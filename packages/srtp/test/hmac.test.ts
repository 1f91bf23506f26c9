import { expect } from 'chai';
import { createHmac } from 'node:crypto';
import { HMAC_HEADROOM, HmacSha1 } from '../src/hmacSha1.js';
import { Prng } from './helpers.js';

describe('srtp HmacSha1 (RFC 2104 composed over one-shot SHA-1)', () => {
  it('RFC 2202 test case 2 ("Jefe")', () => {
    const msg = Buffer.from('what do ya want for nothing?');
    const buf = Buffer.alloc(HMAC_HEADROOM + msg.length);
    msg.copy(buf, HMAC_HEADROOM);
    expect(new HmacSha1(Buffer.from('Jefe')).macInPlace(buf, buf.length).toString('hex')).to.equal(
      'effcdf6ae5eb2fa2d27416d5f184df9c259a7c79',
    );
  });

  it('equals createHmac for 20-byte keys and message lengths 0..1500, and leaves the message intact', () => {
    const rng = new Prng(99);
    for (let len = 0; len <= 1500; len += 7) {
      const key = rng.bytes(20);
      const msg = rng.bytes(len);
      const buf = Buffer.alloc(HMAC_HEADROOM + len + 5);
      msg.copy(buf, HMAC_HEADROOM);
      const tag = new HmacSha1(key).macInPlace(buf, HMAC_HEADROOM + len);
      expect(tag.toString('hex'), `length ${len}`).to.equal(createHmac('sha1', key).update(msg).digest('hex'));
      expect(buf.subarray(HMAC_HEADROOM, HMAC_HEADROOM + len).equals(msg)).to.equal(true);
    }
  });

  it('rejects keys longer than a SHA-1 block', () => {
    expect(() => new HmacSha1(Buffer.alloc(65))).to.throw('HMAC-SHA1 key longer than 64 bytes is not supported here, got 65');
  });
});

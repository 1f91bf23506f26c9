import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { SRTP_PROFILES, SrtpSession, profileParams, type SrtpProfile } from '../src/index.js';
import { Prng, makeRtcp, makeRtp } from './helpers.js';

function sessions(profile: SrtpProfile, replayWindow?: number): { a: SrtpSession; b: SrtpSession } {
  const p = profileParams(profile);
  const k1 = randomBytes(p.keyLength), s1 = randomBytes(p.saltLength);
  const k2 = randomBytes(p.keyLength), s2 = randomBytes(p.saltLength);
  return {
    a: new SrtpSession({ profile, localKey: k1, localSalt: s1, remoteKey: k2, remoteSalt: s2, replayWindow }),
    b: new SrtpSession({ profile, localKey: k2, localSalt: s2, remoteKey: k1, remoteSalt: s1, replayWindow }),
  };
}

for (const profile of SRTP_PROFILES) {
  const p = profileParams(profile);
  describe(`SrtpSession ${profile}`, () => {
    it('round-trips RTP across a sequence wrap with the right overhead, and the payload is encrypted', () => {
      const { a, b } = sessions(profile);
      const rng = new Prng(42);
      for (let i = 0; i < 300; i++) {
        const plain = makeRtp(rng, { seq: (65400 + i) & 0xffff, ssrc: 0xdead, payloadLength: 20 + rng.int(1100), csrcCount: rng.int(2), extensionWords: rng.int(2) });
        const enc = a.protectRtp(plain);
        expect(enc.length).to.equal(plain.length + p.rtpTagLength);
        const h = 12 + 4 * (plain[0]! & 15) + ((plain[0]! & 0x10) !== 0 ? 4 + 4 * plain.readUInt16BE(12 + 4 * (plain[0]! & 15) + 2) : 0);
        expect(enc.subarray(0, h).equals(plain.subarray(0, h)), 'header stays in clear').to.equal(true);
        expect(enc.subarray(h, plain.length).equals(plain.subarray(h)), 'payload encrypted').to.equal(false);
        expect(b.unprotectRtp(enc)?.equals(plain)).to.equal(true);
      }
      expect(b.inboundRtp.rolloverCounter(0xdead)).to.equal(1);
      expect(b.stats.rtpUnprotected).to.equal(300);
      expect(a.stats.rtpProtected).to.equal(300);
    });

    it('round-trips SRTCP with tag length ' + p.rtcpTagLength, () => {
      const { a, b } = sessions(profile);
      const rng = new Prng(9);
      for (let i = 0; i < 50; i++) {
        const plain = makeRtcp(rng, 0xfeed, rng.int(3));
        const enc = a.protectRtcp(plain);
        expect(enc.length).to.equal(plain.length + 4 + p.rtcpTagLength);
        expect(b.unprotectRtcp(enc)?.equals(plain)).to.equal(true);
      }
      expect(b.stats.rtcpUnprotected).to.equal(50);
    });

    it('drops and counts truncated, tampered, replayed and malformed packets without throwing', () => {
      const { a, b } = sessions(profile);
      const rng = new Prng(5);
      const plain = makeRtp(rng, { seq: 1000, ssrc: 77, payloadLength: 200 });
      const enc = a.protectRtp(plain);
      // Tampering anywhere (header, payload, tag) fails authentication.
      for (const at of [1, 4, 11, 12, 100, enc.length - 1]) {
        const t = Buffer.from(enc);
        t[at]! ^= 0x01;
        expect(b.unprotectRtp(t), `flip byte ${at}`).to.equal(undefined);
      }
      expect(b.stats.dropped.get('rtpAuthFailed')).to.equal(6);
      // Truncations shorter than header + tag are "too short"; others fail authentication.
      expect(b.unprotectRtp(enc.subarray(0, 11))).to.equal(undefined);
      expect(b.unprotectRtp(enc.subarray(0, 12 + p.rtpTagLength - 1))).to.equal(undefined);
      expect(b.stats.dropped.get('rtpTooShort')).to.equal(2);
      expect(b.unprotectRtp(enc.subarray(0, enc.length - 1))).to.equal(undefined);
      expect(b.stats.dropped.get('rtpAuthFailed')).to.equal(7);
      const v1 = Buffer.from(enc);
      v1[0] = (v1[0]! & 0x3f) | 0x40;
      expect(b.unprotectRtp(v1)).to.equal(undefined);
      expect(b.stats.dropped.get('rtpMalformed')).to.equal(1);
      // None of the above created state or advanced the window: the genuine packet still passes once.
      expect(b.inboundRtp.rolloverCounter(77)).to.equal(undefined);
      expect(b.unprotectRtp(enc)?.equals(plain)).to.equal(true);
      expect(b.unprotectRtp(enc)).to.equal(undefined);
      expect(b.stats.dropped.get('rtpReplayed')).to.equal(1);
      expect(b.stats.rtpUnprotected).to.equal(1);

      const rtcp = a.protectRtcp(makeRtcp(rng, 77, 1));
      expect(b.unprotectRtcp(rtcp.subarray(0, 8 + 4 + p.rtcpTagLength - 1))).to.equal(undefined);
      expect(b.stats.dropped.get('rtcpTooShort')).to.equal(1);
      const tr = Buffer.from(rtcp);
      tr[20]! ^= 0x80;
      expect(b.unprotectRtcp(tr)).to.equal(undefined);
      expect(b.stats.dropped.get('rtcpAuthFailed')).to.equal(1);
      expect(b.unprotectRtcp(rtcp)).to.not.equal(undefined);
      expect(b.unprotectRtcp(rtcp)).to.equal(undefined);
      expect(b.stats.dropped.get('rtcpReplayed')).to.equal(1);
    });

    it('accepts reordering inside the replay window and drops what falls behind it', () => {
      const { a, b } = sessions(profile, 64);
      const rng = new Prng(3);
      const pkts = Array.from({ length: 100 }, (_, i) => a.protectRtp(makeRtp(rng, { seq: 65500 + i, ssrc: 5, payloadLength: 50 })));
      // The receiver learns ROC 0 from the first packet (RFC 3711 §3.3.1), then gets 99 (seq 63,
      // ROC 1), then 36 (99 - 36 = 63: inside a 64 window, and from before the wrap).
      expect(b.unprotectRtp(pkts[0]!)).to.not.equal(undefined);
      expect(b.unprotectRtp(pkts[99]!)).to.not.equal(undefined);
      expect(b.unprotectRtp(pkts[36]!)).to.not.equal(undefined);
      expect(b.unprotectRtp(pkts[35]!)).to.equal(undefined);
      expect(b.stats.dropped.get('rtpTooOld')).to.equal(1);
      expect(b.inboundRtp.rolloverCounter(5)).to.equal(1);
    });
  });
}

describe('SrtpSession hostile input and API misuse', () => {
  it('random and mutated datagrams never throw and are all counted as drops', () => {
    const { a, b } = sessions('AES_CM_128_HMAC_SHA1_80');
    const rng = new Prng(1234);
    const valid = a.protectRtp(makeRtp(rng, { seq: 1, ssrc: 1, payloadLength: 100 }));
    const validRtcp = a.protectRtcp(makeRtcp(rng, 1, 1));
    let n = 0;
    for (let i = 0; i < 2000; i++) {
      const base = i % 2 === 0 ? valid : validRtcp;
      const m = i % 4 < 2 ? rng.bytes(rng.int(80)) : Buffer.from(base.subarray(0, 1 + rng.int(base.length)));
      if (m.length > 0) m[rng.int(m.length)]! ^= 1 + rng.int(255);
      expect(b.unprotectRtp(m)).to.equal(undefined);
      expect(b.unprotectRtcp(m)).to.equal(undefined);
      n += 2;
    }
    const dropped = Object.values(b.stats.dropped.toJSON()).reduce((x, y) => x + y, 0);
    expect(dropped).to.equal(n);
    expect(b.stats.rtpUnprotected + b.stats.rtcpUnprotected).to.equal(0);
  });

  it('throws on caller bugs with a message saying what was wrong', () => {
    const { a } = sessions('AEAD_AES_128_GCM');
    expect(() => a.protectRtp(Buffer.alloc(8))).to.throw('protectRtp: RTP header runs past the 8-byte packet');
    expect(() => a.protectRtp(Buffer.from('40000000000000000000000000', 'hex'))).to.throw(/not an RTP version 2 packet \(first byte 0x40\)/);
    expect(() => a.protectRtcp(Buffer.alloc(4))).to.throw(/at least 8 bytes \(got 4 bytes\)/);
    expect(() => new SrtpSession({ profile: 'AEAD_AES_128_GCM', localKey: Buffer.alloc(16), localSalt: Buffer.alloc(14), remoteKey: Buffer.alloc(16), remoteSalt: Buffer.alloc(12) }))
      .to.throw('AEAD_AES_128_GCM master salt must be 12 bytes, got 14');
    expect(() => new SrtpSession({ profile: 'AES_CM_128_HMAC_SHA1_80', localKey: Buffer.alloc(16), localSalt: Buffer.alloc(14), remoteKey: Buffer.alloc(16), remoteSalt: Buffer.alloc(14), replayWindow: 10 }))
      .to.throw(/replay window size must be a multiple of 32/);
  });

  it('one SrtpContext used for both directions of an SSRC (loopback) neither throws nor skips replay checks', () => {
    const { a } = sessions('AES_CM_128_HMAC_SHA1_80');
    const ctx = a.outboundRtp;
    const rng = new Prng(12);
    const plain = makeRtp(rng, { seq: 7, ssrc: 3, payloadLength: 20 });
    const enc = ctx.protect(plain);
    expect(ctx.unprotect(enc)?.equals(plain)).to.equal(true);
    expect(ctx.unprotect(enc)).to.equal(undefined);
    expect(a.stats.dropped.get('rtpReplayed')).to.equal(1);
  });

  it('keeps per-SSRC state for 100 interleaved streams (beyond the keystream cache size)', () => {
    const { a, b } = sessions('AES_CM_128_HMAC_SHA1_80');
    const rng = new Prng(11);
    for (let round = 0; round < 5; round++) {
      for (let s = 0; s < 100; s++) {
        const plain = makeRtp(rng, { seq: (65534 + round) & 0xffff, ssrc: 1000 + s, payloadLength: 1 + rng.int(300) });
        expect(b.unprotectRtp(a.protectRtp(plain))?.equals(plain), `ssrc ${1000 + s} round ${round}`).to.equal(true);
      }
    }
    expect(b.inboundRtp.rolloverCounter(1050)).to.equal(1);
    expect(b.stats.rtpUnprotected).to.equal(500);
  });

  it('a resent older packet keeps its original index (sender-side estimation), so it decrypts', () => {
    const { a, b } = sessions('AES_CM_128_HMAC_SHA1_80');
    const rng = new Prng(8);
    const plains = Array.from({ length: 10 }, (_, i) => makeRtp(rng, { seq: 65530 + i, ssrc: 9, payloadLength: 40 }));
    const sent = plains.map((p) => a.protectRtp(p));
    const resent = a.protectRtp(plains[2]!); // seq 65532 after the wrap to ROC 1
    expect(resent.equals(sent[2]!)).to.equal(true);
    expect(a.outboundRtp.rolloverCounter(9)).to.equal(1);
    expect(b.unprotectRtp(sent[0]!)?.equals(plains[0]!)).to.equal(true);
    expect(b.unprotectRtp(sent[9]!)?.equals(plains[9]!)).to.equal(true);
    expect(b.unprotectRtp(resent)?.equals(plains[2]!)).to.equal(true);
  });
});

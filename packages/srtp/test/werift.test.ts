import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { RtpPacket, SrtcpSession as WeriftSrtcp, SrtpSession as WeriftSrtp } from 'werift-rtp';
import { SrtpSession, dtlsIdOf, profileParams, type SrtpProfile } from '../src/index.js';
import { Prng, makeRtcp, makeRtp } from './helpers.js';

// Differential tests against werift-rtp, an implementation we did not write (DESIGN.md ring 2).
// werift-rtp supports AES_CM_128_HMAC_SHA1_80 (id 1) and AEAD_AES_128_GCM (id 7).
const PROFILES: SrtpProfile[] = ['AES_CM_128_HMAC_SHA1_80', 'AEAD_AES_128_GCM'];
const COUNT = 600;

function pair(profile: SrtpProfile) {
  const p = profileParams(profile);
  const aKey = randomBytes(p.keyLength), aSalt = randomBytes(p.saltLength);
  const bKey = randomBytes(p.keyLength), bSalt = randomBytes(p.saltLength);
  const ours = new SrtpSession({ profile, localKey: aKey, localSalt: aSalt, remoteKey: bKey, remoteSalt: bSalt });
  const keys = { localMasterKey: bKey, localMasterSalt: bSalt, remoteMasterKey: aKey, remoteMasterSalt: aSalt };
  const config = { keys, profile: dtlsIdOf(profile) as 1 | 7 };
  // A werift sender keyed like our sender, to compare ciphertext byte for byte.
  const sameKeys = { localMasterKey: aKey, localMasterSalt: aSalt, remoteMasterKey: bKey, remoteMasterSalt: bSalt };
  const sameSender = new WeriftSrtp({ keys: sameKeys, profile: config.profile });
  return { ours, theirsRtp: new WeriftSrtp(config), theirsRtcp: new WeriftSrtcp(config), sameSender };
}

for (const profile of PROFILES) {
  describe(`srtp differential vs werift-rtp: ${profile}`, () => {
    it(`${COUNT} RTP packets across a sequence wrap: werift decrypts ours, and its ciphertext equals ours`, () => {
      const { ours, theirsRtp, sameSender } = pair(profile);
      const rng = new Prng(0x5eed);
      const ssrc = 0x1234abcd;
      const start = 65536 - COUNT / 2;
      let wrapped = 0;
      for (let i = 0; i < COUNT; i++) {
        const seq = (start + i) & 0xffff;
        if (seq === 0) wrapped++;
        const plain = makeRtp(rng, {
          seq, ssrc, timestamp: i * 3000, payloadLength: 1 + rng.int(1200),
          csrcCount: rng.int(3), extensionWords: rng.int(3), marker: (i & 7) === 0,
        });
        const protectedPkt = ours.protectRtp(plain);
        const decrypted = theirsRtp.decrypt(protectedPkt);
        expect(decrypted.toString('hex'), `packet ${i} seq ${seq}`).to.equal(plain.toString('hex'));
        const parsed = RtpPacket.deSerialize(plain);
        const theirs = sameSender.encrypt(parsed.payload, parsed.header);
        expect(theirs.toString('hex'), `ciphertext of packet ${i}`).to.equal(protectedPkt.toString('hex'));
      }
      expect(wrapped).to.equal(1);
      expect(ours.outboundRtp.rolloverCounter(ssrc)).to.equal(1);
    });

    it(`${COUNT} RTP packets across a sequence wrap: we decrypt werift's`, () => {
      const { ours, theirsRtp } = pair(profile);
      const rng = new Prng(0xbeef);
      const ssrc = 0x0badf00d;
      const start = 65536 - COUNT / 3;
      for (let i = 0; i < COUNT; i++) {
        const seq = (start + i) & 0xffff;
        const plain = makeRtp(rng, { seq, ssrc, timestamp: i * 90, payloadLength: 1 + rng.int(1200), csrcCount: rng.int(2) });
        const parsed = RtpPacket.deSerialize(plain);
        const enc = theirsRtp.encrypt(parsed.payload, parsed.header);
        const dec = ours.unprotectRtp(enc);
        expect(dec?.toString('hex'), `packet ${i} seq ${seq}`).to.equal(plain.toString('hex'));
      }
      expect(ours.stats.rtpUnprotected).to.equal(COUNT);
      expect(ours.inboundRtp.rolloverCounter(ssrc)).to.equal(1);
      expect(ours.stats.dropped.toJSON()).to.deep.equal({});
    });

    it('SRTCP both ways over 200 compound packets, index incrementing', () => {
      const { ours, theirsRtcp } = pair(profile);
      const rng = new Prng(7);
      for (let i = 0; i < 200; i++) {
        const plain = makeRtcp(rng, 0x11223344, rng.int(4));
        const enc = ours.protectRtcp(plain);
        // The E‖index word: E = 1 and the index counts from 0.
        const off = profile.startsWith('AEAD') ? enc.length - 4 : enc.length - 14;
        expect(enc.readUInt32BE(off)).to.equal((0x80000000 | i) >>> 0);
        expect(theirsRtcp.decrypt(enc).toString('hex'), `ours→werift ${i}`).to.equal(plain.toString('hex'));
        const back = makeRtcp(rng, 0x55667788, rng.int(4));
        expect(ours.unprotectRtcp(theirsRtcp.encrypt(back))?.toString('hex'), `werift→ours ${i}`).to.equal(back.toString('hex'));
      }
      expect(ours.stats.rtcpUnprotected).to.equal(200);
    });
  });
}

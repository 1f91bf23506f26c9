import { expect } from 'chai';
import type { DatagramSocket } from '@rivulet/common';
import { StunClass, StunErrorCode, StunMessage, StunMethod, attr, encodeStun, parseStun, shortTermKey, verifyIntegrity } from '../../src/stun/index.js';
import { connect, makeWorld, type World } from './world.js';

const EVIL_IP = '203.0.113.66';

async function withAttacker(fn: (w: World, evil: DatagramSocket, replies: StunMessage[], target: { address: string; port: number }) => Promise<void>): Promise<void> {
  const w = await makeWorld({ turn: false });
  const evilHost = w.net.addHost('evil', { addresses: [EVIL_IP] });
  const evil = await evilHost.bindUdp({ address: EVIL_IP, port: 5000 });
  const replies: StunMessage[] = [];
  evil.onMessage((d) => {
    const m = parseStun(d);
    if (m) replies.push(m);
  });
  try {
    await connect(w);
    const base = w.a.selectedPair!.local.base.address;
    await fn(w, evil, replies, base);
  } finally {
    evil.close();
    w.close();
  }
}

function check(username: string, password: string, extra?: (m: StunMessage) => void): { msg: StunMessage; bytes: Buffer } {
  const m = new StunMessage(StunMethod.Binding, StunClass.Request);
  attr.setUsername(m, username);
  attr.setPriority(m, 1845501695);
  attr.setIceControlled(m, 5n);
  extra?.(m);
  return { msg: m, bytes: encodeStun(m, { integrityKey: shortTermKey(password), fingerprint: true }) };
}

describe('IceAgent security (testkit, fake clock)', function () {
  this.timeout(20_000);

  it('a request with bad MESSAGE-INTEGRITY gets no answer and creates no candidate', () =>
    withAttacker(async (w, evil, replies, t) => {
      const before = w.a.remoteCandidateList.length;
      const { bytes } = check(`${w.a.localParameters.usernameFragment}:evil`, 'not-the-password-at-all-x');
      evil.send(bytes, t.port, t.address);
      const noMi = new StunMessage(StunMethod.Binding, StunClass.Request);
      attr.setUsername(noMi, `${w.a.localParameters.usernameFragment}:evil`);
      evil.send(encodeStun(noMi), t.port, t.address);
      const wrongUfrag = check('nobody:evil', w.a.localParameters.password);
      evil.send(wrongUfrag.bytes, t.port, t.address);
      await w.clock.advanceAsync(200);
      expect(replies).to.have.length(0);
      expect(w.a.counters.get('request-bad-integrity')).to.equal(1);
      expect(w.a.counters.get('request-unauthenticated')).to.equal(1);
      expect(w.a.counters.get('request-wrong-ufrag')).to.equal(1);
      expect(w.a.remoteCandidateList.length).to.equal(before);
    }));

  it('a correctly signed request is answered with XOR-MAPPED-ADDRESS and signed with our password', () =>
    withAttacker(async (w, evil, replies, t) => {
      const { msg, bytes } = check(`${w.a.localParameters.usernameFragment}:evil`, w.a.localParameters.password);
      evil.send(bytes, t.port, t.address);
      await w.clock.advanceAsync(200);
      const responses = replies.filter((m) => m.isResponse);
      expect(responses).to.have.length(1);
      expect(responses[0]!.transactionKey).to.equal(msg.transactionKey);
      expect(responses[0]!.messageClass).to.equal(StunClass.SuccessResponse);
      expect(verifyIntegrity(responses[0]!, shortTermKey(w.a.localParameters.password))).to.equal(true);
      expect(attr.getXorMappedAddress(responses[0]!)).to.deep.equal({ address: EVIL_IP, port: 5000, family: 'IPv4' });
      expect(w.a.counters.get('prflx-remote-created')).to.equal(1);
      // §7.3.1.4: the authenticated request also triggers a check back to its source.
      expect(replies.filter((m) => m.isRequest)).to.have.length.greaterThan(0);
    }));

  it('420 with UNKNOWN-ATTRIBUTES for an authenticated request carrying an unknown comprehension-required attribute', () =>
    withAttacker(async (w, evil, replies, t) => {
      const { bytes } = check(`${w.a.localParameters.usernameFragment}:evil`, w.a.localParameters.password, (m) => m.add(0x7f01, Buffer.from([1, 2, 3, 4])));
      evil.send(bytes, t.port, t.address);
      await w.clock.advanceAsync(200);
      expect(replies).to.have.length(1);
      expect(attr.getErrorCode(replies[0]!)!.code).to.equal(StunErrorCode.UnknownAttribute);
      expect(attr.getUnknownAttributes(replies[0]!)).to.deep.equal([0x7f01]);
    }));

  it('a response to a transaction we never started is ignored and counted', () =>
    withAttacker(async (w, evil, _replies, t) => {
      const selected = w.a.selectedPair;
      const res = new StunMessage(StunMethod.Binding, StunClass.SuccessResponse);
      attr.setXorMappedAddress(res, { address: '1.2.3.4', port: 9 });
      evil.send(encodeStun(res, { integrityKey: shortTermKey(w.a.localParameters.password), fingerprint: true }), t.port, t.address);
      await w.clock.advanceAsync(200);
      expect(w.a.counters.get('response-unknown-transaction')).to.equal(1);
      expect(w.a.selectedPair).to.equal(selected);
      expect(w.a.state).to.equal('completed');
    }));

  it('peer-reflexive candidates are capped (maxPeerReflexive 20) even for authenticated floods', () =>
    withAttacker(async (w, _evil, replies, t) => {
      const evilHost = w.net.host('evil');
      const sockets: DatagramSocket[] = [];
      for (let i = 0; i < 30; i++) sockets.push(await evilHost.bindUdp({ address: EVIL_IP, port: 6000 + i }));
      for (const s of sockets) {
        s.onMessage((d) => replies.push(parseStun(d)!));
        s.send(check(`${w.a.localParameters.usernameFragment}:evil`, w.a.localParameters.password).bytes, t.port, t.address);
      }
      await w.clock.advanceAsync(300);
      expect(w.a.counters.get('prflx-remote-created')).to.equal(20);
      expect(w.a.counters.get('prflx-remote-capped')).to.equal(10);
      sockets.forEach((s) => s.close());
    }));

  it('fuzz: 3000 mutated signed checks and responses never throw out of the handler (testkit counts handler errors)', () =>
    withAttacker(async (w, evil, _replies, t) => {
      const ufrag = w.a.localParameters.usernameFragment;
      const pwd = w.a.localParameters.password;
      const seeds = [
        check(`${ufrag}:evil`, pwd, (m) => attr.setUseCandidate(m)).bytes,
        check(`${ufrag}:evil`, pwd, (m) => attr.setIceControlling(m, 1n)).bytes,
        encodeStun(attr.setXorMappedAddress(new StunMessage(StunMethod.Binding, StunClass.SuccessResponse), { address: '::1', port: 1 }), { integrityKey: shortTermKey(pwd), fingerprint: true }),
        encodeStun(attr.setErrorCode(new StunMessage(StunMethod.Binding, StunClass.ErrorResponse), 487, 'x'), { fingerprint: true }),
      ];
      let x = 12345;
      const rnd = (n: number) => {
        x = (x * 1103515245 + 12345) >>> 0;
        return x % n;
      };
      for (let i = 0; i < 3000; i++) {
        const b = Buffer.from(seeds[i % seeds.length]!);
        // Mutate past the header's first 4 bytes so most messages still parse as STUN.
        for (let k = 0, n = 1 + rnd(3); k < n; k++) b[20 + rnd(b.length - 20)] = rnd(256);
        evil.send(b, t.port, t.address);
        if (i % 200 === 0) await w.clock.advanceAsync(5);
      }
      await w.clock.advanceAsync(200);
      expect(w.net.counters.get('handler-error')).to.equal(0);
      expect(w.a.state).to.equal('completed');
      const c = w.a.counters.toJSON();
      const dropped = Object.entries(c).filter(([k]) => k.startsWith('stun-') || k.startsWith('request-') || k.startsWith('response-')).reduce((n, [, v]) => n + v, 0);
      expect(dropped).to.be.greaterThan(1000);
    }));

  it('garbage and non-STUN from unknown sources is dropped and counted, never thrown', () =>
    withAttacker(async (w, evil, replies, t) => {
      evil.send(Buffer.from([0, 1, 0, 4, 1, 2]), t.port, t.address); // STUN range, malformed
      evil.send(Buffer.from([0x80, 0x60, 0, 1]), t.port, t.address); // RTP-like from a stranger
      evil.send(Buffer.alloc(0), t.port, t.address);
      let data = 0;
      w.a.on('data', () => data++);
      await w.clock.advanceAsync(200);
      expect(replies).to.have.length(0);
      expect(data).to.equal(0);
      expect(w.a.counters.get('stun-not-stun')).to.equal(1);
      expect(w.a.counters.get('data-unknown-source')).to.equal(1);
      expect(w.a.counters.get('empty-datagram')).to.equal(1);
    }));
});

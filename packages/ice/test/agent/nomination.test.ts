import { expect } from 'chai';
import { FakeClock } from '@rivulet/common';
import { VirtualNetwork } from '@rivulet/testkit';
import { StunClass, StunMessage, StunMethod, attr, encodeStun, parseStun, shortTermKey, verifyIntegrity } from '../../src/stun/index.js';
import { IceAgent, IceCandidate } from '../../src/agent/index.js';
import { isUp, signal } from './helpers.js';
import { connect, makeWorld } from './world.js';

describe('IceAgent nomination and address families (testkit, fake clock)', function () {
  this.timeout(20_000);

  it('controlled agent accepts aggressive nomination: USE-CANDIDATE on the very first check selects the pair once our triggered check succeeds', async () => {
    const clock = new FakeClock();
    const net = new VirtualNetwork({ clock });
    const ours = net.addHost('ours', { addresses: ['198.51.100.1'], link: { delayMs: 10 } });
    const peerHost = net.addHost('peer', { addresses: ['198.51.100.2'], link: { delayMs: 10 } });
    const agent = new IceAgent({ controlling: false, clock, network: ours, iceServers: [] });
    const peer = await peerHost.bindUdp({ address: '198.51.100.2', port: 7000 });
    const peerParams = { usernameFragment: 'peerUfrag', password: 'peerPasswordPeerPassword' };
    try {
      agent.setRemoteParameters(peerParams);
      agent.start();
      void agent.gather();
      await clock.advanceAsync(10);
      const target = agent.localCandidateList[0]!;
      const ourParams = agent.localParameters;
      let triggered: StunMessage | undefined;
      let ourResponse: StunMessage | undefined;
      peer.onMessage((d, from) => {
        const m = parseStun(d)!;
        if (m.isRequest) {
          // Our triggered check: answer it as a real peer would, signed with the peer's password.
          expect(attr.getUsername(m)).to.equal(`${peerParams.usernameFragment}:${ourParams.usernameFragment}`);
          expect(verifyIntegrity(m, shortTermKey(peerParams.password))).to.equal(true);
          expect(attr.getIceControlled(m)).to.not.equal(undefined);
          triggered = m;
          const res = m.createResponse();
          attr.setXorMappedAddress(res, from);
          peer.send(encodeStun(res, { integrityKey: shortTermKey(peerParams.password), fingerprint: true }), from.port, from.address);
        } else ourResponse = m;
      });
      // The aggressive peer's first and only check already carries USE-CANDIDATE.
      const check = new StunMessage(StunMethod.Binding, StunClass.Request);
      attr.setUsername(check, `${ourParams.usernameFragment}:${peerParams.usernameFragment}`);
      attr.setPriority(check, 1862270975);
      attr.setIceControlling(check, 99n);
      attr.setUseCandidate(check);
      peer.send(encodeStun(check, { integrityKey: shortTermKey(ourParams.password), fingerprint: true }), target.port, target.address);
      await clock.runUntil(() => isUp(agent.state), { maxMs: 2000 });
      expect(ourResponse!.messageClass).to.equal(StunClass.SuccessResponse);
      expect(triggered).to.not.equal(undefined);
      expect(attr.getUseCandidate(triggered!)).to.equal(false); // controlled agents never nominate
      expect(agent.selectedPair!.remote.address).to.equal('198.51.100.2');
      expect(agent.selectedPair!.remote.port).to.equal(7000);
      expect(agent.selectedPair!.remote.type).to.equal('prflx'); // learnt from the check (never signalled)
      expect(agent.selectedPair!.nominated).to.equal(true);
    } finally {
      agent.close();
      peer.close();
    }
  });

  it('a nomination whose every response is lost is re-sent on the same pair (the peer is alive there), so both sides end on one pair', async () => {
    const w = await makeWorld({ turn: false });
    try {
      let nominationTx: string | undefined;
      let droppedResponses = 0;
      w.net.setTap((p) => {
        const m = parseStun(p.data);
        if (!m) return;
        if (p.stage === 'send' && p.host === 'a' && m.isRequest && attr.getUseCandidate(m)) nominationTx ??= m.transactionKey;
        if (p.stage === 'send' && p.host === 'b' && m.isResponse && m.transactionKey === nominationTx) {
          droppedResponses++;
          return 'drop';
        }
        return undefined;
      });
      await connect(w, 40_000);
      expect(droppedResponses).to.equal(7); // every transmission of the first nomination went unanswered
      expect(w.a.counters.get('nomination-retries')).to.equal(1);
      expect(w.a.selectedPair!.remote.port).to.equal(w.b.selectedPair!.local.base.address.port);
      expect(w.b.selectedPair!.remote.port).to.equal(w.a.selectedPair!.local.base.address.port);
    } finally {
      w.close();
    }
  });

  it('dual-stack hosts gather IPv6 and IPv4 host candidates, IPv6 first, and select an IPv6 pair', async () => {
    const clock = new FakeClock();
    const net = new VirtualNetwork({ clock });
    const ha = net.addHost('a', { addresses: ['198.51.100.1', 'fd00::1'], link: { delayMs: 5 } });
    const hb = net.addHost('b', { addresses: ['198.51.100.2', 'fd00::2'], link: { delayMs: 5 } });
    const a = new IceAgent({ controlling: true, clock, network: ha });
    const b = new IceAgent({ controlling: false, clock, network: hb });
    try {
      const seen: IceCandidate[] = [];
      a.on('candidate', (c) => seen.push(c));
      signal(a, b);
      a.start();
      b.start();
      void a.gather();
      void b.gather();
      await clock.runUntil(() => isUp(a.state) && isUp(b.state), { maxMs: 5000 });
      expect(seen.map((c) => c.address)).to.deep.equal(['fd00::1', '198.51.100.1']);
      expect(seen[0]!.priority).to.be.greaterThan(seen[1]!.priority);
      expect(seen[0]!.foundation).to.not.equal(seen[1]!.foundation);
      expect(a.selectedPair!.remote.address).to.equal('fd00::2');
      // Pairs never mix families.
      expect(a.pairs.every((p) => p.local.base.address.family === (p.remote.address.includes(':') ? 'IPv6' : 'IPv4'))).to.equal(true);
      expect(a.pairs).to.have.length(2);
    } finally {
      a.close();
      b.close();
    }
  });
});

import { expect } from 'chai';
import type { NatBehavior } from '@rivulet/testkit';
import { IceCandidate, InMemoryMdns, type IceConnectionState } from '../../src/agent/index.js';
import { isUp } from './helpers.js';
import { connect, makeWorld } from './world.js';

describe('IceAgent behaviour (testkit, fake clock)', function () {
  this.timeout(20_000);

  for (const seed of [1, 2, 3]) {
    it(`connects under 20 % loss on both access links (seed ${seed}) and delivers data`, async () => {
      const w = await makeWorld({ natA: 'port-restricted', natB: 'restricted', seed, link: { loss: 0.2 } });
      try {
        const ms = await connect(w, 40_000);
        expect(ms).to.be.lessThan(40_000);
        expect(w.net.counters.get('dropped:loss')).to.be.greaterThan(0);
        let got = 0;
        w.b.on('data', () => got++);
        for (let i = 0; i < 50; i++) w.a.send(Buffer.from([0x80, i]));
        await w.clock.advanceAsync(500);
        // 20 % on each of two access links → ~64 % delivered; bounds are loose but exclude 0 and 50.
        expect(got).to.be.within(15, 49);
      } finally {
        w.close();
      }
    });
  }

  it('30 % loss on both access links, every filtering combination behind endpoint-independent mapping, 6 seeds: all 54 connect directly', async function () {
    this.timeout(60_000);
    const filters: NatBehavior[] = ['endpoint-independent', 'address-dependent', 'address-and-port-dependent'];
    const failures: string[] = [];
    for (const seed of [31, 32, 33, 36, 37, 43]) {
      for (const fa of filters) {
        for (const fb of filters) {
          const w = await makeWorld({ natA: ['endpoint-independent', fa], natB: ['endpoint-independent', fb], seed, link: { loss: 0.3 }, turn: false });
          try {
            await connect(w, 60_000);
          } catch {
            failures.push(`seed ${seed} ${fa}/${fb}: ${w.a.state}/${w.b.state}`);
          } finally {
            w.close();
          }
        }
      }
    }
    expect(failures).to.deep.equal([]);
  });

  it('ICE restart: media stays on the old pair until a new pair is selected, then moves', async () => {
    const w = await makeWorld({ natA: 'full-cone', natB: 'public', turn: false });
    try {
      await connect(w);
      const oldA = w.a.selectedPair!;
      const oldUfrag = w.a.localParameters.usernameFragment;
      const got: number[] = [];
      w.b.on('data', (d) => got.push(d[1]!));
      const changes: string[] = [];
      w.a.on('selectedpairchange', (p) => changes.push(p!.toString()));
      w.a.restart();
      w.b.restart();
      expect(w.a.localParameters.usernameFragment).to.not.equal(oldUfrag);
      // Data during the restart still flows on the old pair.
      w.a.send(Buffer.from([0x80, 1]));
      await w.clock.advanceAsync(100);
      expect(got).to.deep.equal([1]);
      expect(w.a.selectedPair).to.equal(oldA);
      // Exchange the new parameters and candidates (candidates are re-emitted by the restart's gather).
      w.a.setRemoteParameters(w.b.localParameters);
      w.b.setRemoteParameters(w.a.localParameters);
      for (const c of w.b.localCandidateList) w.a.addRemoteCandidate(c);
      for (const c of w.a.localCandidateList) w.b.addRemoteCandidate(c);
      w.a.addRemoteCandidate(null);
      w.b.addRemoteCandidate(null);
      await w.clock.runUntil(() => changes.length > 0 && w.b.selectedPair !== undefined && w.b.selectedPair.remote.usernameFragment === w.a.localParameters.usernameFragment, { maxMs: 10_000 });
      expect(w.a.selectedPair).to.not.equal(oldA);
      expect(isUp(w.a.state) && isUp(w.b.state)).to.equal(true);
      w.a.send(Buffer.from([0x80, 2]));
      await w.clock.advanceAsync(100);
      expect(got).to.deep.equal([1, 2]);
    } finally {
      w.close();
    }
  });

  it('peer-initiated restart (JSEP order: remote parameters first, then our restart) keeps the new remote generation and reconnects', async () => {
    const w = await makeWorld({ natA: 'full-cone', natB: 'public', turn: false });
    try {
      await connect(w);
      const oldB = w.b.selectedPair!;
      // B restarts (the offerer); its new parameters and candidates reach A before A restarts (the answerer).
      w.b.restart();
      await w.clock.advanceAsync(50);
      w.a.setRemoteParameters(w.b.localParameters);
      w.a.restart();
      w.b.setRemoteParameters(w.a.localParameters);
      await w.clock.runUntil(() => w.b.selectedPair !== oldB && w.b.selectedPair !== undefined && isUp(w.a.state) && isUp(w.b.state), { maxMs: 10_000 });
      expect(w.a.remoteParameters!.usernameFragment).to.equal(w.b.localParameters.usernameFragment);
      expect(w.a.selectedPair).to.not.equal(undefined);
    } finally {
      w.close();
    }
  });

  it('consent: link cut → disconnected within ~5–11 s → failed at 30 s; a restart recovers', async () => {
    const w = await makeWorld({ turn: false });
    try {
      await connect(w);
      const states: Array<[IceConnectionState, number]> = [];
      w.a.on('statechange', (s) => states.push([s, w.clock.now()]));
      const cutAt = w.clock.now();
      w.hostB.link.cut();
      await w.clock.runUntil(() => w.a.state === 'failed', { maxMs: 40_000, stepMs: 50 });
      const disc = states.find(([s]) => s === 'disconnected')![1] - cutAt;
      const failed = states.find(([s]) => s === 'failed')![1] - cutAt;
      expect(states.map(([s]) => s)).to.deep.equal(['disconnected', 'failed']);
      expect(disc).to.be.within(4_000, 11_500);
      // Consent expires 30 s after the last response (which came just before the cut).
      expect(failed).to.be.within(29_000, 31_000);
      // RFC 7675: no more sending after consent is lost.
      expect(w.a.selectedPair).to.equal(undefined);
      const sent = w.a.counters.get('send-without-pair');
      w.a.send(Buffer.from([0x80]));
      expect(w.a.counters.get('send-without-pair')).to.equal(sent + 1);
      // An ICE restart (both sides, link back) recovers from 'failed'.
      w.hostB.link.restore();
      w.a.restart();
      w.b.restart();
      expect(w.a.state).to.equal('checking');
      w.a.setRemoteParameters(w.b.localParameters);
      w.b.setRemoteParameters(w.a.localParameters);
      await w.clock.runUntil(() => isUp(w.a.state) && isUp(w.b.state), { maxMs: 10_000 });
      expect(w.a.selectedPair).to.not.equal(undefined);
    } finally {
      w.close();
    }
  });

  it('consent: back to connected when responses return before 30 s', async () => {
    const w = await makeWorld({ turn: false });
    try {
      await connect(w);
      const states: IceConnectionState[] = [];
      w.a.on('statechange', (s) => states.push(s));
      w.hostB.link.cut();
      await w.clock.runUntil(() => w.a.state === 'disconnected', { maxMs: 15_000, stepMs: 50 });
      w.hostB.link.restore();
      await w.clock.runUntil(() => isUp(w.a.state), { maxMs: 3_000, stepMs: 50 });
      await w.clock.advanceAsync(40_000, 100);
      expect(states).to.deep.equal(['disconnected', 'completed']);
      expect(w.a.state).to.equal('completed');
    } finally {
      w.close();
    }
  });

  for (const controlling of [true, false]) {
    it(`role conflict: both agents ${controlling ? 'controlling' : 'controlled'} → one switches (487 or switch), they connect`, async () => {
      const w = await makeWorld({ turn: false, a: { controlling }, b: { controlling } });
      try {
        await connect(w);
        expect(w.a.role).to.not.equal(w.b.role);
        const resolved =
          w.a.counters.get('request-role-conflict-487') + w.b.counters.get('request-role-conflict-487') +
          w.a.counters.get('request-role-switch') + w.b.counters.get('request-role-switch');
        expect(resolved).to.be.greaterThan(0);
        expect(w.a.selectedPair!.remote.port).to.equal(w.b.selectedPair!.local.base.address.port);
      } finally {
        w.close();
      }
    });
  }

  it('ICE-lite peer: the full agent takes the controlling role, nominates, and the lite agent sends no checks', async () => {
    const w = await makeWorld({ turn: false, a: { controlling: false }, b: { controlling: false, iceLite: true, iceServers: [] } });
    try {
      await connect(w, 10_000, { iceLiteB: true });
      expect(w.a.role).to.equal('controlling');
      expect(w.b.role).to.equal('controlled');
      expect(w.b.counters.get('checks-sent')).to.equal(0);
      expect(w.b.localCandidateList.map((c) => c.type)).to.deep.equal(['host']);
      expect(w.b.selectedPair!.nominated).to.equal(true);
      // RFC 8445 §11: the lite agent keeps the path alive with Binding indications every 15 s;
      // the full agent keeps consent with checks, which the lite agent answers.
      const indications = w.a.counters.get('indication');
      await w.clock.advanceAsync(31_000, 100);
      expect(w.b.counters.get('keepalives-sent')).to.equal(2);
      expect(w.a.counters.get('indication') - indications).to.equal(2);
      expect(w.a.state).to.equal('completed');
      expect(w.a.counters.get('consent-checks-sent')).to.be.greaterThan(4);
    } finally {
      w.close();
    }
  });

  it('trickle: candidates arriving 2 s late (after start) still connect; end-of-candidates → completed', async () => {
    const w = await makeWorld({ natA: 'restricted', natB: 'full-cone', turn: false });
    try {
      const ms = await connect(w, 20_000, { delayCandidates: (deliver) => w.clock.setTimeout(deliver, 2000) });
      expect(ms).to.be.within(2000, 6000);
      await w.clock.runUntil(() => w.a.state === 'completed' && w.b.state === 'completed', { maxMs: 5000 });
    } finally {
      w.close();
    }
  });

  it('iceTransportPolicy relay gathers only relay candidates and connects through TURN', async () => {
    const w = await makeWorld({ natA: 'full-cone', natB: 'public', a: { iceTransportPolicy: 'relay' } });
    try {
      const types: string[] = [];
      w.a.on('candidate', (c) => types.push(c.type));
      await connect(w);
      expect(types).to.deep.equal(['relay']);
      expect(w.a.selectedPair!.local.candidate.type).to.equal('relay');
    } finally {
      w.close();
    }
  });

  it('fails when every pair fails and both sides signalled end-of-candidates', async () => {
    const w = await makeWorld({ natA: 'symmetric', natB: 'symmetric', turn: false });
    try {
      await connect(w, 60_000).catch(() => undefined);
      expect(w.a.state).to.equal('failed');
      expect(w.b.state).to.equal('failed');
    } finally {
      w.close();
    }
  });

  it('hideHostAddresses: host candidates are .local names resolved through the injected mDNS, and connect', async () => {
    const mdns = new InMemoryMdns();
    const opts = { hideHostAddresses: true, mdnsResolver: mdns, mdnsResponder: mdns, iceServers: [] };
    const w = await makeWorld({ a: opts, b: opts });
    try {
      const seen: string[] = [];
      w.a.on('candidate', (c) => seen.push(c.address));
      await connect(w);
      expect(seen).to.have.length(1);
      expect(seen[0]).to.match(/^[0-9a-f-]{36}\.local$/);
      expect(mdns.lookups).to.be.greaterThanOrEqual(2);
      expect(w.a.selectedPair!.remote.address).to.equal('198.51.100.2');
    } finally {
      w.close();
    }
  });

  it('hideHostAddresses: srflx candidates carry raddr 0.0.0.0 rport 0; an unresolvable .local candidate is dropped and counted', async () => {
    const mdns = new InMemoryMdns();
    const w = await makeWorld({ natA: 'full-cone', natB: 'public', turn: false, a: { hideHostAddresses: true, mdnsResolver: mdns, mdnsResponder: mdns }, b: { mdnsResolver: mdns } });
    try {
      const cands: string[] = [];
      w.a.on('candidate', (c) => cands.push(c.toSdp()));
      await connect(w);
      const srflx = cands.find((c) => c.includes(' typ srflx'))!;
      expect(srflx).to.match(/ 198\.51\.100\.1 \d+ typ srflx raddr 0\.0\.0\.0 rport 0/);
      expect(cands.find((c) => c.includes(' typ host'))).to.match(/ [0-9a-f-]{36}\.local \d+ typ host/);
      // B gets a name nobody answers for: dropped and counted once the resolver gives up.
      w.b.addRemoteCandidate(IceCandidate.fromSdp('candidate:9 1 udp 2122260223 00000000-0000-4000-8000-000000000000.local 9 typ host'));
      await w.clock.advanceAsync(10);
      expect(w.b.counters.get('mdns-unresolved')).to.equal(1);
    } finally {
      w.close();
    }
  });
});

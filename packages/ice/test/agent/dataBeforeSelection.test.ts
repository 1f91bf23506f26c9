import { expect } from 'chai';
import { FakeClock } from '@rivulet/common';
import { VirtualNetwork } from '@rivulet/testkit';
import { IceAgent, IceCandidate } from '../../src/agent/index.js';

/**
 * RFC 8445 §12.1: "an ICE agent MAY send data on any valid pair before selected pairs have been
 * produced". Connection set-up uses this to start DTLS when the first pair is valid instead of
 * waiting for the nomination round trip (docs/bench/connect-latency.md).
 */
describe('IceAgent data before selection (RFC 8445 §12.1)', function () {
  this.timeout(10_000);

  async function pair() {
    const clock = new FakeClock();
    const net = new VirtualNetwork({ clock, seed: 3 });
    const a = new IceAgent({ controlling: true, clock, network: net.addHost('a', { addresses: ['198.51.100.1'], link: { delayMs: 5 } }), iceServers: [] });
    const b = new IceAgent({ controlling: false, clock, network: net.addHost('b', { addresses: ['198.51.100.2'], link: { delayMs: 5 } }), iceServers: [] });
    const ga = a.gather();
    const gb = b.gather();
    await clock.runUntil(() => a.gatheringState === 'complete' && b.gatheringState === 'complete', { maxMs: 1000 });
    await Promise.all([ga, gb]);
    const received = { a: [] as string[], b: [] as string[] };
    a.on('data', (d) => received.a.push(d.toString()));
    b.on('data', (d) => received.b.push(d.toString()));
    const candidateOf = (x: IceAgent) => IceCandidate.fromSdp(x.localCandidateList[0]!.toSdp());
    return { clock, a, b, received, candidateOf };
  }

  it('the controlled agent is writable once its own check succeeds, before any nomination, and its data reaches the peer', async () => {
    const { clock, a, b, received, candidateOf } = await pair();
    try {
      let writableAt = -1;
      b.on('writable', () => { writableAt = clock.now(); });
      // Only b knows the other side: its check reaches a, which answers with its own credentials
      // although it has not started (it cannot nominate anything yet).
      b.setRemoteParameters(a.localParameters);
      b.addRemoteCandidate(candidateOf(a));
      b.start();
      const t0 = clock.now();
      expect(b.writable).to.equal(false);
      await clock.runUntil(() => writableAt >= 0, { maxMs: 1000, stepMs: 1 });
      expect(writableAt - t0).to.equal(20); // one round trip, 10 ms each way (5 ms per host link)
      expect(b.writable).to.equal(true);
      expect(b.selectedPair).to.equal(undefined);
      expect(b.state).to.equal('checking');
      b.send(Buffer.from('early hello'));
      expect(b.counters.get('data-sent-before-selection')).to.equal(1);
      expect(b.counters.get('send-without-pair')).to.equal(0);
      await clock.advanceAsync(10);
      expect(received.a).to.deep.equal(['early hello']); // a answered b's authenticated check: a valid source
    } finally {
      a.close();
      b.close();
    }
  });

  it('data sent before any pair is valid is held and goes out the moment the first check succeeds', async () => {
    const { clock, a, b, received, candidateOf } = await pair();
    try {
      const order: string[] = [];
      a.on('writable', () => order.push('writable'));
      a.setRemoteParameters(b.localParameters);
      a.addRemoteCandidate(candidateOf(b));
      a.start();
      a.send(Buffer.from('first flight'));
      a.send(Buffer.from('second record'));
      expect(a.counters.get('data-held-until-valid')).to.equal(2);
      expect(a.writable).to.equal(false);
      await clock.advanceAsync(19);
      expect(received.b).to.deep.equal([]); // nothing went out before the pair was valid
      expect(order).to.deep.equal([]);
      await clock.advanceAsync(1); // the response arrives at 20 ms: pair valid, held data sent
      expect(order).to.deep.equal(['writable']);
      expect(a.counters.get('data-sent-before-selection') + a.counters.get('data-sent')).to.equal(2);
      await clock.advanceAsync(10);
      expect(received.b).to.deep.equal(['first flight', 'second record']);
    } finally {
      a.close();
      b.close();
    }
  });

  it('holds at most 16 datagrams and drops (counts) the rest; a closed agent forgets them', async () => {
    const { a, b, candidateOf } = await pair();
    try {
      a.setRemoteParameters(b.localParameters);
      a.addRemoteCandidate(candidateOf(b));
      a.start();
      for (let i = 0; i < 20; i++) a.send(Buffer.from([i + 20]));
      expect(a.counters.get('data-held-until-valid')).to.equal(16);
      expect(a.counters.get('send-without-pair')).to.equal(4);
    } finally {
      a.close();
      b.close();
    }
  });

  it('an agent that has not started does not hold data', async () => {
    const { a, b } = await pair();
    try {
      a.send(Buffer.from([20]));
      expect(a.counters.get('data-held-until-valid')).to.equal(0);
      expect(a.counters.get('send-without-pair')).to.equal(1);
    } finally {
      a.close();
      b.close();
    }
  });
});

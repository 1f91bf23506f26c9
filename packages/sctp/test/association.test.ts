import { expect } from 'chai';
import { FakeClock } from '@rivulet/common';
import { createPair, run } from './helpers/link.js';

describe('SctpAssociation handshake', () => {
  it('establishes when one side starts (four-way handshake with a signed cookie)', () => {
    const clock = new FakeClock();
    const { a, b, ab, ba } = createPair(clock, { minDelayMs: 5 });
    const states: string[] = [];
    a.on('statechange', (s) => states.push(s));
    a.start();
    run(clock, () => a.state === 'established' && b.state === 'established', 5000);
    expect(states).to.deep.equal(['cookie-wait', 'cookie-echoed', 'established']);
    // INIT, COOKIE ECHO one way; INIT ACK, COOKIE ACK the other.
    expect(ab.sent).to.equal(2);
    expect(ba.sent).to.equal(2);
    expect(clock.now()).to.equal(20);
  });

  it('establishes when both sides send INIT at once (RFC 9260 §5.2.1 collision)', () => {
    const clock = new FakeClock();
    const { a, b } = createPair(clock, { minDelayMs: 5 }, {}, 7);
    a.start();
    b.start();
    run(clock, () => a.state === 'established' && b.state === 'established', 5000);
    const got: string[] = [];
    b.on('message', (_s, _p, d) => got.push(d.toString()));
    a.on('message', (_s, _p, d) => got.push(d.toString()));
    a.sendMessage(0, 51, Buffer.from('a->b'));
    b.sendMessage(1, 51, Buffer.from('b->a'));
    run(clock, () => got.length === 2, 5000);
    expect(got.sort()).to.deep.equal(['a->b', 'b->a']);
    expect(a.drops.get('badVerificationTag')).to.equal(0);
    expect(b.drops.get('badVerificationTag')).to.equal(0);
  });

  it('retransmits INIT on T1 expiry and gives up after Max.Init.Retransmits', () => {
    const clock = new FakeClock();
    const { a, ab } = createPair(clock, { minDelayMs: 5 }, { maxInitRetransmits: 3, rto: { initialMs: 100, minMs: 50, maxMs: 1000 } });
    ab.up = false;
    let error: Error | undefined;
    a.on('error', (e) => (error = e));
    a.start();
    run(clock, () => a.state === 'closed', 10_000);
    // 100 + 200 + 400 + 800 ms of T1, then the fourth expiry ends it.
    expect(clock.now()).to.equal(1500);
    expect(ab.sent).to.equal(4);
    expect(error?.message).to.match(/handshake timed out/);
  });
});

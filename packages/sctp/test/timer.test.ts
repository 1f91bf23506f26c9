import { expect } from 'chai';
import { FakeClock } from '@rivulet/common';
import { TimerSlot } from '../src/timer.js';
import { resolveOptions } from '../src/options.js';
import { createPair, run } from './helpers/link.js';

describe('TimerSlot (protocol timers with cheap restarts)', () => {
  it('a restart to a later deadline keeps one clock timer and fires once, at the new deadline', () => {
    const clock = new FakeClock();
    const fired: number[] = [];
    const t = new TimerSlot(clock, () => fired.push(clock.now()));
    t.start(200);
    for (let i = 1; i <= 100; i++) {
      clock.advance(1);
      t.start(200); // T3 restarted on every SACK
    }
    expect(clock.pendingTimers).to.equal(1);
    clock.advance(199);
    expect(fired).to.deep.equal([]);
    clock.advance(1);
    expect(fired).to.deep.equal([300]);
    expect(t.running).to.equal(false);
    clock.advance(1000);
    expect(fired).to.deep.equal([300]);
  });

  it('a restart to an earlier deadline fires at the earlier one', () => {
    const clock = new FakeClock();
    const fired: number[] = [];
    const t = new TimerSlot(clock, () => fired.push(clock.now()));
    t.start(1000);
    clock.advance(10);
    t.start(50);
    clock.advance(2000);
    expect(fired).to.deep.equal([60]);
  });

  it('stop() prevents the callback; start() after stop() fires on the new deadline; ensure() does not move a running one', () => {
    const clock = new FakeClock();
    const fired: number[] = [];
    const t = new TimerSlot(clock, () => fired.push(clock.now()));
    t.start(100);
    clock.advance(50);
    t.stop();
    expect(t.running).to.equal(false);
    clock.advance(100);
    expect(fired).to.deep.equal([]);
    t.start(100); // at 150
    clock.advance(20);
    t.stop();
    t.ensure(100); // at 170: due at 270
    t.ensure(10); // running: unchanged
    clock.advance(1000);
    expect(fired).to.deep.equal([270]);
  });

  it('cancel() leaves no clock timer behind', () => {
    const clock = new FakeClock();
    let fired = 0;
    const t = new TimerSlot(clock, () => fired++);
    t.start(100);
    t.stop();
    expect(clock.pendingTimers).to.equal(1); // stop() alone leaves the armed timer to lapse
    t.cancel();
    expect(clock.pendingTimers).to.equal(0);
    clock.advance(1000);
    expect(fired).to.equal(0);
  });
});

describe('SctpAssociation coalescing flush (options.defer)', () => {
  it('defaults to setImmediate with the real clock (no 1 ms timer floor) and to a zero-delay clock timer otherwise', async () => {
    const order: string[] = [];
    const real = resolveOptions({ send: () => {} });
    real.defer(() => order.push('deferred'));
    setImmediate(() => order.push('immediate after'));
    // A setTimeout(0) scheduled first would still run after both: Node gives it at least 1 ms.
    await new Promise((r) => setTimeout(r, 5));
    expect(order).to.deep.equal(['deferred', 'immediate after']);

    const clock = new FakeClock();
    const fake = resolveOptions({ send: () => {}, clock });
    let ran = 0;
    fake.defer(() => ran++);
    await new Promise((r) => setImmediate(r));
    expect(ran).to.equal(0); // only the fake clock runs it
    clock.advance(0);
    expect(ran).to.equal(1);

    const mine: (() => void)[] = [];
    expect(resolveOptions({ send: () => {}, defer: (fn) => mine.push(fn) }).defer).to.be.a('function');
    expect(() => resolveOptions({ send: () => {}, defer: 5 as unknown as () => void })).to.throw(TypeError, /defer must be a function, got number/);
  });

  it('hands the coalescing flush of a burst to defer, once, and sends the burst in one packet when it runs', () => {
    const clock = new FakeClock();
    const deferred: (() => void)[] = [];
    const { a, b, ab } = createPair(clock, { minDelayMs: 1 }, { defer: (fn) => deferred.push(fn) });
    a.start();
    run(clock, () => a.state === 'established' && b.state === 'established', 5000);
    const got: string[] = [];
    b.on('message', (_s, _p, d) => got.push(d.toString()));
    const sentBefore = ab.sent;
    a.sendMessage(0, 51, Buffer.from('first')); // idle association: out at once
    expect(ab.sent).to.equal(sentBefore + 1);
    const pending = deferred.length;
    a.sendMessage(0, 51, Buffer.from('second'));
    a.sendMessage(0, 51, Buffer.from('third'));
    expect(deferred.length).to.equal(pending + 1); // one scheduled flush for the burst
    expect(ab.sent).to.equal(sentBefore + 1);
    deferred.splice(pending, 1)[0]!();
    expect(ab.sent).to.equal(sentBefore + 2); // second and third share one packet
    run(clock, () => got.length === 3, 5000);
    expect(got).to.deep.equal(['first', 'second', 'third']);
  });
});

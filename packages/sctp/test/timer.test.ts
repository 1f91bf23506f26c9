import { expect } from 'chai';
import { FakeClock } from '@rivulet/common';
import { TimerSlot } from '../src/timer.js';

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

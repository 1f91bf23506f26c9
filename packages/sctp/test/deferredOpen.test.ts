import { expect } from 'chai';
import { FakeClock } from '@rivulet/common';
import { DataChannelManager } from '../src/channelManager.js';
import { createPair, run } from './helpers/link.js';

/**
 * A channel created on an established association opens in a later task (W3C: a listener added
 * after createDataChannel() returns hears 'open'), through the association's defer (setImmediate
 * on the real clock) rather than a zero-delay clock timer, which Node stretches to >= 1 ms.
 */
describe('data channel created after establishment: open deferred without a timer', function () {
  this.timeout(10_000);

  it('opens through options.defer, not a clock timer, and not synchronously', () => {
    const clock = new FakeClock();
    const deferred: Array<() => void> = [];
    const pair = createPair(clock, { minDelayMs: 1 }, { defer: (fn) => deferred.push(fn) });
    const ma = new DataChannelManager({ association: pair.a, dtlsRole: 'server', maxMessageSize: 65536 });
    new DataChannelManager({ association: pair.b, dtlsRole: 'client', maxMessageSize: 65536 });
    pair.a.start();
    run(clock, () => {
      for (const fn of deferred.splice(0)) fn();
      return pair.a.state === 'established' && pair.b.state === 'established';
    }, 5_000);
    for (const fn of deferred.splice(0)) fn();
    const ch = ma.createChannel({ label: 'late' });
    let opened = 0;
    ch.on('open', () => opened++);
    expect(ch.readyState).to.equal('connecting');
    expect(opened).to.equal(0);
    clock.advance(0); // zero-delay clock timers fire here: the open must not be one of them
    clock.advance(1);
    expect(opened, 'opened by a clock timer').to.equal(0);
    expect(deferred.length).to.be.greaterThan(0);
    for (const fn of deferred.splice(0)) fn();
    expect(opened).to.equal(1);
    expect(ch.readyState).to.equal('open');
  });
});

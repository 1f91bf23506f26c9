import { expect } from 'chai';
import { FakeClock, RealClock } from '@rivulet/common';

describe('FakeClock', () => {
  it('fires timers in time then creation order, including ones scheduled while firing', () => {
    const c = new FakeClock();
    const log: string[] = [];
    c.setTimeout(() => log.push(`b@${c.now()}`), 20);
    c.setTimeout(() => {
      log.push(`a@${c.now()}`);
      c.setTimeout(() => log.push(`c@${c.now()}`), 5);
    }, 10);
    c.setTimeout(() => log.push(`b2@${c.now()}`), 20);
    c.advance(30);
    expect(log).to.deep.equal(['a@10', 'c@15', 'b@20', 'b2@20']);
    expect(c.now()).to.equal(30);
  });

  it('does not fire cancelled timers', () => {
    const c = new FakeClock();
    let fired = false;
    const t = c.setTimeout(() => (fired = true), 5);
    t.cancel();
    c.advance(10);
    expect(fired).to.equal(false);
    expect(c.pendingTimers).to.equal(0);
  });

  it('lets promise continuations run between timers in advanceAsync', async () => {
    const c = new FakeClock();
    const seen: number[] = [];
    const sleep = (ms: number) => new Promise<void>((r) => c.setTimeout(r, ms));
    void (async () => {
      await sleep(10);
      seen.push(c.now());
      await sleep(10);
      seen.push(c.now());
    })();
    await c.advanceAsync(25);
    expect(seen).to.deep.equal([10, 20]);
  });

  it('runUntil stops when the condition holds and throws past maxMs', async () => {
    const c = new FakeClock();
    let flag = false;
    c.setTimeout(() => (flag = true), 500);
    const took = await c.runUntil(() => flag, { stepMs: 50 });
    expect(took).to.equal(500);
    let failed = false;
    try {
      await c.runUntil(() => false, { maxMs: 100 });
    } catch {
      failed = true;
    }
    expect(failed).to.equal(true);
  });
});

describe('RealClock', () => {
  it('is monotonic and fires timers', async () => {
    const c = new RealClock();
    const t0 = c.now();
    await new Promise<void>((r) => c.setTimeout(r, 5));
    expect(c.now() - t0).to.be.greaterThanOrEqual(4);
  });
});

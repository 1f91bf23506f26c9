import { expect } from 'chai';
import { ReplayWindow, RolloverState } from '../src/index.js';

describe('srtp ReplayWindow (RFC 3711 §3.3.2)', () => {
  it('accepts new indexes, rejects duplicates, and rejects indexes older than the window', () => {
    const w = new ReplayWindow(64);
    expect(w.check(100)).to.equal('new');
    w.accept(100);
    expect(w.check(100)).to.equal('duplicate');
    expect(w.check(99)).to.equal('new'); // reordered but within the window
    w.accept(99);
    expect(w.check(99)).to.equal('duplicate');
    expect(w.check(37)).to.equal('new'); // 100 - 37 = 63 < 64
    expect(w.check(36)).to.equal('tooOld'); // 100 - 36 = 64
    w.accept(163); // slides by 63: 99 and 100 still inside
    expect(w.check(100)).to.equal('duplicate');
    expect(w.check(99)).to.equal('tooOld');
    expect(w.check(130)).to.equal('new'); // never seen, and the slot it reuses was cleared
    expect(w.highest).to.equal(163);
  });

  it('clears slots the window slides over (no stale duplicate after a jump)', () => {
    const w = new ReplayWindow(32);
    for (let i = 0; i < 32; i++) w.accept(i);
    w.accept(40); // the slots of 0..8 are reused for 32..40 and must be cleared
    for (let i = 32; i < 40; i++) expect(w.check(i), `index ${i}`).to.equal('new');
    for (let i = 9; i <= 31; i++) expect(w.check(i), `index ${i}`).to.equal('duplicate');
    expect(w.check(8)).to.equal('tooOld');
    w.accept(40 + 1000); // jump past the whole window
    expect(w.check(1039)).to.equal('new');
    expect(w.check(1040)).to.equal('duplicate');
    expect(w.check(1008)).to.equal('tooOld');
  });

  it('works with 48-bit indexes', () => {
    const w = new ReplayWindow();
    const base = 0xffff_ffff * 65536;
    w.accept(base + 5);
    expect(w.check(base + 5)).to.equal('duplicate');
    expect(w.check(base + 4)).to.equal('new');
    expect(w.size).to.equal(128);
  });

  it('rejects bad sizes with the value in the message', () => {
    expect(() => new ReplayWindow(100)).to.throw('replay window size must be a multiple of 32 in [32, 32768], got 100');
    expect(() => new ReplayWindow(0)).to.throw(/got 0/);
  });
});

describe('srtp RolloverState (RFC 3711 §3.3.1, Appendix A)', () => {
  it('starts at ROC 0 with the first sequence number', () => {
    const r = new RolloverState();
    expect(r.started).to.equal(false);
    expect(r.estimate(65000)).to.equal(65000);
  });

  it('guesses ROC+1 after a wrap and ROC-1 for a late packet from before it', () => {
    const r = new RolloverState();
    r.update(r.estimate(65530));
    expect(r.estimate(3)).to.equal(65536 + 3); // wrapped
    r.update(65536 + 3);
    expect(r.roc).to.equal(1);
    expect(r.estimate(65534)).to.equal(65534); // late packet from ROC 0
    // s_l = 3 < 32768 and 40000 - 3 > 32768: the packet is from the previous cycle (ROC-1).
    expect(r.estimate(40000)).to.equal(40000);
    expect(r.estimate(30000)).to.equal(65536 + 30000); // within half the space ahead: same ROC
    r.update(65536 + 40000);
    // s_l = 40000 ≥ 32768 and 40000 - 32768 > 5: a small SEQ belongs to the next cycle (ROC+1).
    expect(r.estimate(5)).to.equal(2 * 65536 + 5);
    expect(r.estimate(7233)).to.equal(65536 + 7233); // 40000 - 32768 = 7232 is not > 7233
  });

  it('never guesses ROC -1: a packet from before the first one gets -1', () => {
    const r = new RolloverState();
    r.update(10);
    expect(r.estimate(60000)).to.equal(-1);
    const seeded = new RolloverState(7, 100);
    expect(seeded.roc).to.equal(7);
    expect(seeded.estimate(101)).to.equal(7 * 65536 + 101);
    expect(() => new RolloverState(-1)).to.throw('rollover counter must be a 32-bit unsigned integer, got -1');
  });
});

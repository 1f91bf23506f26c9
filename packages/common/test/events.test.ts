import { expect } from 'chai';
import { TypedEmitter, setErrorReporter } from '@rivulet/common';

interface Events {
  data: [value: number];
  done: [];
}

describe('TypedEmitter', () => {
  it('contains a throwing listener, reports it, and still calls the next', () => {
    const reported: string[] = [];
    setErrorReporter((_e, ctx) => reported.push(ctx));
    try {
      const e = new TypedEmitter<Events>();
      const got: number[] = [];
      e.on('data', () => {
        throw new Error('boom');
      });
      e.on('data', (v) => got.push(v));
      expect(e.emit('data', 7)).to.equal(true);
      expect(got).to.deep.equal([7]);
      expect(reported).to.deep.equal(["listener for 'data'"]);
    } finally {
      setErrorReporter((err, ctx) => console.error(ctx, err));
    }
  });

  it('once fires a single time and off removes', async () => {
    const e = new TypedEmitter<Events>();
    let n = 0;
    e.once('done', () => n++);
    e.emit('done');
    e.emit('done');
    expect(n).to.equal(1);
    const l = () => n++;
    e.on('done', l).off('done', l);
    e.emit('done');
    expect(n).to.equal(1);
    const p = e.waitFor('data');
    e.emit('data', 3);
    expect(await p).to.deep.equal([3]);
  });

  it('emits to the listeners registered when the emit began (added during it: not called; removed during it: still called)', () => {
    const e = new TypedEmitter<Events>();
    const calls: string[] = [];
    const late = (v: number) => calls.push(`late ${v}`);
    const second = (v: number) => calls.push(`second ${v}`);
    e.on('data', (v) => {
      calls.push(`first ${v}`);
      e.on('data', late);
      e.off('data', second);
    });
    e.on('data', second);
    e.emit('data', 1);
    expect(calls).to.deep.equal(['first 1', 'second 1']);
    calls.length = 0;
    e.emit('data', 2);
    // second is gone; late was added by the first emit (and once more by this one).
    expect(calls).to.deep.equal(['first 2', 'late 2']);
    expect(e.listenerCount('data')).to.equal(3);
    e.removeAllListeners('data');
    expect(e.emit('data', 3)).to.equal(false);
  });
});

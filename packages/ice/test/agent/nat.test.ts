import { expect } from 'chai';
import type { NatBehavior } from '@rivulet/testkit';
import { makeWorld, connect, type NatKind } from './world.js';

const kinds: NatKind[] = ['public', 'full-cone', 'restricted', 'port-restricted', 'symmetric'];

/** RFC 4787 behaviours: without a relay, symmetric fails against port-restricted and symmetric peers. */
function needsRelay(x: NatKind, y: NatKind): boolean {
  const hard = (k: NatKind) => k === 'symmetric';
  const strictFilter = (k: NatKind) => k === 'port-restricted' || k === 'symmetric';
  return (hard(x) && strictFilter(y)) || (hard(y) && strictFilter(x));
}

describe('IceAgent through NATs (testkit, fake clock)', function () {
  this.timeout(20_000);
  for (let i = 0; i < kinds.length; i++) {
    for (let j = i; j < kinds.length; j++) {
      const natA = kinds[i]!;
      const natB = kinds[j]!;
      const relay = needsRelay(natA, natB);
      it(`${natA} ↔ ${natB}: connects ${relay ? 'through the TURN relay' : 'directly (no relay)'} and carries data`, async () => {
        const w = await makeWorld({ natA, natB });
        try {
          const ms = await connect(w);
          const pa = w.a.selectedPair!;
          const pb = w.b.selectedPair!;
          const relayed = pa.local.candidate.type === 'relay' || pb.local.candidate.type === 'relay';
          expect(relayed, `selected ${pa.toString()} / ${pb.toString()}`).to.equal(relay);
          expect(ms).to.be.lessThan(relay ? 10_000 : 5_000);
          const got: string[] = [];
          w.b.on('data', (d) => got.push(d.toString()));
          w.a.send(Buffer.from('ping'));
          await w.clock.runUntil(() => got.length > 0, { maxMs: 1000, stepMs: 5 });
          expect(got).to.deep.equal(['ping']);
        } finally {
          w.close();
        }
      });
    }
  }
});

describe('IceAgent through every RFC 4787 mapping × filtering combination (testkit, fake clock)', function () {
  this.timeout(30_000);
  const behaviours: NatBehavior[] = ['endpoint-independent', 'address-dependent', 'address-and-port-dependent'];
  const short = { 'endpoint-independent': 'EI', 'address-dependent': 'AD', 'address-and-port-dependent': 'APD' } as const;
  const combos: Array<[NatBehavior, NatBehavior]> = behaviours.flatMap((m) => behaviours.map((f) => [m, f] as [NatBehavior, NatBehavior]));
  for (let i = 0; i < combos.length; i++) {
    for (let j = i; j < combos.length; j++) {
      const x = combos[i]!;
      const y = combos[j]!;
      it(`${short[x[0]]}M/${short[x[1]]}F ↔ ${short[y[0]]}M/${short[y[1]]}F: connects (directly when both map endpoint-independently) and carries data`, async () => {
        const w = await makeWorld({ natA: x, natB: y });
        try {
          await connect(w);
          const relayed = w.a.selectedPair!.local.candidate.type === 'relay' || w.b.selectedPair!.local.candidate.type === 'relay';
          // RFC 4787 §4.1: with endpoint-independent mapping on both sides the srflx candidates are
          // reachable once each side has sent once, whatever the filtering.
          if (x[0] === 'endpoint-independent' && y[0] === 'endpoint-independent') expect(relayed).to.equal(false);
          const got: number[] = [];
          w.a.on('data', (d) => got.push(d[1]!));
          w.b.send(Buffer.from([0x80, 7]));
          await w.clock.runUntil(() => got.length > 0, { maxMs: 1000, stepMs: 5 });
          expect(got).to.deep.equal([7]);
        } finally {
          w.close();
        }
      });
    }
  }
});

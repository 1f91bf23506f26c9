import { expect } from 'chai';
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

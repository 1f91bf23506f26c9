/**
 * A closed RTCPeerConnection must be collectable by a minor GC (V8 scavenge), not only by a full
 * one. Two constructions kept every connection reachable from old space at each scavenge, so its
 * whole object graph was copied and promoted (~60 % of the bytes a constructor allocates, scavenge
 * pauses of 7-20 ms in bench/connect-phases.ts):
 * - PeerCore's PeerContext was an object literal with `get` accessors: V8 allocates a literal's
 *   AccessorPair in old space, and it points at the per-connection getter closures;
 * - `core.statsFor` was assigned a closure after construction (now a constructor argument).
 * Measured with V8's own minor GC (`gc({ type: 'minor' })`), exposed for this process through
 * v8.setFlagsFromString: old-space growth across two scavenges after 2000 closed connections.
 */
import { setFlagsFromString, getHeapSpaceStatistics } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { expect } from 'chai';
import { RTCPeerConnection } from '../src/index.js';

type Gc = (options?: { type: 'minor' | 'major' }) => void;

function exposeGc(): Gc {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as Gc;
}

const oldSpaceUsed = (): number => getHeapSpaceStatistics().find((s) => s.space_name === 'old_space')!.space_used_size;

describe('closed peer connections die in minor GCs', function () {
  this.timeout(20_000);

  it('2000 new RTCPeerConnection() + close(): two scavenges promote < 1.5 MB (was ~10 MB)', () => {
    const gc = exposeGc();
    // Warm-up: compile the constructor paths and let V8 settle its maps and allocation sites.
    for (let i = 0; i < 200; i++) new RTCPeerConnection().close();
    gc();
    gc();
    const before = oldSpaceUsed();
    for (let i = 0; i < 2000; i++) new RTCPeerConnection().close();
    // Two scavenges: the first copies what is reachable, the second promotes it to old space.
    gc({ type: 'minor' });
    gc({ type: 'minor' });
    const promoted = oldSpaceUsed() - before;
    gc();
    // Everything is garbage for a full GC either way: the difference is only what scavenges keep.
    expect(oldSpaceUsed() - before).to.be.below(1_500_000);
    expect(promoted, `bytes promoted by two scavenges after 2000 closed connections: ${promoted}`).to.be.below(1_500_000);
  });
});

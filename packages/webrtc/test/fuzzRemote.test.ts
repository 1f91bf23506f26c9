import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPair } from './helpers/peers.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'sdp', 'test', 'fixtures');
const offers = ['chromium-av-data-offer.sdp', 'chromium-simulcast-offer.sdp', 'chromium-recvonly-offer.sdp', 'chromium-renegotiation-offer.sdp']
  .map((f) => readFileSync(join(fixtures, f), 'utf8'));

function prng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    return x / 0x100000000;
  };
}

function mutate(text: string, rnd: () => number): string {
  const lines = text.split('\r\n');
  for (let k = 0, n = 1 + Math.floor(rnd() * 3); k < n; k++) {
    const i = Math.floor(rnd() * lines.length);
    const line = lines[i] ?? '';
    const r = rnd();
    if (r < 0.3) lines.splice(i, 1);
    else if (r < 0.5) lines[i] = line.slice(0, Math.floor(rnd() * line.length));
    else if (r < 0.7) lines[i] = line.replace(/\d+/, String(Math.floor(rnd() * 1e6)));
    else if (r < 0.85) lines.splice(i, 0, line);
    else lines[i] = line.replace(/[a-z]/, 'Z');
  }
  return lines.join('\r\n');
}

describe('setRemoteDescription with mutated Chromium offers', function () {
  this.timeout(30000);

  it('400 mutations: each either applies (and an answer can be created) or rejects with a spec error — never a crash', async () => {
    const { b, close } = createPair();
    const rnd = prng(20261121);
    const outcomes = new Map<string, number>();
    for (let i = 0; i < 400; i++) {
      const sdp = mutate(offers[i % offers.length]!, rnd);
      let outcome: string;
      try {
        await b.setRemoteDescription({ type: 'offer', sdp });
        await b.createAnswer();
        await b.setRemoteDescription({ type: 'rollback' });
        outcome = 'applied';
      } catch (err) {
        expect(err, `iteration ${i}: ${String(err)}`).to.be.instanceOf(DOMException);
        outcome = (err as DOMException).name;
        expect(['OperationError', 'InvalidAccessError', 'InvalidStateError'], `iteration ${i}: ${String(err)}`).to.include(outcome);
        if (b.signalingState !== 'stable') await b.setRemoteDescription({ type: 'rollback' });
      }
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
      expect(b.signalingState).to.equal('stable');
    }
    expect(outcomes.get('applied')).to.be.greaterThan(100);
    close();
  });
});

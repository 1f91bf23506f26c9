import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Counters } from '@rivulet/common';
import { parseSdp, serializeSdp, SdpParseError, type SdpParseCounter } from '../src/index.js';

const dir = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
const base = readFileSync(join(dir, 'chromium-av-data-offer.sdp'), 'utf8');

/** xorshift32: a seeded, reproducible PRNG. */
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
  const n = 1 + Math.floor(rnd() * 4);
  for (let k = 0; k < n; k++) {
    const i = Math.floor(rnd() * lines.length);
    const line = lines[i] ?? '';
    switch (Math.floor(rnd() * 6)) {
      case 0: lines[i] = line.slice(0, Math.floor(rnd() * line.length)); break; // truncate
      case 1: { // flip a character
        const at = Math.floor(rnd() * Math.max(1, line.length));
        lines[i] = line.slice(0, at) + String.fromCharCode(Math.floor(rnd() * 128)) + line.slice(at + 1);
        break;
      }
      case 2: lines.splice(i, 1); break; // drop a line
      case 3: lines.splice(i, 0, line); break; // duplicate
      case 4: lines[i] = line.replace(/\d+/, String(Math.floor(rnd() * 1e12))); break; // huge numbers
      default: lines[i] = line.replace(/ /g, rnd() < 0.5 ? '  ' : ''); // spacing
    }
  }
  return lines.join(rnd() < 0.2 ? '\n' : '\r\n');
}

describe('sdp parser under mutated input', function () {
  this.timeout(20000);

  it('2000 mutated Chromium offers: either parse (and serialize) or throw SdpParseError, nothing else', () => {
    const rnd = prng(0xc0ffee);
    let parsed = 0;
    let rejected = 0;
    const counters = new Counters<SdpParseCounter>();
    for (let i = 0; i < 2000; i++) {
      const text = mutate(base, rnd);
      try {
        const sdp = parseSdp(text, { counters });
        expect(serializeSdp(sdp)).to.be.a('string');
        parsed++;
      } catch (err) {
        expect(err, `iteration ${i}: ${String(err)}`).to.be.instanceOf(SdpParseError);
        rejected++;
      }
    }
    expect(parsed + rejected).to.equal(2000);
    expect(parsed).to.be.greaterThan(1000);
    expect(rejected).to.be.greaterThan(0);
    expect(counters.get('malformed-attribute')).to.be.greaterThan(0);
  });

  it('random bytes never escape as anything but SdpParseError', () => {
    const rnd = prng(42);
    for (let i = 0; i < 500; i++) {
      const len = Math.floor(rnd() * 300);
      let s = '';
      for (let k = 0; k < len; k++) s += String.fromCharCode(Math.floor(rnd() * 256));
      try {
        parseSdp(rnd() < 0.5 ? `v=0\r\n${s}` : s);
      } catch (err) {
        expect(err).to.be.instanceOf(SdpParseError);
      }
    }
  });
});

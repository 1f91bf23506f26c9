/**
 * SDP parse and serialize of a real Chromium offer (audio + video + data, 183 lines),
 * ours beside werift's SessionDescription in the same run.
 * Run: node --conditions=rivulet-source --import tsx bench/sdp-parse.ts
 * Rounds are interleaved and the best round per case is kept (the machine is shared).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SessionDescription as WeriftSdp } from 'werift';
import { parseSdp, serializeSdp } from '@rivulet/sdp';

const ROUNDS = Number(process.env.ROUNDS ?? 5);
const SLICE_MS = Number(process.env.SLICE_MS ?? 400);
const text = readFileSync(fileURLToPath(new URL('../packages/sdp/test/fixtures/chromium-av-data-offer.sdp', import.meta.url)), 'utf8');

function slice(fn: () => void): number {
  let n = 0;
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(SLICE_MS) * 1_000_000n;
  let now = start;
  while (now < deadline) {
    for (let k = 0; k < 50; k++) { fn(); n++; }
    now = process.hrtime.bigint();
  }
  return n / (Number(now - start) / 1e9);
}

const ours = parseSdp(text);
const theirs = WeriftSdp.parse(text);
if (serializeSdp(ours) !== text) throw new Error('our round trip is not lossless');
const cases: Record<string, () => void> = {
  'rivulet parse': () => { parseSdp(text); },
  'werift parse': () => { WeriftSdp.parse(text); },
  'rivulet serialize': () => { serializeSdp(ours); },
  'werift serialize': () => { void theirs.string; },
};
const best: Record<string, number> = {};
for (const [name, fn] of Object.entries(cases)) { slice(fn); best[name] = 0; }
for (let r = 0; r < ROUNDS; r++) for (const [name, fn] of Object.entries(cases)) best[name] = Math.max(best[name]!, slice(fn));

const werifLossless = theirs.string === text;
console.log(`SDP: Chromium av+data offer, ${text.length} bytes, ${text.split('\r\n').length - 1} lines; best of ${ROUNDS} rounds x ${SLICE_MS} ms`);
for (const op of ['parse', 'serialize']) {
  const r = best[`rivulet ${op}`]!;
  const w = best[`werift ${op}`]!;
  console.log(`${op.padEnd(10)} rivulet ${Math.round(r).toString().padStart(7)} ops/s   werift ${Math.round(w).toString().padStart(7)} ops/s   ratio ${(r / w).toFixed(2)}x`);
}
console.log(`lossless round trip: rivulet yes, werift ${werifLossless ? 'yes' : 'no'}`);

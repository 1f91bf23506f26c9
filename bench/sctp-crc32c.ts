/**
 * CRC-32c of a 1200-byte SCTP packet: ours (slicing-by-16) beside werift's
 * pure-JavaScript crc32c, same process, same buffers.
 *
 *   node --conditions=rivulet-source --import tsx bench/sctp-crc32c.ts
 *
 * Best of 12 interleaved rounds, to damp the noise of a shared machine.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { crc32c } from '@rivulet/sctp';

type Crc = (b: Buffer) => number;

function loadWerift(): Crc | undefined {
  try {
    const require = createRequire(import.meta.url);
    const entry = require.resolve('werift'); // .../lib/webrtc/src/index.js; lib/common is not exported
    const mod = require(join(dirname(entry), '..', '..', 'common', 'src', 'crc.js')) as { crc32c: Crc };
    return mod.crc32c;
  } catch {
    return undefined;
  }
}

const packet = Buffer.alloc(1200);
for (let i = 0; i < packet.length; i++) packet[i] = (i * 31 + 7) & 0xff;
const werift = loadWerift();
const impls: [string, Crc][] = [['rivulet', (b) => crc32c(b)]];
if (werift) {
  if (werift(packet) >>> 0 !== crc32c(packet)) throw new Error('werift and rivulet disagree on the CRC-32c');
  impls.push(['werift', werift]);
}
const best = new Map<string, number>();
for (let round = 0; round < 12; round++) {
  for (const [name, f] of impls) {
    let x = 0;
    const n = 20_000;
    const t = performance.now();
    for (let i = 0; i < n; i++) x ^= f(packet);
    const mbs = (n * packet.length) / 1e6 / ((performance.now() - t) / 1000);
    if (x === 0x12345678) console.log(''); // keep the result alive
    best.set(name, Math.max(best.get(name) ?? 0, mbs));
  }
}
const ours = best.get('rivulet')!;
console.log(`CRC-32c over 1200-byte packets, best of 12 rounds (${new Date().toISOString()}; shared machine, noisy)`);
for (const [name, v] of best) {
  const us = (packet.length / (v * 1e6)) * 1e6;
  const ratio = name === 'rivulet' ? '' : `  rivulet/peer = ${(ours / v).toFixed(2)}x`;
  console.log(`  ${name.padEnd(8)} ${v.toFixed(0).padStart(6)} MB/s  ${us.toFixed(2)} µs/packet${ratio}`);
}

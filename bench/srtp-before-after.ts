/**
 * Before/after for the SRTP fast path, under the SAME load: the @rivulet/srtp sources of an older
 * commit (default 9bd4430, before the second performance pass) are extracted with `git show` into
 * node_modules/.cache (ignored by git; @rivulet/common still resolves from there) and run in this
 * process beside the current sources, alternating short rounds. Figures are µs per round trip
 * (protect + unprotect of one 1200-byte-payload packet) and pairs/s; the machine is shared, so we
 * print the best round (least disturbed) and the median of each, and their ratios.
 * Run: node --conditions=rivulet-source --import tsx bench/srtp-before-after.ts [commit] [rounds=25]
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SrtpSession } from '@rivulet/srtp';

const COMMIT = process.argv[2] ?? '9bd4430';
const ROUNDS = Number(process.argv[3] ?? 25);
const PACKETS = 20_000;
const root = execFileSync('git', ['rev-parse', '--show-toplevel'], { encoding: 'utf8' }).trim();
const dir = join(root, 'node_modules', '.cache', `rivulet-srtp-${COMMIT}`);
mkdirSync(dir, { recursive: true });
const files = execFileSync('git', ['ls-tree', '--name-only', `${COMMIT}:packages/srtp/src`], { cwd: root, encoding: 'utf8' }).split('\n').filter((f) => f.endsWith('.ts'));
for (const f of files) writeFileSync(join(dir, f), execFileSync('git', ['show', `${COMMIT}:packages/srtp/src/${f}`], { cwd: root }));
const old = (await import(pathToFileURL(join(dir, 'index.ts')).href)) as { SrtpSession: typeof SrtpSession };

type Profile = 'AES_CM_128_HMAC_SHA1_80' | 'AEAD_AES_128_GCM';
function pair(S: typeof SrtpSession, profile: Profile): () => number {
  const saltLen = profile === 'AEAD_AES_128_GCM' ? 12 : 14;
  const k1 = randomBytes(16), s1 = randomBytes(saltLen), k2 = randomBytes(16), s2 = randomBytes(saltLen);
  const a = new S({ profile, localKey: k1, localSalt: s1, remoteKey: k2, remoteSalt: s2 });
  const b = new S({ profile, localKey: k2, localSalt: s2, remoteKey: k1, remoteSalt: s1 });
  const plain = Buffer.alloc(12 + 1200);
  plain[0] = 0x80;
  plain[1] = 96;
  plain.writeUInt32BE(0xcafe, 8);
  randomBytes(1200).copy(plain, 12);
  let seq = 0;
  return () => {
    const t0 = performance.now();
    for (let i = 0; i < PACKETS; i++) {
      plain.writeUInt16BE(seq++ & 0xffff, 2);
      const out = b.unprotectRtp(a.protectRtp(plain));
      if (out === undefined || out.length !== plain.length) throw new Error(`round trip failed at packet ${i}`);
    }
    return ((performance.now() - t0) * 1000) / PACKETS;
  };
}

console.log(`SRTP round trip (protect+unprotect), 1200-byte payload, ${ROUNDS} alternating rounds of ${PACKETS} packets, node ${process.version}`);
console.log(`before = packages/srtp/src at ${COMMIT}; after = working tree. Shared 2-core machine: best = least-disturbed round.`);
for (const profile of ['AES_CM_128_HMAC_SHA1_80', 'AEAD_AES_128_GCM'] as const) {
  const runs = { before: pair(old.SrtpSession, profile), after: pair(SrtpSession, profile) };
  const res = { before: [] as number[], after: [] as number[] };
  for (let r = 0; r < ROUNDS; r++) for (const k of ['before', 'after'] as const) res[k].push(runs[k]());
  const stat = (xs: number[]): { best: number; med: number } => {
    const s = xs.slice(3).sort((x, y) => x - y); // the first rounds are JIT warm-up
    return { best: s[0]!, med: s[s.length >> 1]! };
  };
  const b = stat(res.before), a = stat(res.after);
  const k = (us: number): string => `${(1000 / us).toFixed(1)}k/s`;
  console.log(`\n${profile}`);
  console.log(`  before  best ${b.best.toFixed(2)} µs (${k(b.best)})  median ${b.med.toFixed(2)} µs (${k(b.med)})`);
  console.log(`  after   best ${a.best.toFixed(2)} µs (${k(a.best)})  median ${a.med.toFixed(2)} µs (${k(a.med)})`);
  console.log(`  speed-up  best ${(b.best / a.best).toFixed(2)}×  median ${(b.med / a.med).toFixed(2)}×`);
}

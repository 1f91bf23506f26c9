/**
 * Runs every benchmark in bench/ one after another, each in its own process
 * (so one's JIT state and garbage do not skew the next), and prints their
 * output. `npm run bench` or `npm run bench -- srtp` for those whose file
 * name contains "srtp".
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const filter = process.argv[2] ?? '';
const files = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts' && !f.startsWith('_') && f.includes(filter))
  .sort();
if (files.length === 0) {
  console.error(`no benchmark matches '${filter}'`);
  process.exit(1);
}
let failed = 0;
for (const file of files) {
  console.log(`\n=== ${file}`);
  const r = spawnSync(process.execPath, ['--conditions=rivulet-source', '--import', 'tsx', path.join(here, file)], {
    stdio: 'inherit',
    timeout: 10 * 60_000,
  });
  if (r.status !== 0) {
    failed++;
    console.log(`(${file} exited with ${r.status ?? r.signal})`);
  }
}
process.exit(failed ? 1 : 0);

/**
 * Data-channel bulk throughput through the whole stack (ICE, DTLS, SCTP, data channel) on
 * 127.0.0.1: Rivulet beside node-datachannel (libdatachannel, native) and werift (TypeScript),
 * same run, same steps, ordered reliable channel, back-pressure on bufferedAmount
 * (send while under 1 MiB, resume on bufferedamountlow at 256 KiB).
 *
 *   node --conditions=rivulet-source --import tsx bench/datachannel-throughput.ts [--quick] [--only=<stack>]
 *     [--sizes=16,64] [--mib=N] [--one-only | --two-only] [--plpmtud=off|on|full]
 * (BENCH_CHILD_ARGS="--cpu-prof --cpu-prof-dir=..." passes node flags to the child process.)
 *
 * (a) one process: both peers in this process (they share one event loop and one core);
 * (b) two processes: the receiver is a child process (bench/support/remotePeer.ts, same stack),
 *     signalling over its stdin/stdout; the time runs from the first send() until the child reports
 *     the last byte.
 * 64 MiB in 16 KiB and in 64 KiB messages (werift: 16 MiB, it is ~10x slower; rates stay comparable).
 * Benchmarks are noisy on this shared 2-core machine: compare ratios within one run.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { connectLocal, makePeer, type BenchChannel, type BenchPeer, type StackName } from './support/stacks.js';
import { loadAverage, MiB, pump, receive } from './support/transfer.js';

const quick = process.argv.includes('--quick');
// --plpmtud=off: Rivulet's SCTP keeps 1 200-byte packets; on (default): PLPMTUD with its defaults —
// between two Rivulets the peer announces 2^14-byte records, so 16 384-byte packets on loopback (2 008
// with other peers); full: the same cap configured (rivulet.sctp.peerMaxDatagram) instead of announced.
// bench/support/stacks.ts reads the variable; the child process inherits it.
const plpmtudArg = process.argv.find((a) => a.startsWith('--plpmtud='))?.slice(10);
if (plpmtudArg !== undefined && !['off', 'on', 'full'].includes(plpmtudArg)) throw new Error(`--plpmtud=${plpmtudArg}: use off, on or full`);
if (plpmtudArg) process.env['RIVULET_BENCH_PLPMTUD'] = plpmtudArg;
const only = process.argv.find((a) => a.startsWith('--only='))?.slice(7);
const STACK_LIST: StackName[] = (['rivulet', 'node-datachannel', 'werift'] as StackName[]).filter((s) => !only || s === only);
/** `--sizes=16,64` (KiB), `--mib=N` (bytes per run), `--two-only` / `--one-only`: narrower runs for A/B and profiling. */
const sizesArg = process.argv.find((a) => a.startsWith('--sizes='))?.slice(8);
const SIZES = sizesArg ? sizesArg.split(',').map((k) => Number(k) * 1024) : [16 * 1024, 64 * 1024];
const mibArg = Number(process.argv.find((a) => a.startsWith('--mib='))?.slice(6) ?? NaN);
const twoOnly = process.argv.includes('--two-only');
const oneOnly = process.argv.includes('--one-only');
const HIGH = 1 * MiB;
const LOW = 256 * 1024;
const TIMEOUT = 120_000;

const totalFor = (stack: StackName): number =>
  Number.isFinite(mibArg) ? mibArg * MiB : quick ? 8 * MiB : stack === 'werift' ? 16 * MiB : 64 * MiB;

async function inProcess(stack: StackName, size: number): Promise<number> {
  const a = await makePeer(stack);
  const b = await makePeer(stack);
  try {
    const { tx, rx } = await connectLocal(a, b);
    const total = totalFor(stack);
    const done = receive(rx, { bytes: total }, TIMEOUT, `${stack} in-process ${size}`);
    const cpu0 = process.cpuUsage();
    pump(tx, { size, count: total / size, highWater: HIGH, lowThreshold: LOW });
    const ms = await done;
    const cpu = process.cpuUsage(cpu0);
    // Both peers' CPU (plus node-datachannel's native threads, which process.cpuUsage counts too).
    cpuOne.set(`${stack} ${size / 1024} KiB`, `both peers ${((cpu.user + cpu.system) / 1000 / (total / 1e6)).toFixed(1)} ms CPU/MB`);
    return total / 1e6 / (ms / 1000);
  } finally {
    a.close();
    b.close();
  }
}

/** A child process running the same stack as the receiver. */
class Remote {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly waiting: { resolve: (m: Record<string, unknown>) => void; reject: (e: Error) => void }[] = [];
  constructor(stack: StackName) {
    const here = path.dirname(fileURLToPath(import.meta.url));
    // BENCH_CHILD_ARGS: extra node flags for the child, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
    const extra = (process.env['BENCH_CHILD_ARGS'] ?? '').split(' ').filter((a) => a !== '');
    this.child = spawn(process.execPath, [...extra, '--conditions=rivulet-source', '--import', 'tsx', path.join(here, 'support/remotePeer.ts'), stack], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child.stderr.on('data', (d: Buffer) => process.stderr.write(`[child ${stack}] ${d.toString()}`));
    createInterface({ input: this.child.stdout }).on('line', (line) => this.waiting.shift()?.resolve(JSON.parse(line) as Record<string, unknown>));
    // A child that dies fails whatever waits for it at once, not after the timeout.
    this.child.on('exit', (code) => {
      for (const w of this.waiting.splice(0)) w.reject(new Error(`child exited with ${code}`));
    });
  }
  /** Sends `msg` (unless null) and resolves with the child's next line. */
  request(msg: object | null, timeoutMs: number): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`child did not answer within ${timeoutMs} ms`)), timeoutMs);
      this.waiting.push({
        resolve: (m) => { clearTimeout(timer); resolve(m); },
        reject: (e) => { clearTimeout(timer); reject(e); },
      });
      if (msg) this.child.stdin.write(`${JSON.stringify(msg)}\n`);
    });
  }
  close(): void {
    if (this.child.exitCode === null) this.child.stdin.write('{"quit":true}\n');
    setTimeout(() => this.child.kill(), 2000).unref();
  }
}

/** CPU ms per MB moved in the two-process runs, per stack and message size. */
const cpuSplit = new Map<string, string>();
/** The same for the one-process runs (both peers in this process). */
const cpuOne = new Map<string, string>();

/** Child + local peer connected; one retry, because libdatachannel now and then rejects a full
 *  remote description ("Got a remote candidate without ICE transport") in the child. */
async function connectRemote(stack: StackName): Promise<{ remote: Remote; local: BenchPeer; tx: BenchChannel }> {
  for (let attempt = 1; ; attempt++) {
    const remote = new Remote(stack);
    const local = await makePeer(stack);
    try {
      const offer = await local.offer();
      const { answer } = await remote.request({ offer }, 30_000);
      await local.accept(answer as string);
      return { remote, local, tx: await local.channel() };
    } catch (err) {
      local.close();
      remote.close();
      if (attempt >= 2) throw err;
      console.error(`${stack}: two-process connect failed (${(err as Error).message}), retrying once`);
    }
  }
}

async function twoProcesses(stack: StackName): Promise<number[]> {
  const { remote, local, tx } = await connectRemote(stack);
  try {
    const out: number[] = [];
    for (const size of SIZES) {
      const total = totalFor(stack);
      await remote.request({ expect: total }, 10_000);
      const start = performance.now();
      const cpu0 = process.cpuUsage();
      const done = remote.request(null, TIMEOUT);
      pump(tx, { size, count: total / size, highWater: HIGH, lowThreshold: LOW });
      const reply = await done;
      out.push(total / 1e6 / ((performance.now() - start) / 1000));
      const cpu = process.cpuUsage(cpu0);
      const mb = total / 1e6;
      cpuSplit.set(`${stack} ${size / 1024} KiB`, `sender ${((cpu.user + cpu.system) / 1000 / mb).toFixed(1)}, receiver ${(Number(reply['cpuMs']) / mb).toFixed(1)} ms CPU/MB`);
    }
    return out;
  } finally {
    local.close();
    remote.close();
  }
}

type Cell = number | string;
const results = new Map<string, Map<StackName, Cell>>();
const put = (row: string, stack: StackName, v: Cell): void => {
  if (!results.has(row)) results.set(row, new Map());
  results.get(row)!.set(stack, v);
};
const attempt = async <T>(fn: () => Promise<T>): Promise<T | string> => {
  try {
    return await fn();
  } catch (err) {
    return `failed: ${(err as Error).message}`;
  }
};

const loadBefore = loadAverage();
for (const stack of STACK_LIST) {
  if (!twoOnly) for (const size of SIZES) put(`(a) one process, ${size / 1024} KiB messages`, stack, await attempt(() => inProcess(stack, size)));
  if (oneOnly) continue;
  const two = await attempt(() => twoProcesses(stack));
  SIZES.forEach((size, i) => put(`(b) two processes, ${size / 1024} KiB messages`, stack, typeof two === 'string' ? two : two[i]!));
  console.error(`done: ${stack}`);
}

console.log(`data-channel throughput, MB/s (10^6 bytes/s), ordered reliable, bufferedAmount back-pressure 1 MiB/256 KiB`);
console.log(`${new Date().toISOString()}, node ${process.version}, load average before ${loadBefore}, after ${loadAverage()} (shared 2-core machine: noisy)`);
console.log(`bytes per run: rivulet/node-datachannel ${totalFor('rivulet') / MiB} MiB, werift ${totalFor('werift') / MiB} MiB; rivulet SCTP PLPMTUD ${({ off: 'off (1 200-byte packets)', full: 'full (peer takes 2^14-byte records: 16 384-byte packets)' } as Record<string, string>)[process.env['RIVULET_BENCH_PLPMTUD'] ?? ''] ?? 'on (default: the Rivulet peer announces 2^14-byte records: 16 384-byte packets)'}`);
const fmt = (v: Cell | undefined): string => (typeof v === 'number' ? v.toFixed(1) : String(v ?? '-'));
for (const [row, cells] of results) {
  const ours = cells.get('rivulet');
  const ratio = (s: StackName): string => {
    const v = cells.get(s);
    return typeof ours === 'number' && typeof v === 'number' ? `${(ours / v).toFixed(2)}x` : '-';
  };
  console.log(`${row.padEnd(34)} rivulet ${fmt(ours).padStart(7)}   node-datachannel ${fmt(cells.get('node-datachannel')).padStart(7)}   werift ${fmt(cells.get('werift')).padStart(7)}   rivulet/ndc ${ratio('node-datachannel')}   rivulet/werift ${ratio('werift')}`);
}
console.log('CPU per MB (less disturbed by the load than wall time):');
for (const [k, v] of cpuOne) console.log(`  one process  ${k.padEnd(28)} ${v}`);
for (const [k, v] of cpuSplit) console.log(`  two processes ${k.padEnd(27)} ${v}`);
process.exit(0);

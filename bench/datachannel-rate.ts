/**
 * Small-message rate through the whole stack (ICE, DTLS, SCTP, data channel), both peers in one
 * process on 127.0.0.1: how many 100-byte messages per second one ordered reliable channel
 * delivers, Rivulet beside node-datachannel (native) and werift (TypeScript), same run.
 * The sender keeps bufferedAmount between 16 KiB (bufferedamountlow) and 64 KiB.
 *
 *   node --conditions=rivulet-source --import tsx bench/datachannel-rate.ts [--quick] [--only=<stack>] [--plpmtud=off]
 *
 * 200 000 messages (werift 2 000: it manages a few hundred per second; the rate stays comparable).
 * Also reports the CPU time (user + system) this process spent per 1 000 messages, which the
 * machine's load disturbs less than wall time. Shared 2-core machine: noisy, compare within a run.
 */
import { connectLocal, makePeer, type StackName } from './support/stacks.js';
import { loadAverage, pump, receive } from './support/transfer.js';

const quick = process.argv.includes('--quick');
// --plpmtud=off: Rivulet's SCTP keeps 1 200-byte packets (bench/support/stacks.ts reads the variable).
if (process.argv.includes('--plpmtud=off')) process.env['RIVULET_BENCH_PLPMTUD'] = 'off';
const only = process.argv.find((a) => a.startsWith('--only='))?.slice(7);
const STACK_LIST: StackName[] = (['rivulet', 'node-datachannel', 'werift'] as StackName[]).filter((s) => !only || s === only);
const countFor = (stack: StackName): number => (stack === 'werift' ? 2_000 : quick ? 20_000 : 200_000);

interface Result { rate: number; cpuMsPer1000: number }

async function run(stack: StackName): Promise<Result> {
  const a = await makePeer(stack);
  const b = await makePeer(stack);
  try {
    const { tx, rx } = await connectLocal(a, b);
    const count = countFor(stack);
    const cpu0 = process.cpuUsage();
    const done = receive(rx, { messages: count }, 120_000, `${stack} rate`);
    pump(tx, { size: 100, count, highWater: 64 * 1024, lowThreshold: 16 * 1024 });
    const ms = await done;
    const cpu = process.cpuUsage(cpu0);
    return { rate: count / (ms / 1000), cpuMsPer1000: (cpu.user + cpu.system) / 1000 / (count / 1000) };
  } finally {
    a.close();
    b.close();
  }
}

const loadBefore = loadAverage();
const results = new Map<StackName, Result | string>();
for (const stack of STACK_LIST) {
  try {
    results.set(stack, await run(stack));
  } catch (err) {
    results.set(stack, `failed: ${(err as Error).message}`);
  }
  console.error(`done: ${stack}`);
}
console.log(`100-byte messages, one ordered reliable channel, both peers in one process; rivulet SCTP PLPMTUD ${process.env['RIVULET_BENCH_PLPMTUD'] === 'off' ? 'off (1 200-byte packets)' : 'on (default)'}`);
console.log(`${new Date().toISOString()}, node ${process.version}, load average before ${loadBefore}, after ${loadAverage()} (shared 2-core machine: noisy)`);
const ours = results.get('rivulet');
for (const [stack, r] of results) {
  if (typeof r === 'string') {
    console.log(`${stack.padEnd(18)} ${r}`);
    continue;
  }
  const ratio = typeof ours === 'object' && stack !== 'rivulet' ? `   rivulet/${stack} ${(ours.rate / r.rate).toFixed(2)}x` : '';
  console.log(`${stack.padEnd(18)} ${r.rate.toFixed(0).padStart(9)} msg/s   (${countFor(stack)} messages, ${r.cpuMsPer1000.toFixed(2)} ms CPU per 1000)${ratio}`);
}
process.exit(0);

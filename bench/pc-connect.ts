/**
 * Connect time: from `new RTCPeerConnection()` (both sides) until a data channel is open on both
 * sides — offer/answer, ICE gathering and checks, DTLS handshake (including certificate
 * generation), SCTP association, DCEP. Both peers in one process on 127.0.0.1, non-trickle (each
 * description is sent once gathering is complete), the same steps for each stack:
 * Rivulet (@rivulet/webrtc), node-datachannel (libdatachannel, native: its own API bound to 127.0.0.1,
 * and its W3C polyfill) and werift.
 * 'rivulet-precert' is Rivulet given certificates made beforehand (RTCConfiguration.certificates,
 * standard W3C), to show what certificate generation costs inside the connect.
 * Runs are interleaved (rivulet, ndc, werift, rivulet, ...); p50 and p95 over N runs each.
 *
 *   node --conditions=rivulet-source --import tsx bench/pc-connect.ts [runs=100] [--only=<stack>] [--warmup=5]
 *
 * Shared 2-core machine: noisy, compare within a run.
 */
import { connectLocal, makePeer, precert, type StackName } from './support/stacks.js';
import { loadAverage, percentile } from './support/transfer.js';

const RUNS = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 100);
const only = process.argv.find((a) => a.startsWith('--only='))?.slice(7);
// node-datachannel twice: its W3C polyfill (the same steps as ours) and its own API bound to
// 127.0.0.1; both have runs of ~1 s here (their p95).
const STACK_LIST: StackName[] = (['rivulet', 'rivulet-precert', 'node-datachannel', 'node-datachannel-polyfill', 'werift'] as StackName[]).filter((s) => !only || s === only);

async function once(stack: StackName): Promise<number> {
  // rivulet-precert: certificates made before the clock starts (RTCConfiguration.certificates).
  const certs = stack === 'rivulet-precert' ? [await precert(), await precert()] : [];
  const t0 = performance.now();
  const a = await makePeer(stack, certs[0]);
  const b = await makePeer(stack, certs[1]);
  try {
    await connectLocal(a, b);
    return performance.now() - t0;
  } finally {
    a.close();
    b.close();
  }
}

const loadBefore = loadAverage();
const times = new Map<StackName, number[]>(STACK_LIST.map((s) => [s, []]));
const failures = new Map<StackName, string[]>(STACK_LIST.map((s) => [s, []]));
// Untimed warm-up runs for every stack (--warmup=N, default 5): module loading, tsx's transform and
// V8's first compilation of the path are not part of a connect in a process that connected before.
const WARMUP = Number(process.argv.find((a) => a.startsWith('--warmup='))?.slice(9) ?? 5);
for (let i = 0; i < Math.max(1, WARMUP); i++) for (const s of STACK_LIST) await once(s).catch(() => 0);
const deadline = Date.now() + 8 * 60_000;
for (let i = 0; i < RUNS && Date.now() < deadline; i++) {
  for (const s of STACK_LIST) {
    try {
      times.get(s)!.push(await once(s));
    } catch (err) {
      failures.get(s)!.push((err as Error).message);
    }
    // Let closed sockets and timers settle so one stack's teardown does not land in the next's run.
    await new Promise((r) => setTimeout(r, 5));
  }
}
console.log('new RTCPeerConnection ×2 → data channel open on both sides, one process, 127.0.0.1, non-trickle');
console.log(`${new Date().toISOString()}, node ${process.version}, load average before ${loadBefore}, after ${loadAverage()} (shared 2-core machine: noisy)`);
const ours = times.get('rivulet') ?? [];
for (const s of STACK_LIST) {
  const xs = times.get(s)!;
  const fails = failures.get(s)!;
  if (xs.length === 0) {
    console.log(`${s.padEnd(26)} no successful run (${fails[0] ?? 'not run'})`);
    continue;
  }
  const p50 = percentile(xs, 50);
  const p95 = percentile(xs, 95);
  const ratio = s !== 'rivulet' && ours.length > 0 ? `   p50 ${s}/rivulet ${(p50 / percentile(ours, 50)).toFixed(2)}x` : '';
  console.log(`${s.padEnd(26)} p50 ${p50.toFixed(1).padStart(7)} ms   p95 ${p95.toFixed(1).padStart(7)} ms   (${xs.length} runs${fails.length ? `, ${fails.length} failed: ${fails[0]}` : ''})${ratio}`);
}
process.exit(0);

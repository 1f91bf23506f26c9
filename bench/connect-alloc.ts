/**
 * Bytes allocated per connect: new RTCPeerConnection ×2 → data channel open on both sides, both
 * peers in one process on 127.0.0.1 (the same steps as bench/connect-phases.ts, without marks).
 *
 * Two figures:
 * - heap: V8 heap bytes allocated, measured by a sampling heap profile that keeps objects already
 *   collected by minor and major GCs (inspector HeapProfiler, sampling interval 256 bytes), so it
 *   counts every allocation, live or dead, not what survives. Printed per connect, and the top
 *   allocating functions (self bytes, file:line) with `--top=N`.
 * - external: ArrayBuffer/Buffer backing stores (outside the V8 heap), from the growth of
 *   process.memoryUsage().arrayBuffers with collection held off (run with
 *   --max-semi-space-size=256 so no scavenge frees them during the measured runs).
 *
 * For scale, the same figures for node-datachannel's W3C polyfill with `--peer` (its allocations
 * are mostly native and invisible here: JS-side only).
 *
 * With `--gc`, first the GC pauses over max(runs, 100) connects (PerformanceObserver 'gc' entries;
 * run without --max-semi-space-size for the default young generation).
 *
 *   node --max-semi-space-size=256 --conditions=rivulet-source --import tsx bench/connect-alloc.ts [runs=30] [--top=25] [--peer]
 *   node --conditions=rivulet-source --import tsx bench/connect-alloc.ts 200 --gc
 */
import { Session } from 'node:inspector/promises';
import { PerformanceObserver, constants, type PerformanceEntry } from 'node:perf_hooks';
import { RTCPeerConnection, type RTCDataChannel } from '@rivulet/webrtc';
import { connectLocal, makePeer } from './support/stacks.js';
import { loadAverage } from './support/transfer.js';

const RUNS = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 30);
const TOP = Number(process.argv.find((a) => a.startsWith('--top='))?.slice(6) ?? 0);

const once = <T>(fn: (resolve: (v: T) => void) => void): Promise<T> => new Promise(fn);

async function rivulet(): Promise<void> {
  const a = new RTCPeerConnection({ rivulet: { interfaceAddresses: ['127.0.0.1'] } });
  const b = new RTCPeerConnection({ rivulet: { interfaceAddresses: ['127.0.0.1'] } });
  try {
    const gathered = (pc: RTCPeerConnection): Promise<void> =>
      pc.iceGatheringState === 'complete' ? Promise.resolve() : once((r) => pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && r()));
    const opened = (ch: RTCDataChannel): Promise<void> =>
      ch.readyState === 'open' ? Promise.resolve() : once((r) => ch.addEventListener('open', () => r()));
    const remote = once<RTCDataChannel>((r) => { b.ondatachannel = (e) => r(e.channel); });
    const aOpen = opened(a.createDataChannel('bench'));
    await a.setLocalDescription(await a.createOffer());
    await gathered(a);
    await b.setRemoteDescription(a.localDescription!);
    await b.setLocalDescription(await b.createAnswer());
    await gathered(b);
    await a.setRemoteDescription(b.localDescription!);
    await Promise.all([aOpen, remote.then(opened)]);
  } finally {
    a.close();
    b.close();
  }
}

async function peer(): Promise<void> {
  const a = await makePeer('node-datachannel-polyfill');
  const b = await makePeer('node-datachannel-polyfill');
  try {
    await connectLocal(a, b);
  } finally {
    a.close();
    b.close();
  }
}

interface ProfileNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: ProfileNode[];
}

/**
 * GC pauses while connecting (no profiler attached): minor (scavenge) and major counts and
 * durations over `runs` connects with 5 ms between them, as bench/connect-phases.ts runs them.
 */
async function gcPauses(name: string, connect: () => Promise<void>, runs: number): Promise<void> {
  const minor: number[] = [];
  const major: number[] = [];
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const kind = (e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind;
      (kind === constants.NODE_PERFORMANCE_GC_MINOR ? minor : major).push(e.duration);
    }
  });
  obs.observe({ entryTypes: ['gc'] });
  const deadline = Date.now() + 60_000;
  let n = 0;
  for (; n < runs && Date.now() < deadline; n++) {
    await connect();
    await new Promise((r) => setTimeout(r, 5));
  }
  await new Promise((r) => setTimeout(r, 20));
  obs.disconnect();
  const fmt = (xs: number[]): string => (xs.length === 0 ? 'none' : `${xs.length} (one per ${(n / xs.length).toFixed(1)} connects), median ${[...xs].sort((a, b) => a - b)[xs.length >> 1]!.toFixed(1)} ms, max ${Math.max(...xs).toFixed(1)} ms`);
  console.log(`${name}: GC over ${n} connects: minor ${fmt(minor)}; major ${fmt(major)}`);
}

async function measure(name: string, connect: () => Promise<void>): Promise<void> {
  for (let i = 0; i < 5; i++) await connect(); // warm-up: compilation, module state, caches
  await new Promise((r) => setTimeout(r, 20));
  if (process.argv.includes('--gc')) await gcPauses(name, connect, Math.max(RUNS, 100));
  const session = new Session();
  session.connect();
  // Sampling profile including objects that GC already collected (V8 ≥ 11), i.e. every allocation.
  await session.post('HeapProfiler.startSampling', {
    samplingInterval: 256,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
  const ab0 = process.memoryUsage().arrayBuffers;
  const deadline = Date.now() + 60_000;
  let n = 0;
  for (; n < RUNS && Date.now() < deadline; n++) await connect();
  const ab1 = process.memoryUsage().arrayBuffers;
  const { profile } = (await session.post('HeapProfiler.stopSampling')) as { profile: { head: ProfileNode } };
  session.disconnect();
  // Self bytes by function, and bytes by the innermost frame of our own packages on the stack
  // (so a Buffer.alloc or Map growth is charged to the Rivulet function that asked for it).
  const byFn = new Map<string, number>();
  const byOurs = new Map<string, number>();
  let total = 0;
  const walk = (node: ProfileNode, ours: string): void => {
    total += node.selfSize;
    const f = node.callFrame;
    const key = `${f.functionName || '(anonymous)'} ${f.url.replace(/^.*\/(packages|node_modules)\//, '$1/')}:${f.lineNumber + 1}`;
    const mine = /\/packages\/[^/]+\/(src|dist)\//.test(f.url) && !f.url.includes('node_modules') ? key : ours;
    byFn.set(key, (byFn.get(key) ?? 0) + node.selfSize);
    byOurs.set(mine, (byOurs.get(mine) ?? 0) + node.selfSize);
    for (const c of node.children) walk(c, mine);
  };
  walk(profile.head, '(no Rivulet frame)');
  console.log(`${name}: ${n} connects; V8 heap allocated per connect ${(total / n / 1024).toFixed(0)} KiB; ArrayBuffer growth per connect ${((ab1 - ab0) / n / 1024).toFixed(0)} KiB (valid only if no GC ran)`);
  if (TOP > 0) {
    const rows = [...byFn.entries()].sort((p, q) => q[1] - p[1]).slice(0, TOP);
    console.log('  self bytes per connect, by function:');
    for (const [k, v] of rows) console.log(`  ${(v / n / 1024).toFixed(1).padStart(7)} KiB  ${k}`);
    console.log('  bytes per connect, by the innermost Rivulet function on the stack:');
    for (const [k, v] of [...byOurs.entries()].sort((p, q) => q[1] - p[1]).slice(0, TOP)) console.log(`  ${(v / n / 1024).toFixed(1).padStart(7)} KiB  ${k}`);
  }
}

console.log(`connect allocation, ${new Date().toISOString()}, load average ${loadAverage()} (shared 2-core machine)`);
await measure('rivulet', rivulet);
if (process.argv.includes('--peer')) await measure('node-datachannel-polyfill (JS side only)', peer);
process.exit(0);

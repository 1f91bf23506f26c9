/**
 * getStats() cost: two connected peers in one process on 127.0.0.1 with one open data channel and
 * a few messages exchanged, then `RUNS` sequential `pc.getStats()` calls on the offerer, timed
 * (µs per call, p50/p95) and with the report size (entries). The same for werift's
 * RTCPeerConnection.getStats() in the same run. The reports differ in content (Rivulet reports
 * every check-list pair and candidate; see docs/stats.md), so the ratio compares cost, not output.
 *
 *   node --conditions=rivulet-source --import tsx bench/stats-getstats.ts [runs=500]
 *
 * Shared 2-core machine: noisy, compare within a run.
 */
import { RTCPeerConnection as RivuletPeerConnection, type RTCDataChannel } from '@rivulet/webrtc';
import { loadAverage, percentile } from './support/transfer.js';
import { waitFor } from './support/stacks.js';

const RUNS = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 500);

interface Measured {
  times: number[];
  entries: number;
}

async function measure(getStats: () => Promise<number>): Promise<Measured> {
  for (let i = 0; i < 20; i++) await getStats(); // warm-up (JIT)
  const times: number[] = [];
  let entries = 0;
  const deadline = Date.now() + 60_000;
  for (let i = 0; i < RUNS && Date.now() < deadline; i++) {
    const t0 = performance.now();
    entries = await getStats();
    times.push((performance.now() - t0) * 1000);
  }
  return { times, entries };
}

async function rivulet(): Promise<Measured> {
  const cfg = { rivulet: { interfaceAddresses: ['127.0.0.1'] } };
  const a = new RivuletPeerConnection(cfg);
  const b = new RivuletPeerConnection(cfg);
  try {
    const dc = a.createDataChannel('bench');
    let remote: RTCDataChannel | undefined;
    b.ondatachannel = (e) => { remote = e.channel; };
    await a.setLocalDescription();
    await waitFor(() => a.iceGatheringState === 'complete', 5000, 'rivulet gathering');
    await b.setRemoteDescription(a.localDescription!);
    await b.setLocalDescription();
    await waitFor(() => b.iceGatheringState === 'complete', 5000, 'rivulet gathering');
    await a.setRemoteDescription(b.localDescription!);
    await waitFor(() => dc.readyState === 'open' && remote?.readyState === 'open', 15_000, 'rivulet open');
    for (let i = 0; i < 10; i++) dc.send(`m${i}`);
    return await measure(async () => (await a.getStats()).size);
  } finally {
    a.close();
    b.close();
  }
}

async function werift(): Promise<Measured> {
  const w = await import('werift');
  const opts = { iceAdditionalHostAddresses: ['127.0.0.1'], iceUseIpv6: false };
  const a = new w.RTCPeerConnection(opts);
  const b = new w.RTCPeerConnection(opts);
  try {
    const dc = a.createDataChannel('bench');
    let remote: import('werift').RTCDataChannel | undefined;
    b.onDataChannel.subscribe((c) => { remote = c; });
    await a.setLocalDescription(await a.createOffer());
    await waitFor(() => a.iceGatheringState === 'complete', 5000, 'werift gathering');
    await b.setRemoteDescription({ type: 'offer', sdp: a.localDescription!.sdp });
    await b.setLocalDescription(await b.createAnswer());
    await waitFor(() => b.iceGatheringState === 'complete', 5000, 'werift gathering');
    await a.setRemoteDescription({ type: 'answer', sdp: b.localDescription!.sdp });
    await waitFor(() => dc.readyState === 'open' && remote?.readyState === 'open', 15_000, 'werift open');
    for (let i = 0; i < 10; i++) dc.send(`m${i}`);
    return await measure(async () => {
      const r = await a.getStats();
      let n = 0;
      r.forEach(() => { n++; });
      return n;
    });
  } finally {
    void a.close();
    void b.close();
  }
}

const loadBefore = loadAverage();
const ours = await rivulet();
let theirs: Measured | undefined;
let theirError = '';
try {
  theirs = await werift();
} catch (err) {
  theirError = (err as Error).message;
}
console.log(`pc.getStats() on a connected pair with one open data channel, ${RUNS} sequential calls, one process, 127.0.0.1`);
console.log(`${new Date().toISOString()}, node ${process.version}, load average before ${loadBefore}, after ${loadAverage()} (shared 2-core machine: noisy)`);
const line = (name: string, m: Measured) =>
  `${name.padEnd(10)} p50 ${percentile(m.times, 50).toFixed(0).padStart(6)} µs   p95 ${percentile(m.times, 95).toFixed(0).padStart(6)} µs   ${m.entries} entries`;
console.log(line('rivulet', ours));
if (theirs) {
  console.log(`${line('werift', theirs)}   p50 werift/rivulet ${(percentile(theirs.times, 50) / percentile(ours.times, 50)).toFixed(2)}x`);
} else console.log(`werift     failed: ${theirError}`);
process.exit(0);

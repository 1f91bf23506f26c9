/**
 * What getStats' framesReceived / keyFramesReceived cost on the receive path: CPU per received VP8
 * packet in Rivulet's ReceivedFrames (descriptor inspect + frame completeness bookkeeping), beside
 * werift-rtp's per-packet VP8 descriptor parse (Vp8RtpPayload.deSerialize, which also tells key
 * frames) over the same packets in the same run. werift has no frame counter of its own; its parse
 * is the part of the work both stacks do per packet, so the ratio shows what counting adds.
 *
 *   node --conditions=rivulet-source --import tsx bench/stats-frames.ts [rounds=6]
 *
 * Shared 2-core machine: noisy; CPU time (process.cpuUsage), compare within a run.
 */
import { Vp8RtpPayload } from 'werift-rtp';
import { ReceivedFrames, Vp8Payloader, createDepayloader } from '@rivulet/rtp';
import { loadAverage, percentile } from './support/transfer.js';

const ROUNDS = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 6);
const REPEAT = 20;

// 2,000 frames at 1,200-byte packets: a 20 kB key frame every 60 frames, 3 kB delta frames otherwise.
const pay = new Vp8Payloader({ maxPayloadSize: 1200, initialPictureId: 1 });
const pkts: { seq: number; ts: number; marker: boolean; payload: Buffer }[] = [];
let seq = 0;
for (let f = 0; f < 2000; f++) {
  const key = f % 60 === 0;
  const frame = Buffer.alloc(key ? 20_000 : 3000, 1);
  frame[0] = key ? 0x10 : 0x11; // RFC 7741 §4.3: P bit (inverse key frame flag)
  for (const p of pay.payload(frame)) pkts.push({ seq: seq++ & 0xffff, ts: f * 3000, marker: p.marker, payload: p.payload });
}
const n = REPEAT * pkts.length;

function cpuNsPerPacket(run: () => number): { ns: number; check: number } {
  const c0 = process.cpuUsage();
  const check = run();
  const c = process.cpuUsage(c0);
  return { ns: ((c.user + c.system) * 1000) / n, check };
}

const ours: number[] = [];
const theirs: number[] = [];
let frames = 0;
let keys = 0;
const loadBefore = loadAverage();
for (let round = 0; round < ROUNDS + 1; round++) {
  const o = cpuNsPerPacket(() => {
    const r = new ReceivedFrames(createDepayloader('vp8'));
    for (let k = 0; k < REPEAT; k++) {
      for (const x of pkts) r.onPacket((x.seq + k * pkts.length) & 0xffff, x.ts + k * 6_000_000, x.marker, x.payload);
    }
    frames = r.framesReceived;
    keys = r.keyFramesReceived;
    return frames;
  });
  const t = cpuNsPerPacket(() => {
    let k = 0;
    for (let i = 0; i < REPEAT; i++) for (const x of pkts) if (Vp8RtpPayload.deSerialize(x.payload).isKeyframe) k++;
    return k;
  });
  if (round === 0) continue; // warm-up (JIT)
  ours.push(o.ns);
  theirs.push(t.ns);
}
console.log(`received VP8 packets: ${n} per round (${REPEAT} × 2,000 frames), ${ROUNDS} rounds; Rivulet counted ${frames} frames, ${keys} key frames`);
console.log(`${new Date().toISOString()}, node ${process.version}, load average before ${loadBefore}, after ${loadAverage()} (shared 2-core machine: noisy)`);
const p50o = percentile(ours, 50);
const p50t = percentile(theirs, 50);
console.log(`rivulet ReceivedFrames.onPacket      p50 ${p50o.toFixed(0).padStart(5)} ns CPU/packet`);
console.log(`werift-rtp Vp8RtpPayload.deSerialize p50 ${p50t.toFixed(0).padStart(5)} ns CPU/packet   rivulet/werift ${(p50o / p50t).toFixed(2)}x`);
process.exit(0);

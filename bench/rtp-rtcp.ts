/**
 * RTCP parse/serialize throughput, ours beside werift-rtp in the same run.
 * Run: node --conditions=rivulet-source --import tsx bench/rtp-rtcp.ts
 * Cases are warmed up, then run in interleaved rounds; best round per case
 * (shared machine: the least disturbed round).
 */
import * as W from 'werift-rtp';
import { parseRtcp, serializeRtcp, buildTransportCc, type RtcpPacket } from '@rivulet/rtp';

const ROUNDS = Number(process.env.ROUNDS ?? 5);
const SLICE_MS = Number(process.env.SLICE_MS ?? 300);

function slice(fn: () => void): number {
  let n = 0;
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(SLICE_MS) * 1_000_000n;
  let now = start;
  while (now < deadline) {
    for (let k = 0; k < 200; k++, n++) fn();
    now = process.hrtime.bigint();
  }
  return n / (Number(now - start) / 1e9);
}

function measureAll(cases: Record<string, () => void>): Record<string, number> {
  const best: Record<string, number> = {};
  for (const [name, fn] of Object.entries(cases)) {
    slice(fn);
    best[name] = 0;
  }
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, fn] of Object.entries(cases)) best[name] = Math.max(best[name]!, slice(fn));
  }
  return best;
}

// A receiver's periodic compound: RR with two report blocks + SDES CNAME (werift parses SDES last correctly).
const report = { ssrc: 1, fractionLost: 3, packetsLost: 10, highestSequence: 70000, jitter: 12, lastSr: 0x12345678, delaySinceLastSr: 6553 };
const compound: RtcpPacket[] = [
  { kind: 'rr', ssrc: 99, reports: [report, { ...report, ssrc: 2 }] },
  { kind: 'sdes', chunks: [{ ssrc: 99, items: [{ type: 1, text: 'rivulet-bench-cname' }] }] },
];
const compoundBytes = serializeRtcp(compound);

// A TWCC feedback for 100 packets, some lost, a few large deltas.
const arrivals = Array.from({ length: 100 }, (_, i) => (i % 17 === 5 ? undefined : 1_000_000 + i * 1500 + (i % 23 === 0 ? 70_000 : 0)));
const twccBytes = serializeRtcp([buildTransportCc({ senderSsrc: 1, mediaSsrc: 2, baseSequenceNumber: 100, feedbackPacketCount: 1, arrivalsUs: arrivals })]);

// Sanity: werift reads both the same way before timing.
{
  const w = W.RtcpPacketConverter.deSerialize(compoundBytes);
  if (w.length !== 2 || (w[0] as W.RtcpRrPacket).reports.length !== 2) throw new Error('werift disagrees on the compound');
  const t = W.RtcpPacketConverter.deSerialize(twccBytes)[0] as W.RtcpTransportLayerFeedback;
  if ((t.feedback as W.TransportWideCC).packetStatusCount !== 100) throw new Error('werift disagrees on the TWCC packet');
}

let sink = 0;
const r = measureAll({
  oursCompound: () => {
    sink += serializeRtcp(parseRtcp(compoundBytes)).length;
  },
  weriftCompound: () => {
    const ps = W.RtcpPacketConverter.deSerialize(compoundBytes);
    for (const p of ps) sink += p.serialize().length;
  },
  oursTwcc: () => {
    sink += serializeRtcp(parseRtcp(twccBytes)).length;
  },
  weriftTwcc: () => {
    const ps = W.RtcpPacketConverter.deSerialize(twccBytes);
    for (const p of ps) sink += p.serialize().length;
  },
});

const fmt = (n: number): string => `${(n / 1000).toFixed(1)}k/s`.padStart(12);
console.log(`node ${process.version}, warm-up + ${ROUNDS} interleaved rounds × ${SLICE_MS} ms, best round per case (shared 2-core machine: figures are noisy)`);
console.log(`${'case (parse + serialize)'.padEnd(44)} ${'rivulet'.padStart(12)} ${'werift-rtp'.padStart(12)}  ratio`);
for (const [name, ours, theirs] of [
  [`RR (2 blocks) + SDES compound, ${compoundBytes.length} B`, r.oursCompound!, r.weriftCompound!],
  [`TWCC feedback, 100 packets, ${twccBytes.length} B`, r.oursTwcc!, r.weriftTwcc!],
] as const) {
  console.log(`${name.padEnd(44)} ${fmt(ours)} ${fmt(theirs)}  ${(ours / theirs).toFixed(1)}×`);
}
if (sink === 42) console.log('');

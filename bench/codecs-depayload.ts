/**
 * Depayloader throughput, ours vs werift-rtp's dePacketizeRtpPackets on the
 * same packets, plus payloader and jitter-buffer throughput (no peer: werift-rtp
 * has no payloaders). Media is 2 s of 320x240 testsrc2 made by ffmpeg.
 *
 *   node --conditions=rivulet-source --import tsx bench/codecs-depayload.ts
 *
 * Figures are noisy on a shared 2-core machine: compare ratios from one run.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeClock } from '@rivulet/common';
import { RtpHeader, RtpPacket, dePacketizeRtpPackets, type DepacketizerCodec } from 'werift-rtp';
import {
  Av1Payloader,
  H264AccessUnitSplitter,
  IvfReader,
  JitterBuffer,
  createDepayloader,
  joinAnnexB,
  type Payloader,
  type RtpPacketLike,
  H264Payloader,
  Vp8Payloader,
} from '@rivulet/rtp';

const dir = mkdtempSync(join(tmpdir(), 'rivulet-bench-codecs-'));
const src = ['-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=30', '-t', '2'];
function encode(name: string, args: string[]): Buffer {
  const out = join(dir, name);
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...src, ...args, out]);
  return readFileSync(out);
}

const h264 = (() => {
  const s = new H264AccessUnitSplitter();
  const file = encode('a.h264', ['-c:v', 'libx264', '-profile:v', 'baseline', '-preset', 'ultrafast', '-x264-params', 'keyint=30', '-f', 'h264']);
  return [...s.push(file), ...s.flush()].map((au) => joinAnnexB(au.nalUnits));
})();
const vp8 = new IvfReader().push(encode('a.ivf', ['-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-f', 'ivf'])).map((f) => f.data);
const av1 = new IvfReader().push(encode('b.ivf', ['-c:v', 'libaom-av1', '-usage', 'realtime', '-cpu-used', '8', '-f', 'ivf'])).map((f) => f.data);

function packetizeAll(p: Payloader, frames: Buffer[]): RtpPacketLike[][] {
  let seq = 0;
  return frames.map((f, i) =>
    p.payload(f).map((x) => ({ sequenceNumber: seq++ & 0xffff, timestamp: i * 3000, marker: x.marker, payload: x.payload })),
  );
}

function time(fn: () => void, minMs = 700): { perSecond: number; iterations: number } {
  for (let i = 0; i < 3; i++) fn(); // warm up
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < minMs && n < 100_000) {
    fn();
    n++;
  }
  return { perSecond: (n * 1000) / (performance.now() - start), iterations: n };
}

const rows: string[][] = [];
function compare(name: string, codec: string, weriftCodec: DepacketizerCodec, frames: RtpPacketLike[][]): void {
  const ours = createDepayloader(codec);
  const theirs = frames.map((pk) =>
    pk.map((p) => new RtpPacket(new RtpHeader({ payloadType: 96, sequenceNumber: p.sequenceNumber, timestamp: p.timestamp, marker: p.marker, ssrc: 1 }), p.payload)),
  );
  const bytes = frames.flat().reduce((a, p) => a + p.payload.length, 0);
  const a = time(() => {
    for (const pk of frames) ours.depayload(pk);
  });
  const b = time(() => {
    for (const pk of theirs) dePacketizeRtpPackets(weriftCodec, pk);
  });
  const fps = (x: number) => (x * frames.length).toFixed(0);
  rows.push([
    `depayload ${name}`,
    `${fps(a.perSecond)} frames/s (${((a.perSecond * bytes) / 1e6).toFixed(0)} MB/s)`,
    `${fps(b.perSecond)} frames/s`,
    (a.perSecond / b.perSecond).toFixed(2),
  ]);
}

const h264Packets = packetizeAll(new H264Payloader(), h264);
const vp8Packets = packetizeAll(new Vp8Payloader(), vp8);
const av1Packets = packetizeAll(new Av1Payloader(), av1);
compare('H.264 (60 AUs)', 'h264', 'MPEG4/ISO/AVC', h264Packets);
compare('VP8 (60 frames)', 'vp8', 'VP8', vp8Packets);
compare('AV1 (60 TUs)', 'av1', 'AV1', av1Packets);

for (const [name, make, frames] of [
  ['H.264', () => new H264Payloader(), h264],
  ['VP8', () => new Vp8Payloader(), vp8],
  ['AV1', () => new Av1Payloader(), av1],
] as const) {
  const p = make();
  const r = time(() => {
    for (const f of frames) p.payload(f);
  });
  rows.push([`payload ${name}`, `${(r.perSecond * frames.length).toFixed(0)} frames/s`, 'n/a (werift-rtp has no payloader)', '-']);
}

{
  const all = h264Packets.flat();
  const r = time(() => {
    const clock = new FakeClock();
    const jb = new JitterBuffer({ clock, depayloader: createDepayloader('h264') });
    for (const p of all) jb.insert(p);
    jb.close();
  });
  rows.push(['jitter buffer + H.264 depayload, in order', `${((r.perSecond * all.length) / 1000).toFixed(0)}k packets/s`, 'n/a', '-']);
}

console.log(`node ${process.version}, ${new Date().toISOString()}`);
console.log('| benchmark | rivulet | werift-rtp | ratio (ours/theirs) |');
console.log('| --- | --- | --- | --- |');
for (const r of rows) console.log(`| ${r.join(' | ')} |`);

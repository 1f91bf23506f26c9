/**
 * Black frames for disabled video tracks: our writers beside real encoders in the same run.
 * Run: node --conditions=rivulet-source --import tsx bench/disabled-video-black.ts
 *
 * Bytes: our VP8 key / inter frame and H.264 IDR / P picture for 1280x720 black, beside what
 * ffmpeg's libvpx and libx264 (Constrained Baseline, as browsers negotiate) make of 30 frames
 * of black (lavfi color=black; the first frame is the key frame, the rest averaged).
 * Time: our uncached key-frame writers per call (best of ROUNDS), beside ffmpeg's -benchmark
 * real time per frame for the 30 frames (it includes encoder start-up: an upper bound).
 * The machine is shared: times are noisy; sizes are exact.
 */
import { spawnSync } from 'node:child_process';
import { H264BlackFrames, IvfReader, splitAnnexB, vp8BlackInterframe, vp8BlackKeyframe } from '@rivulet/rtp';

const W = 1280;
const H = 720;
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const FFMPEG = process.env.RIVULET_FFMPEG ?? 'ffmpeg';

function bestUs(n: number, fn: (i: number) => void): number {
  let best = Infinity;
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) fn(i);
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1000 / n);
  }
  return best;
}

/** ffmpeg encodes 30 black frames; returns the frames and its real time per frame (ms). */
function ffmpegEncode(args: string[], format: 'ivf' | 'h264'): { frames: Buffer[]; msPerFrame: number } | undefined {
  const r = spawnSync(FFMPEG, ['-hide_banner', '-benchmark', '-loglevel', 'info', '-f', 'lavfi', '-i', `color=black:size=${W}x${H}:rate=30`,
    '-frames:v', '30', ...args, '-f', format, '-'], { maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) return undefined;
  const rtime = /bench: .*rtime=([\d.]+)s/.exec(r.stderr.toString());
  let frames: Buffer[];
  if (format === 'ivf') {
    frames = new IvfReader().push(r.stdout).map((f) => f.data);
  } else {
    // Access units: split at each slice NAL (one slice per picture from libx264 here).
    frames = [];
    let cur: Buffer[] = [];
    for (const nal of splitAnnexB(r.stdout)) {
      cur.push(nal);
      const t = nal[0]! & 0x1f;
      if (t === 1 || t === 5) { frames.push(Buffer.concat(cur.map((n) => Buffer.concat([Buffer.from([0, 0, 0, 1]), n])))); cur = []; }
    }
  }
  return { frames, msPerFrame: rtime ? (Number(rtime[1]) * 1000) / 30 : NaN };
}

const row = (what: string, ours: number, peer: number | undefined, unit: string) =>
  console.log(`${what.padEnd(44)} ours ${ours.toFixed(unit === 'B' ? 0 : 1).padStart(8)} ${unit}   peer ${peer === undefined ? '     n/a' : peer.toFixed(unit === 'B' ? 0 : 1).padStart(8)} ${unit}   ratio ${peer === undefined ? 'n/a' : (ours / peer).toFixed(3)}`);

const vp8Key = vp8BlackKeyframe(W, H);
const vp8Inter = vp8BlackInterframe(W, H);
const h264 = new H264BlackFrames({ width: W, height: H });
const idr = h264.next().data;
const p = h264.next().data;

const vpx = ffmpegEncode(['-c:v', 'libvpx', '-b:v', '1M', '-deadline', 'realtime', '-cpu-used', '8'], 'ivf');
const x264 = ffmpegEncode(['-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-profile:v', 'baseline', '-pix_fmt', 'yuv420p', '-g', '300'], 'h264');
const avg = (fs: Buffer[]) => fs.reduce((n, f) => n + f.length, 0) / fs.length;

// Uncached key frames: cycle the luma through 0..119 (the cache holds 16 entries).
const vp8Us = bestUs(120, (i) => vp8BlackKeyframe(W, H, { luma: i % 120 }));
const h264Us = bestUs(20, () => new H264BlackFrames({ width: W, height: H }).next());

console.log(`black ${W}x${H}: ours vs ffmpeg (libvpx realtime / libx264 ultrafast baseline), same run; shared machine: times are noisy`);
row('VP8 key frame bytes', vp8Key.length, vpx?.frames[0]?.length, 'B');
row('VP8 repeat (inter) frame bytes, mean', vp8Inter.length, vpx ? avg(vpx.frames.slice(1)) : undefined, 'B');
row('H.264 IDR access unit bytes (with SPS/PPS)', idr.length, x264?.frames[0]?.length, 'B');
row('H.264 P picture bytes, mean', p.length, x264 ? avg(x264.frames.slice(1)) : undefined, 'B');
row('VP8 key frame write time (uncached) per frame', vp8Us / 1000, vpx?.msPerFrame, 'ms');
row('H.264 IDR write time (uncached) per frame', h264Us / 1000, x264?.msPerFrame, 'ms');

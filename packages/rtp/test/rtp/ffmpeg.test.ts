import { expect } from 'chai';
import { spawn, spawnSync } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RtpPacket, parseRtp, rewriteRtpHeader, isRtcp, isRtpOrRtcp } from '../../src/rtp/index.js';
import { parseRtcp, serializeRtcp, isFullCompound, type RtcpPacket, type RtcpSenderReport } from '../../src/rtcp/index.js';
import { Prng } from './prng.js';

// Interop with a real RTP peer we did not write, on 127.0.0.1: ffmpeg's RTP muxer (H.264 + RTCP SR)
// as a sender, and ffmpeg's SDP/RTP demuxer + H.264 decoder as a receiver of what we write.
// Skips when ffmpeg is missing, fails under CI=true.

function ffmpegMissing(): string | undefined {
  const r = spawnSync('ffmpeg', ['-hide_banner', '-encoders'], { encoding: 'utf8' });
  if (r.status === 0 && /libx264/.test(r.stdout)) return undefined;
  const why = "ffmpeg with libx264 not found: install the Debian package 'ffmpeg' (apt-get install ffmpeg)";
  if (process.env.CI === 'true') throw new Error(why);
  return why;
}

function bind(port = 0): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = createSocket('udp4');
    s.once('error', reject);
    s.bind(port, '127.0.0.1', () => resolve(s));
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const SSRC = 0x12345678;
const FRAMES = 45; // 1.5 s at 30 fps

interface Capture {
  rtp: Buffer[];
  rtcp: Buffer[];
}

/** Runs ffmpeg's RTP muxer (x264, 30 fps, 1200-byte packets) towards our sockets. */
async function captureFromFfmpeg(): Promise<Capture> {
  const rtpSock = await bind();
  const rtcpSock = await bind();
  const out: Capture = { rtp: [], rtcp: [] };
  rtpSock.on('message', (m) => out.rtp.push(m));
  rtcpSock.on('message', (m) => out.rtcp.push(m));
  const url = `rtp://127.0.0.1:${rtpSock.address().port}?rtcpport=${rtcpSock.address().port}&pkt_size=1200`;
  const args = [
    '-hide_banner', '-loglevel', 'error', '-re', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=30', '-t', '1.5',
    '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-g', '15', '-pix_fmt', 'yuv420p',
    '-f', 'rtp', '-payload_type', '96', '-ssrc', String(SSRC), url,
  ];
  const { code, stderr } = await run(args);
  await sleep(200); // let the last datagrams arrive
  rtpSock.close();
  rtcpSock.close();
  expect(code, stderr).to.equal(0);
  return out;
}

function run(args: string[], onSpawn?: (p: ReturnType<typeof spawn>) => void): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const proc = spawn('ffmpeg', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  onSpawn?.(proc);
  return new Promise((resolve) => {
    const kill = setTimeout(() => proc.kill('SIGKILL'), 20000);
    proc.on('exit', (code) => {
      clearTimeout(kill);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A free even port whose odd neighbour (RTCP) is free too. */
async function freePortPair(r: Prng): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = 2 * r.int(15000, 30000);
    try {
      const a = await bind(port);
      const b = await bind(port + 1);
      a.close();
      b.close();
      return port;
    } catch {
      // taken, try another
    }
  }
  throw new Error('no free UDP port pair on 127.0.0.1');
}

/** Resolves once something (ffmpeg) holds `port`, polling by trying to bind it ourselves. */
async function waitUntilBound(port: number, maxMs: number): Promise<void> {
  const until = Date.now() + maxMs;
  while (Date.now() < until) {
    try {
      const s = await bind(port);
      s.close();
    } catch {
      return;
    }
    await sleep(50);
  }
  throw new Error(`ffmpeg did not open UDP port ${port} within ${maxMs} ms`);
}

/**
 * Feeds RTP packets to ffmpeg's SDP/RTP demuxer and returns the per-frame MD5 lines of the
 * decoded video (first `frames` frames).
 */
async function decodeWithFfmpeg(packets: Buffer[], frames: number, r: Prng): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'rivulet-rtp-'));
  try {
    const port = await freePortPair(r);
    const sdp = join(dir, 'in.sdp');
    writeFileSync(
      sdp,
      ['v=0', 'o=- 0 0 IN IP4 127.0.0.1', 's=rivulet', 'c=IN IP4 127.0.0.1', 't=0 0', `m=video ${port} RTP/AVP 96`, 'a=rtpmap:96 H264/90000', 'a=fmtp:96 packetization-mode=1', ''].join('\r\n'),
    );
    const sender = await bind();
    const args = ['-hide_banner', '-loglevel', 'error', '-protocol_whitelist', 'file,udp,rtp', '-analyzeduration', '300000', '-probesize', '32768', '-i', sdp, '-frames:v', String(frames), '-f', 'framemd5', '-'];
    const result = run(args);
    await waitUntilBound(port, 10000);
    await sleep(200);
    for (const b of packets) {
      sender.send(b, port, '127.0.0.1');
      await sleep(1); // pace like a sender would; loopback buffers are small
    }
    const { code, stdout, stderr } = await result;
    sender.close();
    expect(code, stderr).to.equal(0);
    return stdout.split('\n').filter((l) => /^0,/.test(l));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('RTP/RTCP interop with ffmpeg (real peer)', function () {
  this.timeout(40000);
  let capture: Capture | undefined;

  before(function () {
    const missing = ffmpegMissing();
    if (missing) {
      console.log(`      skipped: ${missing}`);
      this.skip();
    }
  });

  it('parses every RTP and RTCP packet ffmpeg sends, byte-identically on re-serialize', async () => {
    capture = await captureFromFfmpeg();
    const { rtp, rtcp } = capture;
    expect(rtp.length).to.be.greaterThan(FRAMES);
    const packets = rtp.map((b) => {
      expect(isRtpOrRtcp(b[0]!)).to.equal(true);
      expect(isRtcp(b)).to.equal(false);
      const p = parseRtp(b);
      expect(p.serialize().equals(b)).to.equal(true);
      return p;
    });
    for (const p of packets) {
      expect(p.ssrc).to.equal(SSRC);
      expect(p.payloadType).to.equal(96);
      expect(p.payload.length).to.be.greaterThan(0);
      expect(p.payload.length + p.headerLength).to.be.at.most(1200);
    }
    for (let i = 1; i < packets.length; i++) {
      const prev = packets[i - 1]!;
      const cur = packets[i]!;
      expect(cur.sequenceNumber, `packet ${i}`).to.equal((prev.sequenceNumber + 1) & 0xffff);
      const dt = (cur.timestamp - prev.timestamp) >>> 0;
      if (dt !== 0) {
        expect(dt % 3000, `90 kHz clock at 30 fps, packet ${i}`).to.equal(0);
        expect(prev.marker, `marker on the last packet of a frame, packet ${i - 1}`).to.equal(true);
      } else {
        expect(prev.marker, `no marker inside a frame, packet ${i - 1}`).to.equal(false);
      }
    }
    expect(packets.filter((p) => p.marker).length).to.equal(FRAMES);

    // The raw SFU path agrees with the parsed view.
    const out = rewriteRtpHeader(rtp[0]!, { ssrc: 7, sequenceNumber: 9, payloadType: 100 }, Buffer.alloc(1500))!;
    const re = parseRtp(out);
    expect([re.ssrc, re.sequenceNumber, re.payloadType, re.timestamp]).to.deep.equal([7, 9, 100, packets[0]!.timestamp]);
    expect(re.payload.equals(packets[0]!.payload)).to.equal(true);

    // RTCP: ffmpeg 5+ sends a bare SR (no SDES, so not a full RFC 3550 compound) at the start;
    // other versions add SDES/BYE. Whatever it sends must parse.
    expect(rtcp.length).to.be.greaterThan(0);
    const compounds: RtcpPacket[][] = rtcp.map((b) => {
      expect(isRtcp(b)).to.equal(true);
      const parsed = parseRtcp(b);
      if ((b[0]! & 0x20) === 0) expect(serializeRtcp(parsed).equals(b), b.toString('hex')).to.equal(true);
      return parsed;
    });
    const first = compounds[0]!;
    const sr = first[0] as RtcpSenderReport;
    expect(sr.kind).to.equal('sr');
    expect(sr.ssrc).to.equal(SSRC);
    const srs = compounds.flat().filter((p): p is RtcpSenderReport => p.kind === 'sr');
    const last = srs[srs.length - 1]!;
    expect(last.packetCount).to.be.at.most(rtp.length);
    expect(last.octetCount).to.be.at.most(rtp.reduce((n, b) => n + b.length - 12, 0));
    // The NTP time is "now" (seconds since 1900): within a day of the local clock.
    const ntpSeconds = Number(last.ntpTimestamp >> 32n);
    expect(Math.abs(ntpSeconds - 2208988800 - Date.now() / 1000)).to.be.lessThan(86400);
    const sdes = first.find((p) => p.kind === 'sdes');
    if (sdes && sdes.kind === 'sdes') expect(sdes.chunks[0]!.ssrc).to.equal(SSRC);
    expect(isFullCompound(first)).to.equal(sdes !== undefined);
  });

  it('ffmpeg decodes what we rewrite (new SSRC, wrapping seq/timestamp, mixed extension forms, padding) to identical frames', async function () {
    if (!capture) this.skip();
    const r = new Prng(61);
    const original = capture!.rtp;
    const seqBase = 65500; // wraps inside the stream
    const tsOffset = 0xffff0000;
    const firstSeq = parseRtp(original[0]!).sequenceNumber;
    const rewritten = original.map((b, i) => {
      const p = parseRtp(b);
      p.ssrc = 0xdecafbad;
      p.sequenceNumber = (seqBase + ((p.sequenceNumber - firstSeq) & 0xffff)) & 0xffff;
      p.timestamp = (p.timestamp + tsOffset) >>> 0;
      p.setExtension(1, Buffer.from('0')); // mid
      p.setExtension(3, Buffer.from([i >> 8, i & 0xff])); // transport-cc
      if (i % 3 === 0) p.setExtension(200, Buffer.from('a two-byte-only id')); // forces the two-byte form
      if (i % 4 === 0) p.paddingLength = r.int(1, 40);
      return p.serialize();
    });
    const forms = new Set(rewritten.map((b) => parseRtp(b).extensionProfile));
    expect([...forms].sort()).to.deep.equal([0x1000, 0xbede]);
    const frames = FRAMES - 5; // the last frames need the stream to end to be flushed
    const [a, b] = [await decodeWithFfmpeg(original, frames, r), await decodeWithFfmpeg(rewritten, frames, r)];
    expect(a.length).to.equal(frames);
    expect(b).to.deep.equal(a);
  });
});

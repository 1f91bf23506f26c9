import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SrtpSession, type SrtpProfile } from '../src/index.js';

// Interop with a real peer we did not write: libavformat's SRTP (ffmpeg's srtp:// protocol and
// SDP a=crypto, RFC 4568 inline keys = base64(master key ‖ master salt)).
const FFMPEG = '/usr/bin/ffmpeg';

function requireFfmpeg(ctx: Mocha.Context): void {
  if (existsSync(FFMPEG)) return;
  const message = `${FFMPEG} not found: install it with \`apt-get install ffmpeg\``;
  if (process.env['CI'] === 'true') throw new Error(message);
  console.warn(`      skipped: ${message}`);
  ctx.skip();
}

/** G.711 µ-law decode (ITU-T G.711). */
function ulawToLinear(u: number): number {
  const x = ~u & 0xff;
  const t = (((x & 0x0f) << 3) + 0x84) << ((x & 0x70) >> 4);
  return x & 0x80 ? 0x84 - t : t - 0x84;
}

function ulawFromLinear(sample: number): number {
  const sign = sample < 0 ? 0x80 : 0;
  let x = Math.min(Math.abs(sample), 32635) + 0x84;
  let exp = 7;
  for (let mask = 0x4000; (x & mask) === 0 && exp > 0; mask >>= 1) exp--;
  return ~(sign | (exp << 4) | ((x >> (exp + 3)) & 0x0f)) & 0xff;
}

function zeroCrossings(samples: readonly number[]): number {
  let n = 0;
  let prev = 0;
  for (const v of samples) {
    if (v !== 0 && prev !== 0 && v > 0 !== prev > 0) n++;
    if (v !== 0) prev = v;
  }
  return n;
}

async function bindPair(): Promise<{ rtp: dgram.Socket; rtcp: dgram.Socket }> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const rtp = dgram.createSocket('udp4');
    await new Promise<void>((res) => rtp.bind(0, '127.0.0.1', res));
    const port = rtp.address().port;
    const rtcp = dgram.createSocket('udp4');
    const ok = await new Promise<boolean>((res) => {
      rtcp.once('error', () => res(false));
      rtcp.bind(port + 1, '127.0.0.1', () => res(true));
    });
    if (ok) return { rtp, rtcp };
    rtp.close();
    rtcp.close();
  }
  throw new Error('could not bind two consecutive UDP ports on 127.0.0.1');
}

const SUITES: SrtpProfile[] = ['AES_CM_128_HMAC_SHA1_80', 'AES_CM_128_HMAC_SHA1_32'];

/**
 * ffmpeg's suite name for sending. For the _32 profile we use its DTLS-SRTP spelling: with the SDES
 * spelling AES_CM_128_HMAC_SHA1_32 libavformat also truncates the SRTCP tag to 32 bits (observed:
 * 36-byte SRTCP SRs), whereas SRTCP keeps an 80-bit tag with this profile in RFC 5764 §4.1.2 and in
 * libwebrtc/libsrtp — which is what we implement.
 */
const FFMPEG_SUITE: Record<string, string> = {
  AES_CM_128_HMAC_SHA1_80: 'AES_CM_128_HMAC_SHA1_80',
  AES_CM_128_HMAC_SHA1_32: 'SRTP_AES128_CM_HMAC_SHA1_32',
};

describe('srtp interop with ffmpeg (libavformat SRTP)', function () {
  this.timeout(20000);

  for (const profile of SUITES) {
    it(`${profile}: we unprotect ffmpeg's SRTP and SRTCP, and the audio is the 440 Hz sine it encoded`, async function () {
      requireFfmpeg(this);
      const km = randomBytes(30);
      const session = new SrtpSession({ profile, localKey: km.subarray(0, 16), localSalt: km.subarray(16), remoteKey: km.subarray(0, 16), remoteSalt: km.subarray(16) });
      const { rtp, rtcp } = await bindPair();
      const port = rtp.address().port;
      const rtpOut: Buffer[] = [];
      const rtcpOut: Buffer[] = [];
      let rtpIn = 0;
      rtp.on('message', (m) => {
        rtpIn++;
        const p = session.unprotectRtp(m);
        if (p) rtpOut.push(p);
      });
      rtcp.on('message', (m) => {
        const p = session.unprotectRtcp(m);
        if (p) rtcpOut.push(p);
      });
      const ff = spawn(FFMPEG, [
        '-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=1:sample_rate=8000',
        '-c:a', 'pcm_mulaw', '-f', 'rtp', '-srtp_out_suite', FFMPEG_SUITE[profile]!, '-srtp_out_params', km.toString('base64'),
        `srtp://127.0.0.1:${port}?rtcpport=${port + 1}&pkt_size=200`,
      ], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      ff.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const code = await new Promise<number | null>((res) => ff.on('exit', res));
      await new Promise((r) => setTimeout(r, 200));
      rtp.close();
      rtcp.close();
      expect(code, stderr).to.equal(0);
      expect(rtpIn).to.be.greaterThan(40);
      expect(rtpOut.length).to.equal(rtpIn);
      expect(session.stats.dropped.toJSON()).to.deep.equal({});
      const ssrc = rtpOut[0]!.readUInt32BE(8);
      const samples: number[] = [];
      rtpOut.forEach((p, i) => {
        expect(p.readUInt32BE(8)).to.equal(ssrc);
        expect(p.readUInt16BE(2)).to.equal((rtpOut[0]!.readUInt16BE(2) + i) & 0xffff);
        for (let k = 12; k < p.length; k++) samples.push(ulawToLinear(p[k]!));
      });
      expect(samples.length).to.equal(8000);
      expect(zeroCrossings(samples)).to.be.within(870, 890); // 440 Hz for 1 s: 880
      expect(rtcpOut.length).to.be.at.least(1);
      expect(rtcpOut[0]![1]).to.equal(200); // a sender report...
      expect(rtcpOut[0]!.readUInt32BE(4)).to.equal(ssrc); // ...from the same source
    });

    it(`${profile}: ffmpeg unprotects what we protect (across a sequence wrap) and decodes our 440 Hz sine`, async function () {
      requireFfmpeg(this);
      const km = randomBytes(30);
      const session = new SrtpSession({ profile, localKey: km.subarray(0, 16), localSalt: km.subarray(16), remoteKey: km.subarray(0, 16), remoteSalt: km.subarray(16) });
      const { rtp, rtcp } = await bindPair(); // reserve a port pair for ffmpeg, then hand it over
      const port = rtp.address().port;
      rtp.close();
      rtcp.close();
      const dir = mkdtempSync(path.join(tmpdir(), 'rivulet-srtp-'));
      const sdp = path.join(dir, 'in.sdp');
      writeFileSync(sdp, [
        'v=0', 'o=- 0 0 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0',
        `m=audio ${port} RTP/SAVP 0`, 'a=rtpmap:0 PCMU/8000', `a=crypto:1 ${profile} inline:${km.toString('base64')}`, '',
      ].join('\r\n'));
      const ff = spawn(FFMPEG, ['-hide_banner', '-loglevel', 'error', '-protocol_whitelist', 'file,udp,rtp,srtp', '-i', sdp, '-t', '1', '-f', 's16le', '-ac', '1', '-ar', '8000', 'pipe:1'], { stdio: ['ignore', 'pipe', 'pipe'] });
      const pcm: Buffer[] = [];
      let stderr = '';
      ff.stdout.on('data', (d: Buffer) => pcm.push(d));
      ff.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const exited = new Promise<number | null>((res) => ff.on('exit', res));
      const tx = dgram.createSocket('udp4');
      await new Promise((r) => setTimeout(r, 500)); // let ffmpeg open its socket
      let done = false;
      void exited.then(() => (done = true));
      for (let i = 0; i < 150 && !done; i++) {
        const pkt = Buffer.alloc(12 + 160);
        pkt[0] = 0x80;
        pkt.writeUInt16BE((65500 + i) & 0xffff, 2);
        pkt.writeUInt32BE(i * 160, 4);
        pkt.writeUInt32BE(0x1234abcd, 8);
        for (let k = 0; k < 160; k++) pkt[12 + k] = ulawFromLinear(Math.round(8000 * Math.sin((2 * Math.PI * 440 * (i * 160 + k)) / 8000)));
        tx.send(session.protectRtp(pkt), port, '127.0.0.1');
        await new Promise((r) => setTimeout(r, 10));
      }
      const code = await exited;
      tx.close();
      rmSync(dir, { recursive: true, force: true });
      expect(code, stderr).to.equal(0);
      const out = Buffer.concat(pcm);
      const samples: number[] = [];
      for (let k = 0; k + 1 < out.length; k += 2) samples.push(out.readInt16LE(k));
      expect(samples.length).to.be.within(7900, 8400);
      // Zero crossings ≈ 880 per second; wrong keystream would give noise (thousands).
      expect(zeroCrossings(samples)).to.be.within(860, 930);
    });
  }
});

import { expect } from 'chai';
import { spawn, spawnSync } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { parseRtp, rewriteRtpHeader, isRtcp, isRtpOrRtcp } from '../../src/rtp/index.js';
import { parseRtcp, serializeRtcp, isFullCompound, type RtcpPacket, type RtcpSenderReport } from '../../src/rtcp/index.js';

// Interop with a real RTP sender we did not write: ffmpeg's RTP muxer (H.264 over RTP, with RTCP
// SR + SDES and a closing BYE) on 127.0.0.1. Skips when ffmpeg is missing, fails under CI=true.

function ffmpegMissing(): string | undefined {
  const r = spawnSync('ffmpeg', ['-hide_banner', '-encoders'], { encoding: 'utf8' });
  if (r.status === 0 && /libx264/.test(r.stdout)) return undefined;
  const why = "ffmpeg with libx264 not found: install the Debian package 'ffmpeg' (apt-get install ffmpeg)";
  if (process.env.CI === 'true') throw new Error(why);
  return why;
}

function bind(): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = createSocket('udp4');
    s.once('error', reject);
    s.bind(0, '127.0.0.1', () => resolve(s));
  });
}

const SSRC = 0x12345678;

describe('RTP/RTCP from ffmpeg (real peer)', function () {
  this.timeout(30000);

  it('parses every RTP and RTCP packet ffmpeg sends, byte-identically on re-serialize', async function () {
    const missing = ffmpegMissing();
    if (missing) {
      console.log(`      skipped: ${missing}`);
      this.skip();
    }
    const rtpSock = await bind();
    const rtcpSock = await bind();
    const rtp: Buffer[] = [];
    const rtcp: Buffer[] = [];
    rtpSock.on('message', (m) => rtp.push(m));
    rtcpSock.on('message', (m) => rtcp.push(m));
    const url = `rtp://127.0.0.1:${rtpSock.address().port}?rtcpport=${rtcpSock.address().port}&pkt_size=1200`;
    const args = [
      '-hide_banner', '-loglevel', 'error', '-re', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=30', '-t', '1.5',
      '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-g', '15', '-pix_fmt', 'yuv420p',
      '-f', 'rtp', '-payload_type', '96', '-ssrc', String(SSRC), url,
    ];
    const proc = spawn('ffmpeg', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => {
      const kill = setTimeout(() => proc.kill('SIGKILL'), 20000);
      proc.on('exit', (c) => {
        clearTimeout(kill);
        resolve(c);
      });
    });
    await new Promise((r) => setTimeout(r, 200)); // let the last datagrams arrive
    rtpSock.close();
    rtcpSock.close();
    expect(code, stderr).to.equal(0);

    // RTP: 45 frames of H.264, fragmented (FU-A) at 1200 bytes.
    expect(rtp.length).to.be.greaterThan(45);
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
    expect(packets.filter((p) => p.marker).length).to.be.within(44, 46);

    // The raw SFU path agrees with the parsed view.
    const scratch = Buffer.alloc(1500);
    const out = rewriteRtpHeader(rtp[0]!, { ssrc: 7, sequenceNumber: 9, payloadType: 100 }, scratch)!;
    const re = parseRtp(out);
    expect([re.ssrc, re.sequenceNumber, re.payloadType, re.timestamp]).to.deep.equal([7, 9, 100, packets[0]!.timestamp]);
    expect(re.payload.equals(packets[0]!.payload)).to.equal(true);

    // RTCP: ffmpeg 5+ sends a bare SR (no SDES, so not a full RFC 3550 compound) at the start, and
    // may add SDES/BYE in other versions; whatever it sends must parse.
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
    const bye = compounds.flat().find((p) => p.kind === 'bye');
    if (bye && bye.kind === 'bye') expect(bye.ssrcs).to.deep.equal([SSRC]);
  });
});

import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FfmpegSource, type EncodedFrame, type RtspInput } from '@rivulet/media';
import { RawRtspClient } from './support/rtspClient.js';
import { requireGioTls, requireGstRtspServer, startGstRtspServer, type GstRtspServer } from './support/rtspServer.js';
import { requireTool } from './support/tools.js';

/**
 * The RTSP camera path against GStreamer's RTSP server (a real server we did
 * not write), read the way a Rivulet app reads an IP camera: FfmpegSource
 * { type: 'rtsp' } with H.264 passthrough. Covers RTP interleaved in the RTSP
 * TCP connection (RFC 2326 §10.12 / RFC 7826 §14), UDP from the same server,
 * Basic and Digest authentication, session keep-alive (RFC 2326 §12.37) and a
 * server that dies or stalls.
 */
const FFMPEG = '/usr/bin/ffmpeg';
const FPS = 25;
const GOP = 25;

const nalTypes = (au: Buffer): number[] => {
  // Annex B start codes (00 00 01 / 00 00 00 01) → the NAL unit type after each.
  const types: number[] = [];
  for (let i = 0; i + 3 < au.length; i++) {
    if (au[i] === 0 && au[i + 1] === 0 && au[i + 2] === 1) {
      types.push(au[i + 3]! & 0x1f);
      i += 3;
    }
  }
  return types;
};

interface Run {
  frames: EncodedFrame[];
  /** ms since start of each frame */
  at: number[];
  ended: Error | undefined | 'no';
  /** Date.now() when 'ended' fired (0: it did not) */
  endedAt: number;
}

function rtspSource(input: Omit<RtspInput, 'type'>): FfmpegSource {
  return new FfmpegSource({ input: { type: 'rtsp', ...input }, video: { codec: 'H264', passthrough: true, frameRate: FPS } });
}

/** Runs `source` until `until(run)` holds, it ends, or `maxMs` passed; always stops it. */
async function run(source: FfmpegSource, until: (r: Run) => boolean, maxMs: number): Promise<Run> {
  const r: Run = { frames: [], at: [], ended: 'no', endedAt: 0 };
  const t0 = Date.now();
  source.on('frame', (f) => {
    r.frames.push(f);
    r.at.push(Date.now() - t0);
  });
  source.on('ended', (error) => {
    r.ended = error;
    r.endedAt = Date.now();
  });
  source.start();
  while (!until(r) && r.ended === 'no' && Date.now() - t0 < maxMs) await new Promise((res) => setTimeout(res, 25));
  await source.stop();
  return r;
}

const frames = (n: number) => (r: Run) => r.frames.length >= n;

/** Keyframe first, one every GOP frames, each with SPS and PPS ahead of its IDR (RFC 6184 §8.2.1 order). */
function expectCameraGop(r: Run, count: number): void {
  const got = r.frames.slice(0, count);
  expect(got.length, 'frames received').to.equal(count);
  const keys = got.flatMap((f, i) => (f.keyframe ? [i] : []));
  expect(keys).to.deep.equal(Array.from({ length: Math.ceil(count / GOP) }, (_, k) => k * GOP));
  for (const i of keys) {
    const types = nalTypes(got[i]!.data);
    expect(types.indexOf(7), `frame ${i} NAL types ${types.join(',')}: SPS`).to.be.within(0, types.indexOf(5) - 1);
    expect(types.indexOf(8), `frame ${i} NAL types ${types.join(',')}: PPS`).to.be.within(0, types.indexOf(5) - 1);
  }
  for (const [i, f] of got.entries()) if (!f.keyframe) expect(nalTypes(f.data), `frame ${i}`).to.deep.equal([1]);
}

/** The transports the server's SETUPs chose for the client that sent PLAY last. */
function transportsOfLastClient(server: GstRtspServer): string[] {
  const client = server.eventsOf('REQ').filter((e) => e.words[2] === 'PLAY').at(-1)?.words[1];
  return server.eventsOf('TRANSPORT').filter((e) => e.words[1] === client).map((e) => e.words[2]!);
}

describe('RTSP camera over TCP and UDP ← GStreamer RTSP server (gst-rtsp-server)', function () {
  this.timeout(30_000);
  let server: GstRtspServer | undefined;
  let dir = '';

  before(async function () {
    requireTool(this, FFMPEG, 'ffmpeg');
    requireGstRtspServer(this);
    dir = mkdtempSync(path.join(os.tmpdir(), 'rivulet-rtsp-tcp-'));
    server = await startGstRtspServer({
      mounts: [
        { path: '/tcp-only', protocols: 'tcp', fps: FPS, gop: GOP },
        { path: '/both', protocols: 'any', fps: FPS, gop: GOP },
      ],
    });
  });

  after(async () => {
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('TCP interleaved: 60 frames, keyframe first and every 25, SPS+PPS before each IDR; ffmpeg decodes all 60 at 320x240', async () => {
    const r = await run(rtspSource({ url: server!.url('/tcp-only'), transport: 'tcp' }), frames(60), 15_000);
    expect(r.ended, 'still running when stopped').to.equal('no');
    expectCameraGop(r, 60);
    expect(transportsOfLastClient(server!)).to.deep.equal(['TCP']);
    // The depayloaded access units, concatenated as Annex B, are a stream a real decoder accepts whole.
    const file = path.join(dir, 'tcp.h264');
    writeFileSync(file, Buffer.concat(r.frames.slice(0, 60).map((f) => f.data)));
    const dec = spawnSync(FFMPEG, ['-hide_banner', '-v', 'error', '-i', file, '-f', 'framecrc', '-'], { encoding: 'utf8', timeout: 15_000 });
    expect(dec.status, dec.stderr).to.equal(0);
    expect(dec.stderr, 'decoder errors').to.equal('');
    const decoded = dec.stdout.split('\n').filter((l) => /^\d/.test(l));
    expect(decoded.length, 'frames decoded').to.equal(60);
    // framecrc: stream, dts, pts, duration, size, crc; 320x240 I420 is 115200 bytes.
    for (const line of decoded) expect(line.split(',')[4]!.trim()).to.equal('115200');
  });

  it('a server offering UDP and TCP: the default transport forces TCP interleaving', async () => {
    const r = await run(rtspSource({ url: server!.url('/both') }), frames(30), 15_000);
    expect(r.ended).to.equal('no');
    expectCameraGop(r, 30);
    expect(transportsOfLastClient(server!)).to.deep.equal(['TCP']);
  });

  it('the same mount over UDP: the server sets up UDP and the frames are the same shape', async () => {
    const r = await run(rtspSource({ url: server!.url('/both'), transport: 'udp' }), frames(30), 15_000);
    expect(r.ended).to.equal('no');
    expectCameraGop(r, 30);
    expect(transportsOfLastClient(server!)).to.deep.equal(['UDP']);
  });

  it('UDP asked of a TCP-only mount: the source ends with 461 Unsupported transport and no frames', async () => {
    const r = await run(rtspSource({ url: server!.url('/tcp-only'), transport: 'udp' }), () => false, 15_000);
    expect(r.ended).to.be.instanceOf(Error);
    expect((r.ended as Error).message).to.match(/^RTSP source rtsp:\/\/127\.0\.0\.1:\d+\/tcp-only ended: ffmpeg exited with 1: .*461 Unsupported transport/s);
    expect(r.frames.length).to.equal(0);
  });

  it('transcoding a 25 fps camera to H.264 at frameRate 30: frame timestamps follow the wall clock', async () => {
    // Annex B has no timestamps: frames are timed by count, so ffmpeg must emit exactly frameRate frames a second.
    const source = new FfmpegSource({ input: { type: 'rtsp', url: server!.url('/both') }, video: { codec: 'H264', frameRate: 30 } });
    const r = await run(source, (run) => run.at.length > 0 && run.at.at(-1)! - run.at[0]! > 5_000, 15_000);
    expect(r.ended).to.equal('no');
    // After ffmpeg's start-up burst: compare the last 3 s of timestamps with the last 3 s of arrivals.
    const last = r.frames.length - 1;
    const from = r.at.findIndex((t) => t >= r.at[last]! - 3_000);
    const mediaMs = (r.frames[last]!.timestampUs - r.frames[from]!.timestampUs) / 1000;
    const wallMs = r.at[last]! - r.at[from]!;
    expect(mediaMs / wallMs, `${mediaMs} ms of timestamps over ${wallMs} ms`).to.be.within(0.93, 1.07);
    expect(r.frames[1]!.timestampUs - r.frames[0]!.timestampUs).to.equal(1e6 / 30);
  });

  it('RTSPS (RFC 7826 §19, self-signed certificate): interleaved frames inside TLS; plain rtsp:// to that port fails', async function () {
    requireTool(this, '/usr/bin/openssl', 'openssl');
    requireGioTls(this);
    const key = path.join(dir, 'key.pem');
    const cert = path.join(dir, 'cert.pem');
    const gen = spawnSync('/usr/bin/openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1'], {
      encoding: 'utf8',
      timeout: 15_000,
    });
    expect(gen.status, gen.stderr).to.equal(0);
    const s = await startGstRtspServer({
      mounts: [{ path: '/cam', protocols: 'tcp', fps: FPS, gop: GOP }],
      tls: { certPem: readFileSync(cert, 'utf8'), keyPem: readFileSync(key, 'utf8') },
    });
    try {
      expect(s.url('/cam')).to.match(/^rtsps:\/\//);
      const r = await run(rtspSource({ url: s.url('/cam') }), frames(30), 15_000);
      expect(r.ended).to.equal('no');
      expectCameraGop(r, 30);
      expect(transportsOfLastClient(s)).to.deep.equal(['TCP']);
      const plain = await run(rtspSource({ url: s.url('/cam').replace('rtsps:', 'rtsp:'), stallTimeoutMs: 1_500 }), () => false, 15_000);
      expect(plain.ended).to.be.instanceOf(Error);
      // The server waits for a TLS ClientHello and gets an RTSP request: ffmpeg reads no RTSP reply.
      expect((plain.ended as Error).message).to.match(/ended: ffmpeg exited with 1: .*(Invalid data found when processing input|Connection timed out)/s);
      expect(plain.frames.length).to.equal(0);
      expect(s.eventsOf('REQ').filter((e) => e.words[2] === 'PLAY').length, 'only the TLS client played').to.equal(1);
    } finally {
      await s.stop();
    }
  });

  describe('session keep-alive (RFC 2326 §12.37), server session timeout 2 s', () => {
    let short: GstRtspServer | undefined;
    before(async () => {
      short = await startGstRtspServer({ mounts: [{ path: '/cam', protocols: 'any', fps: FPS, gop: GOP }], sessionTimeout: 2 });
    });
    after(async () => short?.stop());

    it('control: a client that never refreshes its UDP session loses it between 2 and 4 s after PLAY', async () => {
      const client = await RawRtspClient.open(short!.port);
      // Two UDP sockets that take the RTP and RTCP and ignore them.
      const sinks = await Promise.all([0, 1].map(() => new Promise<Socket>((resolve) => {
        const sock = createSocket('udp4');
        sock.bind(0, '127.0.0.1', () => resolve(sock));
      })));
      try {
        const [rtp, rtcp] = sinks.map((sock) => sock.address().port);
        const url = short!.url('/cam');
        expect((await client.request('DESCRIBE', url, { Accept: 'application/sdp' })).status).to.equal(200);
        const setup = await client.request('SETUP', `${url}/stream=0`, { Transport: `RTP/AVP;unicast;client_port=${rtp}-${rtcp}` });
        expect(setup.status, 'SETUP').to.equal(200);
        const session = setup.headers.get('session')!;
        expect(session).to.match(/;timeout=2$/);
        const id = session.split(';')[0]!;
        const play = await client.request('PLAY', url, { Session: id, Range: 'npt=0-' });
        expect(play.status, 'PLAY').to.equal(200);
        // The RTSP connection stays open and silent: over UDP only requests carrying the session refresh
        // it (this server also counts RTCP receiver reports, which this client does not send either).
        const t0 = Date.now();
        await short!.waitFor((e) => e.words[0] === 'SESSION-REMOVED' && e.words[1] === id, 6_000, `expiry of session ${id}`);
        expect(Date.now() - t0, 'ms from PLAY to expiry').to.be.within(1_500, 4_500);
      } finally {
        client.close();
        for (const sock of sinks) sock.close();
      }
    });

    it('ffmpeg over TCP and over UDP at once refreshes both sessions with GET_PARAMETER and keeps streaming for 6 s (3 timeouts)', async () => {
      const before = short!.events.length;
      const tcp = run(rtspSource({ url: short!.url('/cam'), transport: 'tcp' }), (r) => r.at.at(-1)! > 6_500, 12_000);
      const udp = run(rtspSource({ url: short!.url('/cam'), transport: 'udp' }), (r) => r.at.at(-1)! > 6_500, 12_000);
      const results = await Promise.all([tcp, udp]);
      const plays = short!.events.slice(before).filter((e) => e.words[0] === 'REQ' && e.words[2] === 'PLAY').map((e) => e.words[3]!);
      expect(plays.length).to.equal(2);
      for (const [i, r] of results.entries()) {
        expect(r.ended, `${['tcp', 'udp'][i]} still running`).to.equal('no');
        // No gap: the last 2 s carried about 2 s of frames at 25 fps.
        const last = r.at.at(-1)!;
        expect(r.at.filter((t) => t > last - 2_000).length, `${['tcp', 'udp'][i]} frames in the last 2 s`).to.be.within(30, 70);
      }
      for (const session of plays) {
        const keepAlives = short!.eventsOf('REQ').filter((e) => e.words[2] === 'GET_PARAMETER' && e.words[3] === session);
        expect(keepAlives.length, `GET_PARAMETER for session ${session}`).to.be.at.least(4);
        expect(short!.eventsOf('SESSION-REMOVED').filter((e) => e.words[1] === session && e.at < keepAlives.at(-1)!.at), 'expired while streaming').to.deep.equal([]);
      }
    });
  });

  describe('authentication', () => {
    for (const method of ['basic', 'digest'] as const) {
      const scheme = method === 'basic' ? 'Basic' : 'Digest';
      it(`${scheme} (RFC ${method === 'basic' ? 7617 : 7616}): the right password streams over TCP, a wrong one ends with 401 and the password is not in the error`, async () => {
        const auth = { method, user: 'cam', password: 'correct horse' };
        const s = await startGstRtspServer({ mounts: [{ path: '/cam', protocols: 'tcp', fps: FPS, gop: GOP }], auth });
        try {
          const good = await run(rtspSource({ url: s.url('/cam', auth) }), frames(10), 15_000);
          expect(good.ended).to.equal('no');
          expect(good.frames.length).to.be.at.least(10);
          expect(good.frames[0]!.keyframe).to.equal(true);
          expect(s.eventsOf('AUTH').map((e) => e.words[2])).to.deep.equal([scheme]);

          const bad = await run(rtspSource({ url: s.url('/cam', { user: 'cam', password: 'hunter2' }) }), () => false, 15_000);
          expect(bad.ended).to.be.instanceOf(Error);
          const message = (bad.ended as Error).message;
          expect(message).to.match(/401 Unauthorized/);
          expect(message).to.not.include('hunter2');
          expect(message).to.include('rtsp://cam:***@127.0.0.1:');
          expect(bad.frames.length).to.equal(0);

          const none = await run(rtspSource({ url: s.url('/cam') }), () => false, 15_000);
          expect((none.ended as Error).message).to.match(/401 Unauthorized/);
          expect(s.eventsOf('AUTH').length, 'only the right password was accepted').to.equal(1);
        } finally {
          await s.stop();
        }
      });
    }
  });

  describe('a server that goes away', () => {
    it('killed mid-stream (TCP connection closed): the source ends within 3 s saying the server closed the connection', async () => {
      const s = await startGstRtspServer({ mounts: [{ path: '/cam', protocols: 'tcp', fps: FPS, gop: GOP }] });
      const source = rtspSource({ url: s.url('/cam') });
      let killedAt = 0;
      const r = await run(
        source,
        (run) => {
          if (run.frames.length >= 10 && killedAt === 0) {
            killedAt = Date.now();
            void s.kill();
          }
          return false;
        },
        15_000,
      );
      await s.stop();
      expect(killedAt, 'frames arrived before the kill').to.be.greaterThan(0);
      expect(r.ended).to.be.instanceOf(Error);
      expect(r.endedAt - killedAt, 'ms from the kill to the end').to.be.within(0, 3_000);
      // "…: Connection reset by peer" follows when the killed server had unread data.
      expect((r.ended as Error).message).to.match(new RegExp(`^RTSP source rtsp://127\\.0\\.0\\.1:${s.port}/cam ended: the server closed the connection or ended the session(: .*Connection reset by peer)?$`, 's'));
    });

    for (const transport of ['tcp', 'udp'] as const) {
      it(`stalled over ${transport.toUpperCase()} (process stopped, connection open): the source ends after the 1.5 s stall timeout instead of hanging`, async () => {
        const s = await startGstRtspServer({ mounts: [{ path: '/cam', protocols: transport, fps: FPS, gop: GOP }] });
        let stoppedAt = 0;
        try {
          const r = await run(
            rtspSource({ url: s.url('/cam'), transport, stallTimeoutMs: 1_500 }),
            (run) => {
              if (run.frames.length >= 10 && stoppedAt === 0) {
                stoppedAt = Date.now();
                s.child.kill('SIGSTOP');
              }
              return false;
            },
            15_000,
          );
          const endedAfter = r.endedAt - stoppedAt;
          expect(stoppedAt, 'frames arrived before the stall').to.be.greaterThan(0);
          expect(r.ended).to.be.instanceOf(Error);
          expect((r.ended as Error).message).to.match(/ended: no data from the server for 1500 ms \(stalled\): .*Connection timed out/);
          expect(endedAfter, 'ms from the stall to the end').to.be.within(1_400, 8_000);
        } finally {
          s.child.kill('SIGCONT');
          await s.kill();
        }
      });
    }
  });
});

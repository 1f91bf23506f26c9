import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync } from 'node:fs';
import { connect, createServer, type AddressInfo } from 'node:net';

/**
 * A real RTSP server we did not write, for the camera path: Debian's
 * `rtsp-server-perl` (RTSP::Server). A source ANNOUNCEs and RECORDs a stream
 * into it (ffmpeg `-f rtsp`, the way an encoder box pushes), and clients PLAY
 * it back from a second port — from the client side that is an IP camera.
 *
 * Facts about this server the tests rely on (read from its behaviour):
 * - clients must use RTP over UDP (RFC 2326 §12.39 `client_port=`); a SETUP
 *   asking for TCP interleaving is answered 400 Bad Request;
 * - it allocates its UDP ports upward from --rtp_start_port, two per stream
 *   per source and per client.
 */
export const RTSP_SERVER_PERL = process.env['RIVULET_RTSP_SERVER_PERL'] ?? '/usr/bin/rtsp-server-perl';
export const RTSP_SERVER_APT = 'rtsp-server-perl';

/** rtsp-server-perl present, or skip with what to install; under CI=true a missing server fails. */
export function rtspServerOrSkip(ctx: Mocha.Context): string {
  if (existsSync(RTSP_SERVER_PERL)) return RTSP_SERVER_PERL;
  const message = `${RTSP_SERVER_PERL} not found: install it with \`apt-get install ${RTSP_SERVER_APT}\``;
  if (process.env['CI'] === 'true') throw new Error(message);
  console.warn(`      skipped: ${message}`);
  ctx.skip();
}

/** A TCP port that was free on 127.0.0.1 a moment ago. */
export async function freeTcpPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function udpPortFree(port: number): Promise<boolean> {
  const socket = createSocket('udp4');
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(port, '127.0.0.1', () => resolve());
    });
    return true;
  } catch {
    return false;
  } finally {
    try {
      socket.close();
    } catch {
      // never bound
    }
  }
}

/** An even base port with `count` consecutive UDP ports free on 127.0.0.1 (at most 50 tries). */
export async function freeUdpRange(count: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 40_000 + 2 * Math.floor(Math.random() * 9_000);
    let ok = true;
    for (let p = base; p < base + count && ok; p++) ok = await udpPortFree(p);
    if (ok) return base;
  }
  throw new Error(`no ${count} consecutive free UDP ports found on 127.0.0.1 in 50 tries`);
}

/**
 * Sends one RTSP DESCRIBE (RFC 2326 §10.2) and returns the status code of the
 * reply, or 0 when the connection failed or no status line came within `timeoutMs`.
 */
export function rtspDescribeStatus(url: string, timeoutMs = 2_000): Promise<number> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    let text = '';
    let done = false;
    const finish = (status: number): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(status);
    };
    const socket = connect({ host: hostname, port: Number(port || 554) });
    const timer = setTimeout(() => finish(0), timeoutMs);
    socket.setEncoding('latin1');
    socket.on('connect', () => socket.write(`DESCRIBE ${url} RTSP/1.0\r\nCSeq: 1\r\nAccept: application/sdp\r\n\r\n`));
    socket.on('data', (chunk: string) => {
      text += chunk;
      const m = /^RTSP\/1\.0 (\d{3}) /.exec(text);
      if (m) finish(Number(m[1]));
      else if (text.length > 4096) finish(0);
    });
    socket.on('error', () => finish(0));
    socket.on('close', () => finish(0));
  });
}

/** Polls DESCRIBE until it answers `want` (every 100 ms, at most `maxMs`); returns the last status seen. */
export async function waitForDescribe(url: string, want: number, maxMs: number): Promise<number> {
  const t0 = Date.now();
  let status = 0;
  while (Date.now() - t0 < maxMs) {
    status = await rtspDescribeStatus(url, 1_000);
    if (status === want) return status;
    await new Promise((r) => setTimeout(r, 100));
  }
  return status;
}

/** Sends SIGTERM, then SIGKILL after `graceMs`; resolves when the child has exited. */
export function killChild(child: ChildProcess | undefined, graceMs = 1_000): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** A child whose last stderr/stdout lines are kept to explain a failure. */
export function spawnLogged(file: string, args: string[]): { child: ChildProcess; output: () => string } {
  const lines: string[] = [];
  const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const keep = (chunk: Buffer): void => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (!line.trim()) continue;
      lines.push(line);
      if (lines.length > 30) lines.shift();
    }
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  child.on('error', (err) => lines.push(`spawn failed: ${err.message}`));
  return { child, output: () => lines.join('\n') };
}

export interface RtspServerPerl {
  /** Port clients PLAY from (rtsp://127.0.0.1:<clientPort>/<path>). */
  clientPort: number;
  /** Port a source ANNOUNCEs/RECORDs into. */
  sourcePort: number;
  playUrl(path: string): string;
  publishUrl(path: string): string;
  output(): string;
  stop(): Promise<void>;
}

/** Starts rtsp-server-perl on free ports of 127.0.0.1 and waits (at most `maxMs`) until it answers RTSP. */
export async function startRtspServerPerl(binary: string, maxMs = 10_000): Promise<RtspServerPerl> {
  const clientPort = await freeTcpPort();
  let sourcePort = await freeTcpPort();
  for (let i = 0; i < 10 && sourcePort === clientPort; i++) sourcePort = await freeTcpPort();
  // Room for a few sources and clients, two ports (RTP, RTCP) each.
  const rtpStart = await freeUdpRange(16);
  const { child, output } = spawnLogged(binary, [
    '--clientport', String(clientPort),
    '--serverport', String(sourcePort),
    '--client_listen_address', '127.0.0.1',
    '--source_listen_address', '127.0.0.1',
    '--rtp_start_port', String(rtpStart),
    '--loglevel', '2',
  ]);
  const server: RtspServerPerl = {
    clientPort,
    sourcePort,
    playUrl: (path) => `rtsp://127.0.0.1:${clientPort}/${path}`,
    publishUrl: (path) => `rtsp://127.0.0.1:${sourcePort}/${path}`,
    output,
    stop: () => killChild(child),
  };
  // Nothing is mounted yet, so a live server answers 404 Not Found.
  const status = await waitForDescribe(server.playUrl('probe'), 404, maxMs);
  if (status !== 404) {
    await server.stop();
    throw new Error(`rtsp-server-perl did not answer DESCRIBE with 404 within ${maxMs} ms (last status ${status}): ${output()}`);
  }
  return server;
}

import { expect } from 'chai';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RTCPeerConnection, type RTCDataChannel } from '../src/index.js';
import { negotiate, transportState, until } from './helpers/peers.js';

function haveTurnserver(): boolean {
  return spawnSync('sh', ['-c', 'command -v turnserver'], { encoding: 'utf8' }).status === 0;
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

/** Polls with STUN Binding requests (RFC 8489 §6) until the server answers. */
async function stunReady(port: number, ms: number): Promise<boolean> {
  const sock = createSocket('udp4');
  let answered = false;
  sock.on('message', () => { answered = true; });
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  const req = Buffer.alloc(20);
  req.writeUInt16BE(0x0001, 0);
  req.writeUInt32BE(0x2112a442, 4);
  randomBytes(12).copy(req, 8);
  const end = Date.now() + ms;
  while (!answered && Date.now() < end) {
    sock.send(req, port, '127.0.0.1');
    await new Promise((r) => setTimeout(r, 100));
  }
  sock.close();
  return answered;
}

/** RTCPeerConnection with iceTransportPolicy "relay" through coturn on 127.0.0.1. */
describe('TURN relay through coturn (iceTransportPolicy "relay")', function () {
  this.timeout(30000);
  let proc: ChildProcess | undefined;
  let dir = '';
  let port = 0;
  let log = '';

  before(async function () {
    if (!haveTurnserver()) {
      const message = 'turnserver not found: install it with `apt-get install coturn`';
      if (process.env['CI'] === 'true') throw new Error(message);
      console.warn(`      skipped: ${message}`);
      this.skip();
    }
    port = await freePort();
    dir = mkdtempSync(join(tmpdir(), 'rivulet-webrtc-coturn-'));
    proc = spawn('turnserver', [
      '-n', '--listening-ip=127.0.0.1', '--relay-ip=127.0.0.1', `--listening-port=${port}`, '--min-port=49200',
      '--max-port=49400', '--lt-cred-mech', '--user=test:secret', '--realm=rivulet.test', '--no-tls', '--no-dtls',
      '--allow-loopback-peers', '--no-cli', `--pidfile=${join(dir, 'pid')}`, `--userdb=${join(dir, 'db')}`,
      '--log-file=stdout', '--simple-log',
    ], { stdio: ['ignore', 'pipe', 'pipe'] });
    proc.stdout!.on('data', (d: Buffer) => { log = (log + d.toString()).slice(-20000); });
    proc.stderr!.on('data', (d: Buffer) => { log = (log + d.toString()).slice(-20000); });
    if (!(await stunReady(port, 10000))) throw new Error(`turnserver did not answer STUN on ${port}: ${log.slice(-500)}`);
  });

  after(async () => {
    if (proc && proc.exitCode === null) {
      const exited = new Promise((r) => proc!.once('exit', r));
      proc.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
      if (proc.exitCode === null) proc.kill('SIGKILL');
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('gathers only relay candidates and connects a data channel through the relay', async () => {
    const config = {
      iceServers: [{ urls: `turn:127.0.0.1:${port}?transport=udp`, username: 'test', credential: 'secret' }],
      iceTransportPolicy: 'relay' as const,
      rivulet: { interfaceAddresses: ['127.0.0.1'] },
    };
    const a = new RTCPeerConnection(config);
    const b = new RTCPeerConnection(config);
    const types: string[] = [];
    a.onicecandidate = (e) => {
      if (e.candidate?.candidate) {
        types.push(e.candidate.type!);
        void b.addIceCandidate(e.candidate).catch(() => {});
      }
    };
    b.onicecandidate = (e) => { if (e.candidate?.candidate) void a.addIceCandidate(e.candidate).catch(() => {}); };
    const dc = a.createDataChannel('relayed');
    let remote: RTCDataChannel | undefined;
    const got: string[] = [];
    b.ondatachannel = (e) => { remote = e.channel; remote.onmessage = (m) => got.push(m.data as string); };
    await negotiate(a, b);
    await until(() => dc.readyState === 'open' && remote?.readyState === 'open', 20000, 'open through TURN', () => transportState(a));
    dc.send('via relay');
    await until(() => got.length === 1, 5000, 'message');
    expect(types.length).to.be.greaterThan(0);
    expect(new Set(types)).to.deep.equal(new Set(['relay']));
    const pair = dc.readyState === 'open' ? a.sctp!.transport.iceTransport.getSelectedCandidatePair()! : null;
    expect(pair!.local.type).to.equal('relay');
    const stats = await a.getStats();
    const local = [...stats.values()].find((s) => s.type === 'local-candidate');
    expect(local?.['candidateType']).to.equal('relay');
    a.close();
    b.close();
  });
});

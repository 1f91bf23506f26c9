import { expect } from 'chai';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RealClock, nodeNetwork } from '@rivulet/common';
import { StunClass, StunMessage, StunMethod, encodeStun } from '../../src/stun/index.js';
import { IceAgent } from '../../src/agent/index.js';
import { isUp, signal, waitUntil } from './helpers.js';

/** A UDP port that is free now (the OS picks it). */
async function freeUdpPort(): Promise<number> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function stunAnswers(port: number, maxMs: number): Promise<void> {
  const sock = dgram.createSocket('udp4');
  try {
    let answered = false;
    sock.on('message', () => (answered = true));
    const deadline = Date.now() + maxMs;
    while (!answered) {
      if (Date.now() > deadline) throw new Error(`turnserver did not answer STUN on 127.0.0.1:${port} within ${maxMs} ms`);
      sock.send(encodeStun(new StunMessage(StunMethod.Binding, StunClass.Request)), port, '127.0.0.1');
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    sock.close();
  }
}

/** The agent against a TURN server we did not write: coturn on 127.0.0.1, relay-only policy on both sides. */
describe('IceAgent through coturn (real TURN server, RealClock)', function () {
  this.timeout(30_000);
  let proc: ChildProcess | undefined;
  let dir = '';
  let port = 0;

  before(async function () {
    if (spawnSync('sh', ['-c', 'command -v turnserver']).status !== 0) {
      if (process.env.CI === 'true') throw new Error('turnserver not found: install the Debian package coturn (apt-get install coturn)');
      console.log('      skipped: turnserver not found; install the Debian package coturn (apt-get install coturn)');
      this.skip();
    }
    port = await freeUdpPort();
    dir = mkdtempSync(join(tmpdir(), 'rivulet-ice-coturn-'));
    proc = spawn(
      'turnserver',
      [
        '-n', '--listening-ip=127.0.0.1', '--relay-ip=127.0.0.1', `--listening-port=${port}`,
        '--min-port=53000', '--max-port=53999', '--lt-cred-mech', '--user=ice:secret', '--realm=rivulet.test',
        '--no-tls', '--no-dtls', '--no-tcp-relay', '--allow-loopback-peers', '--no-cli',
        `--pidfile=${join(dir, 'turnserver.pid')}`, `--userdb=${join(dir, 'turndb')}`, '--log-file=stdout', '--simple-log',
      ],
      { stdio: 'ignore' },
    );
    await stunAnswers(port, 10_000);
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

  for (const transport of ['udp', 'tcp'] as const) {
    it(`relay-only agents (TURN over ${transport.toUpperCase()}) gather only relay candidates and connect relay-to-relay, carrying data`, async () => {
      const clock = new RealClock();
      const iceServers = [{ urls: `turn:127.0.0.1:${port}?transport=${transport}`, username: 'ice', credential: 'secret' }];
      const mk = (controlling: boolean) => new IceAgent({ controlling, clock, network: nodeNetwork, iceServers, iceTransportPolicy: 'relay' });
      const a = mk(true);
      const b = mk(false);
      try {
        const types: string[] = [];
        a.on('candidate', (c) => types.push(c.type));
        signal(a, b);
        a.start();
        b.start();
        await Promise.all([a.gather(), b.gather()]);
        expect(types).to.deep.equal(['relay']);
        expect(a.localCandidateList[0]!.address).to.equal('127.0.0.1');
        expect(a.localCandidateList[0]!.port).to.be.within(53000, 53999);
        await waitUntil(() => isUp(a.state) && isUp(b.state), 10_000, 'both agents connected through coturn');
        expect(a.selectedPair!.local.candidate.type).to.equal('relay');
        expect(a.selectedPair!.remote.type).to.equal('relay');
        const got: string[] = [];
        b.on('data', (d) => got.push(d.toString()));
        a.send(Buffer.from('via coturn'));
        await waitUntil(() => got.length === 1, 3000, 'data through the relay');
        expect(got).to.deep.equal(['via coturn']);
      } finally {
        a.close();
        b.close();
      }
    });
  }
});

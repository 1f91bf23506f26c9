import { expect } from 'chai';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RealClock, nodeNetwork, type TransportAddress } from '@rivulet/common';
import { StunClass, StunMessage, StunMethod, encodeStun } from '../../src/stun/index.js';
import { allocateTurn, TurnClient, type TurnServerConfig } from '../../src/turn/index.js';

const MIN_PORT = 51000;
const MAX_PORT = 51999;

function haveTurnserver(): boolean {
  return spawnSync('sh', ['-c', 'command -v turnserver'], { encoding: 'utf8' }).status === 0;
}

async function freePort(): Promise<number> {
  for (let i = 0; i < 20; i++) {
    const port = await new Promise<number>((resolve, reject) => {
      const s = net.createServer();
      s.once('error', reject);
      s.listen(0, '127.0.0.1', () => {
        const p = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    const udpFree = await new Promise<boolean>((resolve) => {
      const u = dgram.createSocket('udp4');
      u.once('error', () => resolve(false));
      u.bind(port, '127.0.0.1', () => u.close(() => resolve(true)));
    });
    if (udpFree) return port;
  }
  throw new Error('no free port for turnserver');
}

/** Resolves once turnserver answers a STUN Binding request on UDP (bounded: 10 s). */
async function waitForStun(port: number): Promise<void> {
  const sock = dgram.createSocket('udp4');
  try {
    await new Promise<void>((resolve, reject) => {
      const deadline = Date.now() + 10_000;
      let answered = false;
      sock.on('message', () => {
        answered = true;
        resolve();
      });
      const tick = () => {
        if (answered) return;
        if (Date.now() > deadline) return reject(new Error(`turnserver did not answer STUN on 127.0.0.1:${port} within 10 s`));
        sock.send(encodeStun(new StunMessage(StunMethod.Binding, StunClass.Request)), port, '127.0.0.1');
        setTimeout(tick, 100).unref();
      };
      tick();
    });
  } finally {
    sock.close();
  }
}

async function until(cond: () => boolean, what: string, maxMs = 5000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > maxMs) throw new Error(`timed out after ${maxMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('TURN client against coturn (real peer, RealClock)', function () {
  this.timeout(30_000);
  let proc: ChildProcess | undefined;
  let dir = '';
  let port = 0;
  let log = '';
  const clock = new RealClock();
  const open: TurnClient[] = [];

  before(async function () {
    if (!haveTurnserver()) {
      if (process.env.CI === 'true') throw new Error('turnserver not found: install the Debian package coturn (apt-get install coturn)');
      console.log('      skipped: turnserver not found; install the Debian package coturn (apt-get install coturn)');
      this.skip();
    }
    port = await freePort();
    dir = mkdtempSync(join(tmpdir(), 'rivulet-coturn-'));
    proc = spawn(
      'turnserver',
      [
        '-n',
        '--listening-ip=127.0.0.1',
        '--listening-ip=::1',
        '--relay-ip=127.0.0.1',
        '--relay-ip=::1',
        `--listening-port=${port}`,
        `--min-port=${MIN_PORT}`,
        `--max-port=${MAX_PORT}`,
        '--lt-cred-mech',
        '--user=test:secret',
        '--realm=rivulet.test',
        '--no-tls',
        '--no-dtls',
        '--allow-loopback-peers',
        '--no-cli',
        '--cli-password=x',
        '--max-allocate-lifetime=4',
        '--stale-nonce=3',
        `--pidfile=${join(dir, 'turnserver.pid')}`,
        `--userdb=${join(dir, 'turndb')}`,
        '--log-file=stdout',
        '--simple-log',
        '-v',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    proc.stdout!.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-20_000)));
    proc.stderr!.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-20_000)));
    await waitForStun(port);
  });

  after(async () => {
    for (const c of open) await c.close().catch(() => {});
    if (proc && proc.exitCode === null) {
      const exited = new Promise((r) => proc!.once('exit', r));
      proc.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
      if (proc.exitCode === null) proc.kill('SIGKILL');
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const server = (transport: 'udp' | 'tcp', credential = 'secret'): TurnServerConfig => ({
    address: '127.0.0.1',
    port,
    transport,
    username: 'test',
    credential,
  });

  async function alloc(transport: 'udp' | 'tcp'): Promise<TurnClient> {
    const a = (await allocateTurn({ server: server(transport), network: nodeNetwork, clock, localAddress: '127.0.0.1' })) as TurnClient;
    open.push(a);
    return a;
  }

  function inRelayRange(a: TransportAddress): boolean {
    return a.address === '127.0.0.1' && a.port >= MIN_PORT && a.port <= MAX_PORT;
  }

  it('allocates over UDP: relayed address in the relay range, mapped address = our socket', async () => {
    const a = await alloc('udp');
    expect(a.state).to.equal('allocated');
    expect(inRelayRange(a.relayedAddress), JSON.stringify(a.relayedAddress)).to.equal(true);
    expect(a.mappedAddress).to.deep.equal({ address: '127.0.0.1', port: a.localAddress.port, family: 'IPv4' });
    expect(a.lifetimeSeconds).to.equal(4); // --max-allocate-lifetime=4
  });

  it('resolves a server name (localhost) before matching responses against its address', async () => {
    const a = (await allocateTurn({ server: { ...server('udp'), address: 'localhost' }, network: nodeNetwork, clock })) as TurnClient;
    open.push(a);
    expect(a.state).to.equal('allocated');
    expect(['127.0.0.1', '::1']).to.include(a.mappedAddress.address);
    expect(a.counters.get('not-from-server')).to.equal(0);
  });

  it('allocates over TCP: mapped address = our TCP connection', async () => {
    const a = await alloc('tcp');
    expect(a.state).to.equal('allocated');
    expect(inRelayRange(a.relayedAddress), JSON.stringify(a.relayedAddress)).to.equal(true);
    expect(a.mappedAddress).to.deep.equal({ address: '127.0.0.1', port: a.localAddress.port, family: 'IPv4' });
  });

  for (const transport of ['udp', 'tcp'] as const) {
    it(`rejects a wrong password over ${transport} with a clear error`, async () => {
      const err = await allocateTurn({ server: server(transport, 'nope'), network: nodeNetwork, clock, localAddress: '127.0.0.1' }).catch(
        (e: Error) => e,
      );
      expect(err).to.be.instanceOf(Error);
      expect((err as Error).message).to.equal(
        `TURN Allocate to ${transport} 127.0.0.1:${port} rejected the credentials of user "test" in realm "rivulet.test" (401 Unauthorized): check the username and credential`,
      );
    });
  }

  it('two allocations (UDP and TCP) exchange data both ways, by Send indications then over channels', async () => {
    const a = await alloc('udp');
    const b = await alloc('tcp');
    const gotA: string[] = [];
    const gotB: string[] = [];
    const fromA: TransportAddress[] = [];
    a.onData((d, from) => {
      gotA.push(d.toString());
      fromA.push(from);
    });
    b.onData((d) => gotB.push(d.toString()));
    a.send(Buffer.from('a-open'), b.relayedAddress);
    b.send(Buffer.from('b-open'), a.relayedAddress);
    // each side's permission must exist before the other's data is let through; resend until both arrive
    for (let i = 0; i < 50 && !(gotA.includes('b-hello') && gotB.includes('a-hello')); i++) {
      a.send(Buffer.from('a-hello'), b.relayedAddress);
      b.send(Buffer.from('b-hello'), a.relayedAddress);
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(gotA).to.include('b-hello');
    expect(gotB).to.include('a-hello');
    expect(fromA[0]).to.deep.equal(b.relayedAddress);
    expect(a.counters.get('sent-send-indication')).to.be.at.least(1);
    expect(b.counters.get('sent-send-indication')).to.be.at.least(1);
    // channels get bound after the first indication; then data goes as ChannelData
    await until(() => a.channelFor(b.relayedAddress) !== undefined && b.channelFor(a.relayedAddress) !== undefined, 'both channels bound');
    expect(a.channelFor(b.relayedAddress)).to.equal(0x4000);
    expect(b.channelFor(a.relayedAddress)).to.equal(0x4000);
    expect(a.counters.get('channel-bind-failed') + b.counters.get('channel-bind-failed')).to.equal(0);
    const before = { a: a.counters.get('sent-channel-data'), b: b.counters.get('sent-channel-data') };
    for (let i = 0; i < 20; i++) {
      a.send(Buffer.from(`A${i}`), b.relayedAddress);
      b.send(Buffer.from(`B${i}`), a.relayedAddress);
    }
    await until(() => gotB.includes('A19') && gotA.includes('B19'), 'channel data both ways');
    expect(a.counters.get('sent-channel-data') - before.a).to.equal(20);
    expect(b.counters.get('sent-channel-data') - before.b).to.equal(20);
    expect(a.counters.get('received-channel-data')).to.be.at.least(20);
    expect(b.counters.get('received-channel-data')).to.be.at.least(20);
    expect(gotB.filter((s) => /^A\d+$/.test(s))).to.deep.equal([...Array(20).keys()].map((i) => `A${i}`)); // TCP leg: in order
    expect(a.counters.get('malformed') + b.counters.get('malformed')).to.equal(0);
  });

  it('talks to a plain UDP peer through the relay: the peer sees the relayed address, we see the peer', async () => {
    const a = await alloc('udp');
    const peer = dgram.createSocket('udp4');
    await new Promise<void>((r) => peer.bind(0, '127.0.0.1', () => r()));
    try {
      const peerAddr: TransportAddress = { address: '127.0.0.1', port: peer.address().port, family: 'IPv4' };
      const atPeer: Array<{ data: string; port: number }> = [];
      peer.on('message', (m, rinfo) => {
        atPeer.push({ data: m.toString(), port: rinfo.port });
        peer.send(Buffer.from(`echo:${m.toString()}`), rinfo.port, rinfo.address);
      });
      const got: Array<[string, TransportAddress]> = [];
      a.onData((d, from) => got.push([d.toString(), from]));
      a.send(Buffer.from('first'), peerAddr); // queued until CreatePermission succeeds, then a Send indication
      await until(() => got.some(([d]) => d === 'echo:first'), 'echo of the first message');
      await until(() => a.channelFor(peerAddr) !== undefined, 'channel to the peer');
      a.send(Buffer.from('second'), peerAddr); // ChannelData now
      await until(() => got.some(([d]) => d === 'echo:second'), 'echo of the second message');
      expect(atPeer.map((x) => x.data)).to.deep.equal(['first', 'second']);
      expect(atPeer.every((x) => x.port === a.relayedAddress.port)).to.equal(true);
      expect(got.map(([, from]) => from)).to.deep.equal([peerAddr, peerAddr]);
      // the first echo comes as a Data indication or, if the channel got bound first, as ChannelData
      expect(a.counters.get('received-data-indication') + a.counters.get('received-channel-data')).to.equal(2);
      expect(a.counters.get('received-channel-data')).to.be.at.least(1);
      expect(a.counters.get('sent-send-indication')).to.equal(1);
      expect(a.counters.get('sent-channel-data')).to.equal(1);
    } finally {
      peer.close();
    }
  });

  it('refresh keeps a 4 s allocation alive past its lifetime, through 438 Stale Nonce', async () => {
    const a = await alloc('udp');
    const b = await alloc('udp');
    const got: string[] = [];
    b.onData((d) => got.push(d.toString()));
    b.send(Buffer.from('open'), a.relayedAddress);
    await new Promise((r) => setTimeout(r, 6500)); // refreshes at 2 s, 4 s, 6 s
    expect(a.counters.get('allocation-refreshes')).to.be.at.least(2);
    // --stale-nonce=3: coturn answers a refresh after 3 s with 438 and we retry with its new nonce
    expect(a.counters.get('stale-nonce-retries')).to.be.at.least(1);
    expect(a.state).to.equal('allocated');
    for (let i = 0; i < 20 && !got.includes('alive'); i++) {
      a.send(Buffer.from('alive'), b.relayedAddress);
      b.send(Buffer.from('open'), a.relayedAddress);
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(got).to.include('alive');
  });

  it('allocates an IPv6 relay over IPv6 (REQUESTED-ADDRESS-FAMILY) and relays between two of them', async () => {
    const v6 = { ...server('udp'), address: '::1' };
    const a = (await allocateTurn({ server: v6, network: nodeNetwork, clock, localAddress: '::1', relayFamily: 'IPv6' })) as TurnClient;
    const b = (await allocateTurn({ server: v6, network: nodeNetwork, clock, localAddress: '::1', relayFamily: 'IPv6' })) as TurnClient;
    open.push(a, b);
    expect(a.relayedAddress.family).to.equal('IPv6');
    expect(a.relayedAddress.address).to.equal('::1');
    expect(a.relayedAddress.port).to.be.within(MIN_PORT, MAX_PORT);
    expect(a.mappedAddress).to.deep.equal({ address: '::1', port: a.localAddress.port, family: 'IPv6' });
    const got: string[] = [];
    b.onData((d) => got.push(d.toString()));
    for (let i = 0; i < 50 && !got.includes('over-v6'); i++) {
      b.send(Buffer.from('open'), a.relayedAddress);
      a.send(Buffer.from('over-v6'), b.relayedAddress);
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(got).to.include('over-v6');
  });

  it('close() releases the allocation: coturn acknowledges and logs the Refresh with lifetime=0', async () => {
    const a = await alloc('udp');
    const states: string[] = [];
    a.onStateChange((s) => states.push(s));
    const relayed = a.relayedAddress;
    await a.close();
    expect(states).to.deep.equal(['closed']);
    expect(a.counters.get('release-failed')).to.equal(0);
    await until(() => /refreshed, realm=<rivulet\.test>, username=<test>, lifetime=0/.test(log), 'coturn to log the release');
    expect(relayed.port).to.be.within(MIN_PORT, MAX_PORT);
    expect(a.state).to.equal('closed');
  });
});

/**
 * TURN relay throughput through a real coturn on 127.0.0.1: two allocations,
 * one echoes everything back over its channel, the other keeps a window of
 * 1000-byte messages in flight. Ours (@rivulet/ice allocateTurn) beside
 * werift's createTurnClient, same coturn, same run, alternating rounds; the
 * median round is reported because the shared machine makes single rounds swing.
 * Run: node --conditions=rivulet-source --import tsx bench/turn-relay.ts
 * Needs `turnserver` (Debian package coturn). The machine is shared: figures are noisy.
 */
import { spawn, spawnSync } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTurnClient } from 'werift';
import { RealClock, nodeNetwork, type TransportAddress } from '@rivulet/common';
import { allocateTurn, TurnClient } from '@rivulet/ice';

const DURATION_MS = Number(process.env.DURATION_MS ?? 1500);
const ROUNDS = Number(process.env.ROUNDS ?? 6);
const WINDOW = 32;
const SIZE = 1000;
const PORT = 30000 + Math.floor(Math.random() * 5000);

if (spawnSync('sh', ['-c', 'command -v turnserver']).status !== 0) {
  console.error('turnserver not found: install the Debian package coturn');
  process.exit(1);
}

const dir = mkdtempSync(join(tmpdir(), 'rivulet-bench-coturn-'));
const coturn = spawn(
  'turnserver',
  [
    '-n', '--listening-ip=127.0.0.1', '--relay-ip=127.0.0.1', `--listening-port=${PORT}`, '--min-port=52000', '--max-port=52999',
    '--lt-cred-mech', '--user=test:secret', '--realm=rivulet.test', '--no-tls', '--no-dtls', '--allow-loopback-peers', '--no-cli',
    '--cli-password=x', `--pidfile=${join(dir, 'pid')}`, `--userdb=${join(dir, 'db')}`, '--no-stdout-log',
  ],
  { stdio: 'ignore' },
);

async function waitForCoturn(): Promise<void> {
  const { StunMessage, StunMethod, StunClass, encodeStun } = await import('@rivulet/ice');
  const s = dgram.createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    const deadline = Date.now() + 10_000;
    let done = false;
    s.on('message', () => ((done = true), resolve()));
    const tick = () => {
      if (done) return;
      if (Date.now() > deadline) return reject(new Error('coturn did not start'));
      s.send(encodeStun(new StunMessage(StunMethod.Binding, StunClass.Request)), PORT, '127.0.0.1');
      setTimeout(tick, 100);
    };
    tick();
  });
  s.close();
}

interface Pair {
  /** Sends one message from the sender to the echoer. */
  send(buf: Buffer): void;
  onEcho(cb: () => void): void;
  close(): Promise<void>;
}

/** Keeps WINDOW messages in flight for DURATION_MS; returns echoed messages per second. */
async function measure(pair: Pair): Promise<number> {
  let received = 0;
  let running = true;
  const payload = Buffer.alloc(SIZE, 0x5a);
  pair.onEcho(() => {
    received++;
    if (running) pair.send(payload);
  });
  for (let i = 0; i < WINDOW; i++) pair.send(payload);
  const start = performance.now();
  let last = -1;
  // refill the window if losses drained it
  const refill = setInterval(() => {
    if (received === last) for (let i = 0; i < WINDOW; i++) pair.send(payload);
    last = received;
  }, 50);
  await new Promise((r) => setTimeout(r, DURATION_MS));
  running = false;
  clearInterval(refill);
  const rate = received / ((performance.now() - start) / 1000);
  await new Promise((r) => setTimeout(r, 100));
  return rate;
}

async function until(cond: () => boolean, what: string): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > 5000) throw new Error(`bench setup: ${what} did not happen in 5 s`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function oursPair(): Promise<Pair> {
  const clock = new RealClock();
  const server = { address: '127.0.0.1', port: PORT, transport: 'udp' as const, username: 'test', credential: 'secret' };
  const a = (await allocateTurn({ server, network: nodeNetwork, clock, localAddress: '127.0.0.1' })) as TurnClient;
  const b = (await allocateTurn({ server, network: nodeNetwork, clock, localAddress: '127.0.0.1' })) as TurnClient;
  b.onData((d, from) => b.send(d, from));
  let echo: () => void = () => {};
  let opened = false;
  a.onData(() => ((opened = true), echo()));
  a.send(Buffer.from('open'), b.relayedAddress);
  b.send(Buffer.from('open'), a.relayedAddress);
  await until(() => a.channelFor(b.relayedAddress) !== undefined && b.channelFor(a.relayedAddress) !== undefined, 'channel binding');
  a.send(Buffer.from('open'), b.relayedAddress);
  await until(() => opened, 'first echo');
  await new Promise((r) => setTimeout(r, 50));
  return {
    send: (buf) => a.send(buf, b.relayedAddress),
    onEcho: (cb) => (echo = cb),
    close: async () => {
      await a.close();
      await b.close();
    },
  };
}

async function weriftPair(): Promise<Pair> {
  const cfg = { address: ['127.0.0.1', PORT] as [string, number], username: 'test', password: 'secret' };
  const a = await createTurnClient(cfg, { transport: 'udp' });
  const b = await createTurnClient(cfg, { transport: 'udp' });
  b.onData.subscribe((data, from) => void b.sendData(data, from as [string, number]).catch(() => {}));
  let echo: () => void = () => {};
  let opened = false;
  a.onData.subscribe(() => ((opened = true), echo()));
  await Promise.all([a.sendData(Buffer.from('open'), b.relayedAddress), b.sendData(Buffer.from('open'), a.relayedAddress)]);
  for (let i = 0; i < 50 && !opened; i++) {
    await a.sendData(Buffer.from('open'), b.relayedAddress);
    await new Promise((r) => setTimeout(r, 20));
  }
  await until(() => opened, 'werift first echo');
  return {
    send: (buf) => void a.sendData(buf, b.relayedAddress).catch(() => {}),
    onEcho: (cb) => (echo = cb),
    close: async () => {
      await a.close();
      await b.close();
    },
  };
}

try {
  await waitForCoturn();
  const oursRates: number[] = [];
  const theirRates: number[] = [];
  // Alternate who goes first each round: whoever runs second meets a warmer coturn.
  for (let r = 0; r < ROUNDS; r++) {
    const order = r % 2 === 0 ? ['ours', 'werift'] : ['werift', 'ours'];
    for (const who of order) {
      if (who === 'werift' && process.env.ONLY === 'ours') continue;
      const pair = who === 'ours' ? await oursPair() : await weriftPair();
      const rate = await measure(pair);
      await pair.close();
      (who === 'ours' ? oursRates : theirRates).push(rate);
    }
  }
  // Allocation latency: Allocate (401 challenge + signed retry) then release, sequentially.
  const N = 20;
  const serverCfg = { address: '127.0.0.1', port: PORT, transport: 'udp' as const, username: 'test', credential: 'secret' };
  let oursMs = Infinity;
  let theirsMs = Infinity;
  for (let r = 0; r < 2; r++) {
    let t = performance.now();
    for (let i = 0; i < N; i++) {
      const c = await allocateTurn({ server: serverCfg, network: nodeNetwork, clock: new RealClock(), localAddress: '127.0.0.1' });
      await c.close();
    }
    oursMs = Math.min(oursMs, (performance.now() - t) / N);
    if (process.env.ONLY === 'ours') continue;
    t = performance.now();
    for (let i = 0; i < N; i++) {
      const c = await createTurnClient({ address: ['127.0.0.1', PORT], username: 'test', password: 'secret' }, { transport: 'udp' });
      await c.close();
    }
    theirsMs = Math.min(theirsMs, (performance.now() - t) / N);
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
  const ours = median(oursRates);
  const theirs = median(theirRates);
  const fmt = (n: number) => `${Math.round(n).toLocaleString('en-US')} msg/s (${((n * SIZE * 8) / 1e6).toFixed(1)} Mbit/s)`;
  console.log(`TURN relay echo via coturn, UDP, ${SIZE}-byte messages, window ${WINDOW}, median of ${ROUNDS} alternating rounds × ${DURATION_MS} ms`);
  console.log(`  (all rounds, msg/s: rivulet ${oursRates.map((x) => Math.round(x)).join(' ')} | werift ${theirRates.map((x) => Math.round(x)).join(' ')})`);
  console.log(`  rivulet allocateTurn : ${fmt(ours)}`);
  console.log(`  werift createTurnClient: ${fmt(theirs)}`);
  console.log(`  ratio rivulet/werift : ${(ours / theirs).toFixed(2)}×`);
  console.log(`Allocate + release on coturn, mean of ${N} sequential, best of 2 rounds (lower is better)`);
  console.log(`  rivulet allocateTurn : ${oursMs.toFixed(2)} ms`);
  console.log(`  werift createTurnClient: ${theirsMs.toFixed(2)} ms`);
  console.log(`  ratio werift/rivulet (speed-up) : ${(theirsMs / oursMs).toFixed(2)}×`);
} finally {
  coturn.kill('SIGTERM');
  setTimeout(() => coturn.kill('SIGKILL'), 2000).unref();
  rmSync(dir, { recursive: true, force: true });
}
process.exit(0);

/**
 * ICE connect time on 127.0.0.1: two agents (nodeNetwork, RealClock), from the
 * moment checks may start (parameters and host candidates already exchanged)
 * until both sides have a nominated/selected pair. Ours (@rivulet/ice IceAgent)
 * beside werift's ICE `Connection` (same machine, same run, interleaved).
 * Run: node --conditions=rivulet-source --import tsx bench/ice-connect.ts
 * The machine is shared by several developers: figures are noisy.
 */
import { performance } from 'node:perf_hooks';
import { Candidate, Connection } from 'werift';
import { RealClock, nodeNetwork } from '@rivulet/common';
import { IceAgent } from '@rivulet/ice';

const RUNS = Number(process.env.RUNS ?? 100);
const only = (a: { address: string }) => a.address === '127.0.0.1';

async function ours(): Promise<number> {
  const clock = new RealClock();
  const a = new IceAgent({ controlling: true, clock, network: nodeNetwork, interfaceFilter: only });
  const b = new IceAgent({ controlling: false, clock, network: nodeNetwork, interfaceFilter: only });
  await Promise.all([a.gather(), b.gather()]);
  a.setRemoteParameters(b.localParameters);
  b.setRemoteParameters(a.localParameters);
  for (const c of b.localCandidateList) a.addRemoteCandidate(c);
  for (const c of a.localCandidateList) b.addRemoteCandidate(c);
  a.addRemoteCandidate(null);
  b.addRemoteCandidate(null);
  const up = (x: IceAgent) => x.state === 'connected' || x.state === 'completed';
  const done = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('ours: no connection within 10 s')), 10_000);
    const check = () => {
      if (up(a) && up(b)) {
        clearTimeout(timer);
        resolve();
      }
    };
    a.on('statechange', check);
    b.on('statechange', check);
  });
  const t0 = performance.now();
  a.start();
  b.start();
  await done;
  const ms = performance.now() - t0;
  a.close();
  b.close();
  return ms;
}

async function werift(): Promise<number> {
  const opts = { interfaceAddresses: { udp4: '127.0.0.1' }, useIpv6: false, useIpv4: true };
  const a = new Connection(true, opts);
  const b = new Connection(false, opts);
  await Promise.all([a.gatherCandidates(), b.gatherCandidates()]);
  a.setRemoteParams({ iceLite: false, usernameFragment: b.localUsername, password: b.localPassword });
  b.setRemoteParams({ iceLite: false, usernameFragment: a.localUsername, password: a.localPassword });
  // werift binds 127.0.0.1 (interfaceAddresses) but writes the eth0 address into its candidates;
  // point them at 127.0.0.1 so both stacks run over loopback.
  const loop = (c: Candidate) => Candidate.fromSdp(c.toSdp().replace(/ (\d+\.\d+\.\d+\.\d+) (\d+) typ/, ' 127.0.0.1 $2 typ'));
  for (const c of b.localCandidates) await a.addRemoteCandidate(loop(c));
  for (const c of a.localCandidates) await b.addRemoteCandidate(loop(c));
  await a.addRemoteCandidate(undefined);
  await b.addRemoteCandidate(undefined);
  const t0 = performance.now();
  await Promise.race([
    Promise.all([a.connect(), b.connect()]),
    new Promise((_, reject) => setTimeout(() => reject(new Error('werift: no connection within 10 s')), 10_000).unref()),
  ]);
  const ms = performance.now() - t0;
  await Promise.all([a.close(), b.close()]);
  return ms;
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((x, y) => x - y);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

const oursMs: number[] = [];
const weriftMs: number[] = [];
// Warm-up (JIT, module init) is not measured.
await ours();
await werift();
for (let i = 0; i < RUNS; i++) {
  oursMs.push(await ours());
  weriftMs.push(await werift());
}
const row = (name: string, xs: number[]) => `${name.padEnd(22)} p50 ${pct(xs, 50).toFixed(2).padStart(7)} ms   p95 ${pct(xs, 95).toFixed(2).padStart(7)} ms`;
console.log(`ICE connect on 127.0.0.1, host candidates only, ${RUNS} runs each (interleaved)`);
console.log(row('rivulet IceAgent', oursMs));
console.log(row('werift Connection', weriftMs));
console.log(`ratio (werift / rivulet): p50 ${(pct(weriftMs, 50) / pct(oursMs, 50)).toFixed(2)}×   p95 ${(pct(weriftMs, 95) / pct(oursMs, 95)).toFixed(2)}×`);
process.exit(0);

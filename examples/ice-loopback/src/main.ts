/**
 * Two ICE agents (RFC 8445) in one process connect over 127.0.0.1: gather
 * host candidates, trade parameters and candidates (trickle), run checks,
 * nominate, then measure the pair's round-trip time with a few echoed
 * datagrams. Prints the selected pair and the RTT, exits 0 (1 on failure).
 * Run: npm start (from the repository root) or
 *      node --conditions=rivulet-source --import tsx examples/ice-loopback/src/main.ts
 */
import { performance } from 'node:perf_hooks';
import { RealClock, nodeNetwork } from '@rivulet/common';
import { IceAgent } from '@rivulet/ice';

const TIMEOUT_MS = 10_000;
const PINGS = 10;

const clock = new RealClock();
const loopback = (a: { address: string }) => a.address === '127.0.0.1';
const offerer = new IceAgent({ controlling: true, clock, network: nodeNetwork, interfaceFilter: loopback });
const answerer = new IceAgent({ controlling: false, clock, network: nodeNetwork, interfaceFilter: loopback });

function fail(message: string): never {
  console.error(`ice-loopback: ${message}`);
  offerer.close();
  answerer.close();
  process.exit(1);
}

const guard = setTimeout(() => fail(`no connection within ${TIMEOUT_MS} ms`), TIMEOUT_MS);

// Signalling is direct here; a real application carries these in SDP (RFC 8839).
offerer.setRemoteParameters(answerer.localParameters);
answerer.setRemoteParameters(offerer.localParameters);
for (const [from, to] of [
  [offerer, answerer],
  [answerer, offerer],
] as const) {
  from.on('candidate', (c) => {
    console.log(`${from === offerer ? 'offerer ' : 'answerer'} candidate ${c.toSdp()}`);
    to.addRemoteCandidate(c);
  });
  from.on('gatheringstatechange', (s) => {
    if (s === 'complete') to.addRemoteCandidate(null);
  });
  from.on('statechange', (s) => {
    console.log(`${from === offerer ? 'offerer ' : 'answerer'} state ${s}`);
    if (s === 'failed') fail('ICE failed');
  });
}
// The answerer echoes every datagram back.
answerer.on('data', (d) => answerer.send(d));

const up = (a: IceAgent) => a.state === 'connected' || a.state === 'completed';
const connected = new Promise<void>((resolve) => {
  const check = () => up(offerer) && up(answerer) && resolve();
  offerer.on('statechange', check);
  answerer.on('statechange', check);
});

const t0 = performance.now();
offerer.start();
answerer.start();
await Promise.all([offerer.gather(), answerer.gather()]);
await connected;
const connectMs = performance.now() - t0;

const pair = offerer.selectedPair!;
const rtts: number[] = [];
for (let i = 0; i < PINGS; i++) {
  const sent = performance.now();
  const echoed = new Promise<void>((resolve) => offerer.once('data', () => resolve()));
  // 0x80: an RTP-looking first byte, so the datagram is not mistaken for STUN (RFC 7983).
  offerer.send(Buffer.from([0x80, i]));
  await echoed;
  rtts.push(performance.now() - sent);
}
rtts.sort((a, b) => a - b);
clearTimeout(guard);

console.log(`selected pair: ${pair.toString()}`);
console.log(`  local  ${pair.local.candidate.toSdp()}`);
console.log(`  remote ${pair.remote.toSdp()}`);
console.log(`connected in ${connectMs.toFixed(1)} ms (gathering included)`);
console.log(`STUN check RTT ${pair.rttMs?.toFixed(2)} ms; datagram echo RTT median ${rtts[rtts.length >> 1]!.toFixed(3)} ms over ${PINGS}`);
offerer.close();
answerer.close();
process.exit(0);

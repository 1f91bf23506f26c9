/**
 * Where the milliseconds of one RTCPeerConnection set-up go: new RTCPeerConnection ×2 → data
 * channel open on both sides, both peers in one process on 127.0.0.1, non-trickle (each
 * description handed over once gathering is complete, as bench/pc-connect.ts does), but waiting on
 * events instead of polling so the marks are exact.
 *
 * Marks come from the W3C events plus a wrapper around the real UDP network that timestamps the
 * first datagram of each kind each peer sends: STUN Binding request / request with USE-CANDIDATE
 * (nomination, RFC 8445 §8.1.1) / success response, DTLS ClientHello, HelloVerifyRequest,
 * ServerHello flight, ChangeCipherSpec (RFC 6347 §4.2.4) and the first application_data records
 * (SCTP INIT, INIT-ACK, COOKIE-ECHO… inside DTLS, RFC 8261; numbered since they are encrypted).
 * Prints the median time of each mark since the constructors, and the step between marks. For
 * scale, each of our runs is followed by one node-datachannel (libdatachannel, native) connect
 * through the same adapter bench/pc-connect.ts uses (it polls every 1 ms, so it is ~0.5 ms
 * pessimistic for the peer), and the totals are printed side by side with the ratio.
 *
 *   node --conditions=rivulet-source --import tsx bench/connect-phases.ts [runs=50] [--no-peer] [--native] [--warmup=5]
 *
 * Shared 2-core machine: noisy; the load average is printed beside the figures.
 */
import { nodeNetwork, type DatagramSocket, type Network } from '@rivulet/common';
import { RTCPeerConnection, type RTCDataChannel } from '@rivulet/webrtc';
import { connectLocal, makePeer } from './support/stacks.js';
import { loadAverage, percentile } from './support/transfer.js';

const RUNS = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 50);

let marks: Map<string, number> = new Map();
let t0 = 0;
const mark = (k: string): void => {
  if (!marks.has(k)) marks.set(k, performance.now() - t0);
};

/**
 * One node-datachannel connect, new RTCPeerConnection ×2 → both open, through its W3C polyfill (the
 * same steps as ours), or with `--native` through its own API bound to 127.0.0.1. Either way some
 * runs take ~1 s here (libjuice; not ours to investigate), which shows in its p95, not its p50.
 */
const PEER_STACK = process.argv.includes('--native') ? 'node-datachannel' : 'node-datachannel-polyfill';
async function peerRun(): Promise<number> {
  const t = performance.now();
  const a = await makePeer(PEER_STACK);
  const b = await makePeer(PEER_STACK);
  try {
    await connectLocal(a, b);
    return performance.now() - t;
  } finally {
    a.close();
    b.close();
  }
}

/** Names a datagram by RFC 7983 §7 first byte, then by its STUN / DTLS header. */
function classify(d: Uint8Array): string | undefined {
  const b = d[0]!;
  if (b <= 3 && d.length >= 20) {
    const type = (d[0]! << 8) | d[1]!;
    if (type === 0x0101) return 'STUN success response';
    if (type !== 0x0001) return undefined;
    // Walk the attributes for USE-CANDIDATE (0x0025), RFC 8445 §7.1.2.
    for (let off = 20; off + 4 <= d.length;) {
      const at = (d[off]! << 8) | d[off + 1]!;
      const len = (d[off + 2]! << 8) | d[off + 3]!;
      if (at === 0x0025) return 'STUN request USE-CANDIDATE';
      off += 4 + Math.ceil(len / 4) * 4;
    }
    return 'STUN request';
  }
  if (b >= 20 && b <= 63 && d.length >= 13) {
    const epoch = (d[3]! << 8) | d[4]!;
    if (b === 20) return 'DTLS ChangeCipherSpec';
    if (b === 22 && epoch === 0 && d.length >= 14) {
      const names: Record<number, string> = { 1: 'ClientHello', 2: 'ServerHello', 3: 'HelloVerifyRequest', 11: 'Certificate', 16: 'ClientKeyExchange' };
      return `DTLS ${names[d[13]!] ?? `handshake ${d[13]}`}`;
    }
    if (b === 22) return 'DTLS Finished (epoch 1)';
    if (b === 23) return 'DTLS app data';
  }
  return undefined;
}

function tracingNetwork(side: string): Network {
  return {
    interfaces: () => nodeNetwork.interfaces(),
    connectTcp: (o) => nodeNetwork.connectTcp(o),
    async bindUdp(o): Promise<DatagramSocket> {
      mark(`${side} bindUdp called`);
      const s = await nodeNetwork.bindUdp(o);
      mark(`${side} bindUdp done`);
      let appData = 0;
      return {
        get localAddress() { return s.localAddress; },
        get closed() { return s.closed; },
        onMessage: (h) => s.onMessage(h),
        close: () => s.close(),
        send(data, port, address) {
          let k = classify(data);
          if (k === 'DTLS app data') k = `DTLS app data #${++appData}`;
          if (k) mark(`${side} sends ${k}`);
          s.send(data, port, address);
        },
      };
    },
  };
}

const once = <T>(fn: (resolve: (v: T) => void) => void): Promise<T> => new Promise(fn);

async function run(): Promise<void> {
  marks = new Map();
  t0 = performance.now();
  const a = new RTCPeerConnection({ rivulet: { interfaceAddresses: ['127.0.0.1'], network: tracingNetwork('A') } });
  const b = new RTCPeerConnection({ rivulet: { interfaceAddresses: ['127.0.0.1'], network: tracingNetwork('B') } });
  mark('constructed both');
  try {
    for (const [n, pc] of [['A', a], ['B', b]] as const) {
      pc.addEventListener('iceconnectionstatechange', () => mark(`${n} ice ${pc.iceConnectionState}`));
      pc.addEventListener('connectionstatechange', () => mark(`${n} pc ${pc.connectionState}`));
      pc.addEventListener('icegatheringstatechange', () => mark(`${n} gathering ${pc.iceGatheringState}`));
    }
    const gathered = (pc: RTCPeerConnection): Promise<void> =>
      pc.iceGatheringState === 'complete' ? Promise.resolve() : once((r) => pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && r()));
    const opened = (ch: RTCDataChannel, n: string): Promise<void> =>
      ch.readyState === 'open' ? Promise.resolve() : once((r) => ch.addEventListener('open', () => { mark(`${n} channel open`); r(); }));
    const remote = once<RTCDataChannel>((r) => { b.ondatachannel = (e) => { mark('B datachannel event'); r(e.channel); }; });
    const dc = a.createDataChannel('bench');
    const aOpen = opened(dc, 'A');
    const offer = await a.createOffer();
    mark('A createOffer');
    await a.setLocalDescription(offer);
    mark('A setLocalDescription');
    await gathered(a);
    await b.setRemoteDescription(a.localDescription!);
    mark('B setRemoteDescription');
    const answer = await b.createAnswer();
    mark('B createAnswer');
    await b.setLocalDescription(answer);
    mark('B setLocalDescription');
    await gathered(b);
    await a.setRemoteDescription(b.localDescription!);
    mark('A setRemoteDescription');
    await Promise.all([aOpen, remote.then((ch) => opened(ch, 'B'))]);
    mark('both open');
  } finally {
    a.close();
    b.close();
  }
}

const loadBefore = loadAverage();
// Untimed warm-up runs for both stacks (--warmup=N, default 5): module loading and tsx's transform
// happen at import, and the first runs also pay V8's baseline compilation of every function on the
// path (interpreted, then optimised); the figures are for a process that has connected before.
const WARMUP = Number(process.argv.find((a) => a.startsWith('--warmup='))?.slice(9) ?? 5);
for (let i = 0; i < Math.max(1, WARMUP); i++) await run();
const all = new Map<string, number[]>();
const totals: number[] = [];
const cpu: number[] = [];
const peer: number[] = [];
let peerFailures = 0;
const withPeer = !process.argv.includes('--no-peer');
if (withPeer) for (let i = 0; i < Math.max(1, WARMUP); i++) await peerRun().catch(() => 0);
const deadline = Date.now() + 3 * 60_000;
for (let i = 0; i < RUNS && Date.now() < deadline; i++) {
  const c0 = process.cpuUsage();
  await run();
  const c = process.cpuUsage(c0);
  cpu.push((c.user + c.system) / 1000);
  for (const [k, v] of marks) all.set(k, [...(all.get(k) ?? []), v]);
  totals.push(marks.get('both open')!);
  await new Promise((r) => setTimeout(r, 5));
  if (withPeer) {
    try {
      peer.push(await peerRun());
    } catch {
      peerFailures++;
    }
    await new Promise((r) => setTimeout(r, 5));
  }
}
console.log(`connect phases, ${totals.length} runs, ${new Date().toISOString()}, load average before ${loadBefore}, after ${loadAverage()} (shared 2-core machine: noisy)`);
const rows = [...all.entries()].map(([k, xs]) => [k, percentile(xs, 50), xs.length] as const).sort((p, q) => p[1] - q[1]);
let prev = 0;
for (const [k, med, n] of rows) {
  console.log(`${k.padEnd(38)} ${med.toFixed(2).padStart(7)} ms  (+${(med - prev).toFixed(2)})${n < totals.length ? `  [${n} runs]` : ''}`);
  prev = med;
}
console.log(`total: p50 ${percentile(totals, 50).toFixed(1)} ms, p95 ${percentile(totals, 95).toFixed(1)} ms; CPU (user+sys, this process) per connect: p50 ${percentile(cpu, 50).toFixed(1)} ms`);
if (peer.length > 0) {
  const ratio = percentile(peer, 50) / percentile(totals, 50);
  console.log(`${PEER_STACK}, same run, interleaved: p50 ${percentile(peer, 50).toFixed(1)} ms, p95 ${percentile(peer, 95).toFixed(1)} ms (${peer.length} runs${peerFailures ? `, ${peerFailures} failed` : ''}); p50 ${PEER_STACK}/rivulet ${ratio.toFixed(2)}x`);
}
process.exit(0);

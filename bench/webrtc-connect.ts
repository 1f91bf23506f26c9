/**
 * Two peer connections in one process on 127.0.0.1: time from createOffer until a data
 * channel is open on both sides (offer/answer, ICE, DTLS, SCTP, DCEP), then the time to
 * echo 200 messages of 1 KiB. Ours (RTCPeerConnection from @rivulet/webrtc over the
 * @rivulet stack) beside werift's RTCPeerConnection, runs interleaved, medians reported.
 * Run: node --conditions=rivulet-source --import tsx bench/webrtc-connect.ts [runs]
 */
import { performance } from 'node:perf_hooks';
import { RTCPeerConnection as WeriftPeerConnection } from 'werift';
import { RTCPeerConnection } from '@rivulet/webrtc';

const RUNS = Number(process.argv[2] ?? 7);
const MESSAGES = 200;

interface Channel { readyState: string; send(d: string): void; onmessage: ((e: { data: unknown }) => void) | null }
interface Peer {
  createDataChannel(label: string): unknown;
  setLocalDescription(d?: unknown): Promise<unknown>;
  setRemoteDescription(d: unknown): Promise<unknown>;
  localDescription: unknown;
  iceGatheringState: string;
  close(): unknown;
}

async function until(cond: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 1));
  }
}

/** Non-trickle exchange so both stacks do the same work: wait for gathering, then swap full descriptions. */
async function runOnce(make: () => Peer, onRemote: (pc: Peer, cb: (c: Channel) => void) => void, createOffer: (pc: Peer) => Promise<unknown>, createAnswer: (pc: Peer) => Promise<unknown>): Promise<{ connectMs: number; echoMs: number }> {
  const a = make();
  const b = make();
  let remote: Channel | undefined;
  onRemote(b, (c) => { remote = c; });
  const t0 = performance.now();
  const dc = a.createDataChannel('bench') as Channel;
  await a.setLocalDescription(await createOffer(a));
  await until(() => a.iceGatheringState === 'complete', 5000);
  await b.setRemoteDescription(a.localDescription);
  await b.setLocalDescription(await createAnswer(b));
  await until(() => b.iceGatheringState === 'complete', 5000);
  await a.setRemoteDescription(b.localDescription);
  await until(() => dc.readyState === 'open' && remote?.readyState === 'open', 15000);
  const connectMs = performance.now() - t0;
  let echoed = 0;
  remote!.onmessage = (e) => remote!.send(String(e.data));
  dc.onmessage = () => { echoed++; };
  const payload = 'x'.repeat(1024);
  const t1 = performance.now();
  for (let i = 0; i < MESSAGES; i++) dc.send(payload);
  await until(() => echoed === MESSAGES, 15000);
  const echoMs = performance.now() - t1;
  a.close();
  b.close();
  return { connectMs, echoMs };
}

const median = (xs: number[]) => [...xs].sort((p, q) => p - q)[Math.floor(xs.length / 2)]!;

const ours = { connect: [] as number[], echo: [] as number[] };
const theirs = { connect: [] as number[], echo: [] as number[] };
for (let i = 0; i < RUNS; i++) {
  const r = await runOnce(
    () => new RTCPeerConnection({ rivulet: { interfaceAddresses: ['127.0.0.1'] } }) as unknown as Peer,
    (pc, cb) => { (pc as unknown as RTCPeerConnection).ondatachannel = (e) => cb(e.channel as unknown as Channel); },
    async (pc) => (pc as unknown as RTCPeerConnection).createOffer(),
    async (pc) => (pc as unknown as RTCPeerConnection).createAnswer(),
  );
  ours.connect.push(r.connectMs);
  ours.echo.push(r.echoMs);
  const w = await runOnce(
    () => new WeriftPeerConnection({ iceAdditionalHostAddresses: ['127.0.0.1'], iceUseIpv6: false }) as unknown as Peer,
    (pc, cb) => { (pc as unknown as WeriftPeerConnection).onDataChannel.subscribe((c) => cb(c as unknown as Channel)); },
    async (pc) => (pc as unknown as WeriftPeerConnection).createOffer(),
    async (pc) => (pc as unknown as WeriftPeerConnection).createAnswer(),
  );
  theirs.connect.push(w.connectMs);
  theirs.echo.push(w.echoMs);
}
console.log(`two peers on 127.0.0.1, ${RUNS} interleaved runs, medians (shared 2-core machine: noisy)`);
const row = (what: string, o: number, t: number) =>
  console.log(`${what.padEnd(34)} rivulet ${o.toFixed(1).padStart(7)} ms   werift ${t.toFixed(1).padStart(7)} ms   ratio (werift/rivulet) ${(t / o).toFixed(2)}x`);
row('offer → data channel open', median(ours.connect), median(theirs.connect));
row(`echo ${MESSAGES} x 1 KiB messages`, median(ours.echo), median(theirs.echo));
process.exit(0);

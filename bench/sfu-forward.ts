/**
 * CPU cost of SFU forwarding: one publisher's video RTP (~1.5 Mbit/s: 170 packets/s of 1,100
 * bytes) forwarded by an SFU process to N subscribers (N = 1, 10, 50). The SFU is the parent
 * process; the publisher and the N subscribers live in a child process (same stack as the SFU),
 * so process.cpuUsage() of the parent is the SFU's cost alone: receive + SRTP unprotect,
 * interceptors, N × (rewrite + SRTP protect + send), RTCP both ways. Reported per forwarded
 * packet, with the loss seen by the subscribers.
 *   ours:   @rivulet/webrtc, the W3C way: pc.addTransceiver(remoteTrack, { direction: 'sendonly' })
 *   theirs: werift, the same: pc.addTransceiver(remoteTrack, { direction: 'sendonly' })
 * Run: scripts/loopback-only.sh node --conditions=rivulet-source --import tsx bench/sfu-forward.ts [N,N,...] [seconds] [pps]
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { MediaStreamTrack as WeriftTrack, RTCPeerConnection as WeriftPeerConnection } from 'werift';
import { MediaStreamTrackSource, RTCPeerConnection, readTrack } from '@rivulet/webrtc';

type Impl = 'rivulet' | 'werift';
interface Desc { type: 'offer' | 'answer'; sdp: string }
type ToChild = { t: 'pubOffer' } | { t: 'pubAnswer'; d: Desc } | { t: 'subOffer'; i: number; d: Desc } | { t: 'send'; pps: number; ms: number } | { t: 'count' };
type ToParent = { t: 'pubOffer'; d: Desc } | { t: 'subAnswer'; i: number; d: Desc } | { t: 'sent'; sent: number; cpuPercent: number } | { t: 'count'; received: number[] };

const PAYLOAD = 1100;
const WERIFT_OPTIONS = { iceAdditionalHostAddresses: ['127.0.0.1'], iceUseIpv6: false, iceInterfaceAddresses: { udp4: '127.0.0.1' } };

async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

// ---- the two stacks behind one small shape -------------------------------------------------

interface Stack {
  /** Answerer: takes an offer, returns the complete answer (gathered). */
  answer(pc: unknown, offer: Desc): Promise<Desc>;
  offer(pc: unknown): Promise<Desc>;
  accept(pc: unknown, answer: Desc): Promise<void>;
  newPc(): unknown;
  close(pc: unknown): void;
}

const rivulet: Stack = {
  newPc: () => new RTCPeerConnection({ rivulet: { interfaceAddresses: ['127.0.0.1'] } }),
  async answer(p, offer) {
    const pc = p as RTCPeerConnection;
    await pc.setRemoteDescription(offer);
    await pc.setLocalDescription();
    await until(() => pc.iceGatheringState === 'complete', 5000, 'gathering');
    return pc.localDescription!.toJSON() as Desc;
  },
  async offer(p) {
    const pc = p as RTCPeerConnection;
    await pc.setLocalDescription();
    await until(() => pc.iceGatheringState === 'complete', 5000, 'gathering');
    return pc.localDescription!.toJSON() as Desc;
  },
  async accept(p, answer) { await (p as RTCPeerConnection).setRemoteDescription(answer); },
  close: (p) => (p as RTCPeerConnection).close(),
};

const werift: Stack = {
  newPc: () => new WeriftPeerConnection(WERIFT_OPTIONS),
  async answer(p, offer) {
    const pc = p as WeriftPeerConnection;
    await pc.setRemoteDescription(offer);
    await pc.setLocalDescription(await pc.createAnswer());
    await until(() => pc.iceGatheringState === 'complete', 5000, 'gathering');
    return { type: 'answer', sdp: pc.localDescription!.sdp };
  },
  async offer(p) {
    const pc = p as WeriftPeerConnection;
    await pc.setLocalDescription(await pc.createOffer());
    await until(() => pc.iceGatheringState === 'complete', 5000, 'gathering');
    return { type: 'offer', sdp: pc.localDescription!.sdp };
  },
  async accept(p, answer) { await (p as WeriftPeerConnection).setRemoteDescription(answer); },
  close: (p) => { void (p as WeriftPeerConnection).close(); },
};

// ---- child: the publisher and the subscribers -----------------------------------------------

async function endpoints(impl: Impl): Promise<void> {
  const stack = impl === 'rivulet' ? rivulet : werift;
  const send = (m: ToParent) => process.send!(m);
  const pub = stack.newPc();
  let write: (packet: Buffer) => void;
  if (impl === 'rivulet') {
    const src = new MediaStreamTrackSource({ kind: 'video', mimeType: 'video/VP8' });
    (pub as RTCPeerConnection).addTransceiver(src.createTrack(), { direction: 'sendonly' });
    write = (p) => src.writeRtp(p);
  } else {
    const track = new WeriftTrack({ kind: 'video' });
    (pub as WeriftPeerConnection).addTransceiver(track, { direction: 'sendonly' });
    write = (p) => track.writeRtp(p);
  }
  const subs: unknown[] = [];
  const received: number[] = [];
  let seq = 0;
  let ts = 0;
  const packet = Buffer.alloc(12 + PAYLOAD, 0xab);
  packet[0] = 0x80;
  packet[1] = 96;
  packet.writeUInt32BE(0x1234_5678, 8);
  packet[12] = 0x10; // VP8 payload descriptor: S=1, PID 0 (RFC 7741 §4.2)
  process.on('message', (raw) => {
    const m = raw as ToChild;
    void (async () => {
      if (m.t === 'pubOffer') send({ t: 'pubOffer', d: await stack.offer(pub) });
      else if (m.t === 'pubAnswer') await stack.accept(pub, m.d);
      else if (m.t === 'subOffer') {
        const pc = stack.newPc();
        subs[m.i] = pc;
        received[m.i] = 0;
        if (impl === 'rivulet') {
          (pc as RTCPeerConnection).ontrack = (e) => { readTrack(e.track, { rtp: () => { received[m.i]!++; } }); };
        } else {
          (pc as WeriftPeerConnection).onTrack.subscribe((t) => { t.onReceiveRtp.subscribe(() => { received[m.i]!++; }); });
        }
        send({ t: 'subAnswer', i: m.i, d: await stack.answer(pc, m.d) });
      } else if (m.t === 'send') {
        // Paced in 5 ms slots: the number due by now, never a catch-up burst larger than one slot's worth + 1.
        const start = performance.now();
        const cpu0 = process.cpuUsage();
        let sent = 0;
        await new Promise<void>((resolve) => {
          const timer = setInterval(() => {
            const elapsed = performance.now() - start;
            const due = Math.min(Math.floor((elapsed * m.pps) / 1000), Math.round((m.ms * m.pps) / 1000));
            while (sent < due) {
              seq = (seq + 1) & 0xffff;
              if (sent % 6 === 0) ts = (ts + 3000) >>> 0; // ~6 packets a frame at 30 fps
              packet.writeUInt16BE(seq, 2);
              packet.writeUInt32BE(ts, 4);
              packet[1] = sent % 6 === 5 ? 0x80 | 96 : 96;
              write(Buffer.from(packet));
              sent++;
            }
            if (elapsed >= m.ms) { clearInterval(timer); resolve(); }
          }, 5);
        });
        const cpu = process.cpuUsage(cpu0);
        send({ t: 'sent', sent, cpuPercent: ((cpu.user + cpu.system) / 1000 / (performance.now() - start)) * 100 });
      } else if (m.t === 'count') send({ t: 'count', received: [...received] });
    })().catch((err: unknown) => { console.error('endpoint error', err); process.exit(1); });
  });
}

// ---- parent: the SFU ----------------------------------------------------------------------

interface Window { pps: number; sent: number; received: number; cpuUsPerPacket: number; marginalUsPerPacket: number; cpuPercent: number; endpointsCpu: number }
interface Result { n: number; setupMs: number; idlePercent: number; windows: Window[]; failure?: string }

function rpc(child: ChildProcess, m: ToChild, wait: ToParent['t'], ms = 30_000): Promise<ToParent> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => { child.off('message', on); reject(new Error(`no ${wait} from the endpoints within ${ms} ms`)); }, ms);
    const on = (raw: unknown) => {
      const r = raw as ToParent;
      if (r.t !== wait || (m.t === 'subOffer' && r.t === 'subAnswer' && r.i !== m.i)) return;
      clearTimeout(t);
      child.off('message', on);
      resolve(r);
    };
    child.on('message', on);
    child.send(m);
  });
}

async function sfu(impl: Impl, n: number, seconds: number, pps: number, rates: number[]): Promise<Result> {
  const stack = impl === 'rivulet' ? rivulet : werift;
  const child = fork(fileURLToPath(import.meta.url), ['endpoints', impl], {
    execArgv: ['--conditions=rivulet-source', '--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const pcs: unknown[] = [];
  try {
    const t0 = performance.now();
    const up = stack.newPc();
    pcs.push(up);
    let remote: unknown;
    if (impl === 'rivulet') (up as RTCPeerConnection).ontrack = (e) => { remote = e.track; };
    else (up as WeriftPeerConnection).onTrack.subscribe((t) => { remote = t; });
    const offer = (await rpc(child, { t: 'pubOffer' }, 'pubOffer')) as { d: Desc };
    child.send({ t: 'pubAnswer', d: await stack.answer(up, offer.d) } satisfies ToChild);
    await until(() => remote !== undefined, 5000, 'the publisher\'s track');
    let upstream = 0;
    if (impl === 'rivulet') readTrack(remote as never, { rtp: () => { upstream++; } });
    else (remote as WeriftTrack).onReceiveRtp.subscribe(() => { upstream++; });
    // Subscribers in batches of 10 (setup is not what we measure).
    for (let base = 0; base < n; base += 10) {
      await Promise.all(Array.from({ length: Math.min(10, n - base) }, async (_, k) => {
        const i = base + k;
        const pc = stack.newPc();
        pcs.push(pc);
        if (impl === 'rivulet') (pc as RTCPeerConnection).addTransceiver(remote as never, { direction: 'sendonly' });
        else (pc as WeriftPeerConnection).addTransceiver(remote as WeriftTrack, { direction: 'sendonly' });
        const answer = (await rpc(child, { t: 'subOffer', i, d: await stack.offer(pc) }, 'subAnswer')) as { d: Desc };
        await stack.accept(pc, answer.d);
      }));
    }
    // Warm-up until every subscriber gets packets (ICE + DTLS done everywhere).
    const warmEnd = Date.now() + 30_000;
    for (;;) {
      await rpc(child, { t: 'send', pps, ms: 500 }, 'sent');
      const c = (await rpc(child, { t: 'count' }, 'count')) as { received: number[] };
      if (c.received.length === n && c.received.every((x) => x > 0)) break;
      if (Date.now() > warmEnd) {
        return { n, setupMs: performance.now() - t0, idlePercent: 0, windows: [], failure: `only ${c.received.filter((x) => x > 0).length}/${n} subscribers received anything within 30 s` };
      }
    }
    const setupMs = performance.now() - t0;
    await new Promise((r) => setTimeout(r, 300));
    // Idle baseline: the same connections, nothing sent (timers, RTCP, ICE consent, GC).
    const idle0 = process.cpuUsage();
    const i0 = performance.now();
    await new Promise((r) => setTimeout(r, Math.min(seconds, 3) * 1000));
    const idleUsPerMs = ((c) => (c.user + c.system) / (performance.now() - i0))(process.cpuUsage(idle0));
    const windows: Window[] = [];
    for (const rate of rates) {
      const before = ((await rpc(child, { t: 'count' }, 'count')) as { received: number[] }).received.reduce((a, b) => a + b, 0);
      const up0 = upstream;
      const cpu0 = process.cpuUsage();
      const w0 = performance.now();
      const { sent, cpuPercent: endpointsCpu } = (await rpc(child, { t: 'send', pps: rate, ms: seconds * 1000 }, 'sent', seconds * 1000 + 30_000)) as { sent: number; cpuPercent: number };
      await new Promise((r) => setTimeout(r, 300)); // stragglers
      const cpu = process.cpuUsage(cpu0);
      const wall = performance.now() - w0;
      const after = ((await rpc(child, { t: 'count' }, 'count')) as { received: number[] }).received.reduce((a, b) => a + b, 0);
      const received = after - before;
      const cpuUs = cpu.user + cpu.system;
      if (process.env['SFU_BENCH_DEBUG']) {
        let out = 'n/a';
        if (impl === 'rivulet') {
          let total = 0;
          for (const pc of pcs.slice(1)) (await (pc as RTCPeerConnection).getStats()).forEach((st) => { if (st.type === 'outbound-rtp') total += Number(st['packetsSent']); });
          out = String(total);
        }
        console.log(`  [${impl} N=${n} ${rate} pkt/s] sent ${sent}, SFU received ${upstream - up0}, SFU sent (outbound-rtp total, all windows) ${out}, subscribers ${received}`);
      }
      windows.push({
        pps: rate, sent, received, cpuUsPerPacket: cpuUs / (sent * n), cpuPercent: (cpuUs / 1000 / wall) * 100,
        marginalUsPerPacket: Math.max(0, cpuUs - idleUsPerMs * wall) / (sent * n), endpointsCpu,
      });
      if (received < sent * n * 0.99) break; // past what this SFU sustains
    }
    return { n, setupMs, idlePercent: idleUsPerMs / 10, windows };
  } finally {
    for (const pc of pcs) stack.close(pc);
    child.kill();
  }
}

if (process.argv[2] === 'endpoints') {
  await endpoints(process.argv[3] as Impl);
} else {
  const ns = (process.argv[2] ?? '1,10,50').split(',').map(Number);
  const seconds = Number(process.argv[3] ?? 4);
  const pps = Number(process.argv[4] ?? 170);
  // Higher rates (to find what is sustained without loss) only for the middle N, to bound the run time.
  const ramp = [pps, pps * 4, pps * 16];
  console.log(`SFU forwarding: ${pps} packets/s of ${PAYLOAD} B payload (${((pps * (12 + PAYLOAD) * 8) / 1e6).toFixed(2)} Mbit/s) from one publisher to N subscribers, ${seconds} s windows.`);
  console.log('SFU in this process, endpoints (same stack) in a child process; CPU = this process, user + system.');
  console.log('Loss is counted at the subscribers: when the endpoints process nears 100% CPU, it (not the SFU) is the limit.');
  console.log('µs/pkt = CPU / forwarded packets; marginal = (CPU − idle CPU of the same connections) / forwarded packets. Shared 2-core machine: noisy.');
  const line = (impl: string, r: Result, w: Window) => {
    const loss = 1 - w.received / (w.sent * r.n);
    return `${impl.padEnd(8)} in ${String(w.pps).padStart(5)} pkt/s → out ${String(Math.round((w.received / w.sent) * w.pps)).padStart(6)} pkt/s  ` +
      `${w.cpuUsPerPacket.toFixed(1).padStart(6)} µs/pkt (marginal ${w.marginalUsPerPacket.toFixed(1).padStart(5)})  ${w.cpuPercent.toFixed(0).padStart(3)}% CPU (idle ${r.idlePercent.toFixed(0)}%)  loss ${(loss * 100).toFixed(2)}%  [endpoints ${w.endpointsCpu.toFixed(0)}% CPU]`;
  };
  for (const n of ns) {
    const rates = n === ns[Math.floor(ns.length / 2)] && ns.length > 1 ? ramp : [pps];
    const ours = await sfu('rivulet', n, seconds, pps, rates);
    const theirs = await sfu('werift', n, seconds, pps, rates);
    console.log(`N=${n} (setup: rivulet ${(ours.setupMs / 1000).toFixed(1)} s, werift ${(theirs.setupMs / 1000).toFixed(1)} s)`);
    for (const [impl, r] of [['rivulet', ours], ['werift', theirs]] as const) if (r.failure) console.log(`  ${impl.padEnd(8)} setup failed: ${r.failure}`);
    for (let k = 0; k < Math.max(ours.windows.length, theirs.windows.length); k++) {
      const o = ours.windows[k];
      const t = theirs.windows[k];
      if (o) console.log('  ' + line('rivulet', ours, o));
      if (t) console.log('  ' + line('werift', theirs, t));
      if (o && t) console.log(`  ratio werift/rivulet: CPU per packet ${(t.cpuUsPerPacket / o.cpuUsPerPacket).toFixed(2)}x, marginal ${(t.marginalUsPerPacket / o.marginalUsPerPacket).toFixed(2)}x`);
    }
  }
  process.exit(0);
}

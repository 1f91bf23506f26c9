/**
 * SCTP data-channel throughput, ours beside node-datachannel and werift, in
 * one process, same run:
 *
 *   node --conditions=rivulet-source --import tsx bench/sctp-throughput.ts [--quick] [--only=<name prefix>]
 *
 * - rivulet: two SctpAssociation + DataChannelManager over an in-memory
 *   lossless link (packets handed over in batches on setImmediate). No ICE,
 *   no DTLS: this measures the SCTP and data-channel layers alone.
 * - node-datachannel (libdatachannel, native): a full PeerConnection pair over
 *   loopback UDP, so its figures include ICE, DTLS encryption and the kernel.
 * - werift (pure TypeScript): an RTCPeerConnection pair over loopback, same
 *   caveat; werift is slow, so it gets smaller workloads (rates stay comparable).
 *
 * Each bulk test keeps the sender's bufferedAmount between a low threshold
 * and a high-water mark (back-pressure), like a browser application would.
 * Benchmarks are noisy on a shared machine: compare ratios within one run. Each test also
 * reports the process CPU time (user + system) per MB or per 1 000 messages, which the load
 * disturbs less than wall time (for node-datachannel it includes its native threads).
 */
import { randomBytes } from 'node:crypto';
import { RealClock } from '@rivulet/common';
import { DataChannelManager, SctpAssociation, type SctpDataChannel } from '@rivulet/sctp';

interface Channel {
  send(b: Buffer): void;
  buffered(): number;
  onLow(threshold: number, cb: () => void): void;
  onMessage(cb: (b: Buffer | string) => void): void;
}
interface Peer {
  name: string;
  open(): Promise<{ tx: Channel; rx: Channel; close(): Promise<void> | void }>;
}

const HIGH_WATER = 1024 * 1024;
const LOW = 256 * 1024;

interface Measured {
  rate: number;
  /** Process CPU ms per MB (bulk) or per 1 000 messages (rate). */
  cpu: number;
}

async function bulk(peer: Peer, total: number, size: number, timeoutMs: number): Promise<Measured> {
  const { tx, rx, close } = await peer.open();
  const payload = randomBytes(size);
  let sent = 0;
  let received = 0;
  const start = performance.now();
  const cpu0 = process.cpuUsage();
  const done = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${peer.name}: bulk ${size} timed out at ${received}/${total}`)), timeoutMs);
    rx.onMessage((m) => {
      received += typeof m === 'string' ? Buffer.byteLength(m) : m.length;
      if (received >= total) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  const pump = (): void => {
    while (sent < total && tx.buffered() < HIGH_WATER) {
      tx.send(payload);
      sent += size;
    }
  };
  tx.onLow(LOW, pump);
  pump();
  await done;
  const seconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpu0);
  await close();
  return { rate: total / 1e6 / seconds, cpu: (cpu.user + cpu.system) / 1000 / (total / 1e6) };
}

async function rate(peer: Peer, count: number, timeoutMs: number): Promise<Measured> {
  const { tx, rx, close } = await peer.open();
  const payload = randomBytes(100);
  let sent = 0;
  let received = 0;
  const start = performance.now();
  const cpu0 = process.cpuUsage();
  const done = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${peer.name}: rate timed out at ${received}/${count}`)), timeoutMs);
    rx.onMessage(() => {
      if (++received >= count) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  const pump = (): void => {
    while (sent < count && tx.buffered() < 64 * 1024) {
      tx.send(payload);
      sent++;
    }
  };
  tx.onLow(16 * 1024, pump);
  pump();
  await done;
  const seconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpu0);
  await close();
  return { rate: count / seconds, cpu: (cpu.user + cpu.system) / 1000 / (count / 1000) };
}

// ---- rivulet ----

function wrap(ch: SctpDataChannel): Channel {
  return {
    send: (b) => ch.send(b),
    buffered: () => ch.bufferedAmount,
    onLow: (t, cb) => {
      ch.bufferedAmountLowThreshold = t;
      ch.on('bufferedamountlow', cb);
    },
    onMessage: (cb) => ch.on('message', cb),
  };
}

const rivulet: Peer = {
  name: 'rivulet (SCTP only)',
  async open() {
    const clock = new RealClock({ unref: false });
    // Batch packets per direction and hand them over on the next turn of the event loop.
    const queue = (deliver: (p: Buffer) => void): ((p: Buffer) => void) => {
      let q: Buffer[] = [];
      return (p) => {
        if (q.length === 0) {
          setImmediate(() => {
            const batch = q;
            q = [];
            for (const x of batch) deliver(x);
          });
        }
        q.push(p);
      };
    };
    const a: SctpAssociation = new SctpAssociation({ clock, send: queue((p) => b.handlePacket(p)) });
    const b: SctpAssociation = new SctpAssociation({ clock, send: queue((p) => a.handlePacket(p)) });
    const ma = new DataChannelManager({ association: a, dtlsRole: 'client', maxMessageSize: 262144 });
    const mb = new DataChannelManager({ association: b, dtlsRole: 'server', maxMessageSize: 262144 });
    const remote = new Promise<SctpDataChannel>((resolve) => mb.once('channel', resolve));
    a.start();
    b.start();
    await a.waitFor('established');
    const tx = ma.createChannel({ label: 'bench' });
    if (tx.readyState !== 'open') await tx.waitFor('open');
    const rx = await remote;
    return {
      tx: wrap(tx),
      rx: wrap(rx),
      close: () => {
        a.abort('bench done');
      },
    };
  },
};

// ---- node-datachannel ----

async function nodeDataChannelPeer(): Promise<Peer | undefined> {
  let ndc: typeof import('node-datachannel');
  try {
    ndc = await import('node-datachannel');
  } catch {
    return undefined;
  }
  return {
    name: 'node-datachannel (ICE+DTLS+SCTP, native)',
    async open() {
      const p1 = new ndc.PeerConnection('p1', { iceServers: [], bindAddress: '127.0.0.1', maxMessageSize: 262144 });
      const p2 = new ndc.PeerConnection('p2', { iceServers: [], bindAddress: '127.0.0.1', maxMessageSize: 262144 });
      p1.onLocalDescription((sdp, type) => p2.setRemoteDescription(sdp, type));
      p2.onLocalDescription((sdp, type) => p1.setRemoteDescription(sdp, type));
      p1.onLocalCandidate((c, mid) => p2.addRemoteCandidate(c, mid));
      p2.onLocalCandidate((c, mid) => p1.addRemoteCandidate(c, mid));
      const remote = new Promise<import('node-datachannel').DataChannel>((resolve) => p2.onDataChannel(resolve));
      const dc = p1.createDataChannel('bench');
      await new Promise<void>((resolve) => dc.onOpen(() => resolve()));
      const rx = await remote;
      const w = (c: import('node-datachannel').DataChannel): Channel => ({
        send: (b) => void c.sendMessageBinary(b),
        buffered: () => c.bufferedAmount(),
        onLow: (t, cb) => {
          c.setBufferedAmountLowThreshold(t);
          c.onBufferedAmountLow(cb);
        },
        onMessage: (cb) => c.onMessage((m) => cb(typeof m === 'string' || Buffer.isBuffer(m) ? m : Buffer.from(m))),
      });
      return {
        tx: w(dc),
        rx: w(rx),
        close: () => {
          dc.close();
          p1.close();
          p2.close();
        },
      };
    },
  };
}

// ---- werift ----

async function weriftPeer(): Promise<Peer | undefined> {
  let w: typeof import('werift');
  try {
    w = await import('werift');
  } catch {
    return undefined;
  }
  return {
    name: 'werift (ICE+DTLS+SCTP, TypeScript)',
    async open() {
      const p1 = new w.RTCPeerConnection({});
      const p2 = new w.RTCPeerConnection({});
      const dc = p1.createDataChannel('bench');
      const remote = new Promise<import('werift').RTCDataChannel>((resolve) => p2.onDataChannel.subscribe(resolve));
      await p1.setLocalDescription(await p1.createOffer());
      await p2.setRemoteDescription(p1.localDescription!);
      await p2.setLocalDescription(await p2.createAnswer());
      await p1.setRemoteDescription(p2.localDescription!);
      const rx = await remote;
      if (dc.readyState !== 'open') await new Promise<void>((resolve) => dc.stateChanged.subscribe((s) => s === 'open' && resolve()));
      const wr = (c: import('werift').RTCDataChannel): Channel => ({
        send: (b) => c.send(b),
        buffered: () => c.bufferedAmount,
        onLow: (t, cb) => {
          c.bufferedAmountLowThreshold = t;
          c.bufferedAmountLow.subscribe(cb);
        },
        onMessage: (cb) => c.onMessage.subscribe(cb),
      });
      return {
        tx: wr(dc),
        rx: wr(rx),
        close: async () => {
          await p1.close();
          await p2.close();
        },
      };
    },
  };
}

// ---- run ----

const quick = process.argv.includes('--quick');
const only = process.argv.find((a) => a.startsWith('--only='))?.slice(7);
const MiB = 1024 * 1024;

interface Row {
  test: string;
  unit: string;
  cpuUnit: string;
  results: Map<string, Measured | string>;
}

async function measure(peer: Peer, fn: () => Promise<Measured>): Promise<Measured | string> {
  try {
    return await fn();
  } catch (err) {
    return `failed: ${(err as Error).message}`;
  }
}

async function main(): Promise<void> {
  const all = only === undefined || only.startsWith('rivulet') ? [rivulet] : [];
  if (only === undefined || only.startsWith('node')) all.push(...[await nodeDataChannelPeer()].filter((p): p is Peer => p !== undefined));
  if (only === undefined || only.startsWith('werift')) all.push(...[await weriftPeer()].filter((p): p is Peer => p !== undefined));
  const peers = all;
  const bulkBytes = quick ? 8 * MiB : 64 * MiB;
  const rateCount = quick ? 20_000 : 200_000;
  const rows: Row[] = [
    { test: `bulk ${bulkBytes / MiB} MiB in 16 KiB messages`, unit: 'MB/s', cpuUnit: 'ms CPU/MB', results: new Map() },
    { test: `bulk ${bulkBytes / MiB} MiB in 64 KiB messages`, unit: 'MB/s', cpuUnit: 'ms CPU/MB', results: new Map() },
    { test: '100-byte messages', unit: 'msg/s', cpuUnit: 'ms CPU/1000 msg', results: new Map() },
  ];
  for (const peer of peers) {
    const slow = peer.name.startsWith('werift');
    // werift moves ~10 MB/s and a few hundred small messages/s: give it less work, same rates.
    const bytes = slow ? Math.min(bulkBytes, 8 * MiB) : bulkBytes;
    const count = slow ? 2_000 : rateCount;
    rows[0]!.results.set(peer.name, await measure(peer, () => bulk(peer, bytes, 16 * 1024, 120_000)));
    rows[1]!.results.set(peer.name, await measure(peer, () => bulk(peer, bytes, 64 * 1024, 120_000)));
    rows[2]!.results.set(peer.name, await measure(peer, () => rate(peer, count, 120_000)));
    console.error(`done: ${peer.name}`);
  }
  const fmt = (v: Measured | string | undefined): string => (typeof v === 'object' ? v.rate.toFixed(v.rate < 100 ? 1 : 0) : String(v));
  console.log(`SCTP data channel benchmark (${new Date().toISOString()}, node ${process.version}; shared 2-core machine, noisy)`);
  for (const row of rows) {
    console.log(`\n${row.test} (${row.unit}; ${row.cpuUnit})`);
    const ours = row.results.get(rivulet.name);
    for (const [name, v] of row.results) {
      const ratio = typeof v === 'object' && typeof ours === 'object' && name !== rivulet.name ? `  rivulet/peer = ${(ours.rate / v.rate).toFixed(2)}x, CPU ${(ours.cpu / v.cpu).toFixed(2)}x` : '';
      const cpu = typeof v === 'object' ? v.cpu.toFixed(2).padStart(8) : '';
      console.log(`  ${name.padEnd(44)} ${fmt(v).padStart(12)} ${cpu}${ratio}`);
    }
  }
  process.exit(0);
}

void main();

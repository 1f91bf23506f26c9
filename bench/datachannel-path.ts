/**
 * The data-channel path without ICE and UDP: two @rivulet/dtls endpoints (AES-128-GCM) carrying two
 * @rivulet/sctp associations + DataChannelManagers, joined by an in-memory link that hands packets
 * over in batches on setImmediate, all in this process. What it measures is our own per-packet and
 * per-message work (DTLS records, SCTP, channel layer) in CPU ms per MB, without the kernel and the
 * scheduling of two processes that make the full-stack figures (bench/datachannel-throughput.ts)
 * swing by 2-3x on this shared machine: the figure for A/B comparisons of those layers.
 *
 *   node --conditions=rivulet-source --import tsx bench/datachannel-path.ts [--mib=N] [--mtu=1200,2008] [--sizes=16,64] [--rounds=R] [--no-reuse]
 *
 * Back-pressure as in the throughput benchmark (send while bufferedAmount < 1 MiB, refill on
 * bufferedamountlow at 256 KiB). mtu = the SCTP packet size (PLPMTUD off; 2008 is where Rivulet's
 * PLPMTUD settles with its default peer datagram limit of 2048 bytes).
 */
import { CipherSuite, DtlsEndpoint, generateCertificate } from '@rivulet/dtls';
import { DataChannelManager, SctpAssociation, type SctpDataChannel } from '@rivulet/sctp';

const arg = (name: string, dflt: string): string => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? dflt;
const MIB = Number(arg('mib', '32'));
const MTUS = arg('mtu', '1200,2008').split(',').map(Number);
const SIZES = arg('sizes', '16,64').split(',').map((k) => Number(k) * 1024);
const ROUNDS = Number(arg('rounds', '3'));

/**
 * A one-way in-memory datagram link: queues what is sent and delivers up to 32 datagrams per
 * setImmediate turn, as libuv reads at most 32 datagrams per poll of a UDP socket (so the two ends
 * interleave as they do over a socket, instead of one end swallowing a whole window at once).
 */
function link(deliver: (d: Buffer) => void): (d: Buffer) => void {
  const q: Buffer[] = [];
  let head = 0;
  let scheduled = false;
  const turn = (): void => {
    scheduled = false;
    const end = Math.min(q.length, head + 32);
    while (head < end) deliver(q[head++]!);
    if (head === q.length) { q.length = 0; head = 0; } else if (!scheduled) { scheduled = true; setImmediate(turn); }
  };
  return (d) => {
    q.push(d);
    if (!scheduled) { scheduled = true; setImmediate(turn); }
  };
}

let packets = { data: 0, sack: 0, retransmissions: 0 };

async function connect(mtu: number): Promise<{ tx: SctpDataChannel; rx: Promise<SctpDataChannel>; close(): void }> {
  const certs = [await generateCertificate(), await generateCertificate()];
  const common = { cipherSuites: [CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256], mtu: 16384 };
  let client!: DtlsEndpoint;
  const server: DtlsEndpoint = new DtlsEndpoint({ ...common, role: 'server', certificate: certs[1]!, send: link((d) => client.handleDatagram(d)) });
  client = new DtlsEndpoint({ ...common, role: 'client', certificate: certs[0]!, send: link((d) => server.handleDatagram(d)) });
  server.start();
  client.start();
  const until = async (cond: () => boolean, what: string): Promise<void> => {
    const end = Date.now() + 10_000;
    while (!cond()) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 1));
    }
  };
  await until(() => client.state === 'connected' && server.state === 'connected', 'DTLS');
  // As the real transport (webrtc defaultBundle): DTLS consumes each packet inside send().
  const opts = { mtu, plpmtud: false, sendConsumesPacket: !process.argv.includes('--no-reuse') } as const;
  const a = new SctpAssociation({ ...opts, send: (p) => client.send(p) });
  const b = new SctpAssociation({ ...opts, send: (p) => server.send(p) });
  client.on('data', (d) => a.handlePacket(d));
  server.on('data', (d) => b.handlePacket(d));
  const ma = new DataChannelManager({ association: a, dtlsRole: 'client', maxMessageSize: 0 });
  const mb = new DataChannelManager({ association: b, dtlsRole: 'server', maxMessageSize: 0 });
  const rx = new Promise<SctpDataChannel>((resolve) => mb.on('channel', resolve));
  a.start();
  b.start();
  await until(() => a.state === 'established' && b.state === 'established', 'SCTP');
  const tx = ma.createChannel({ label: 'bench' });
  await until(() => tx.readyState === 'open', 'channel');
  return {
    tx,
    rx,
    close: () => {
      // Packets per MB each way, for the record (retransmissions would show here too).
      packets = { data: a.stats.packetsSent, sack: b.stats.packetsSent, retransmissions: a.stats.retransmissions };
      a.abort();
      b.abort();
      client.close();
      server.close();
    },
  };
}

async function run(mtu: number, size: number): Promise<{ mbps: number; cpuPerMb: number; perMb: { data: number; sack: number }; rtx: number }> {
  const { tx, rx: rxP, close } = await connect(mtu);
  const rx = await rxP;
  const total = MIB * 1024 * 1024;
  const payload = Buffer.alloc(size, 7);
  let sent = 0;
  let received = 0;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out at ${received} of ${total} bytes`)), 120_000);
    rx.on('message', (m) => {
      received += typeof m === 'string' ? Buffer.byteLength(m) : m.length;
      if (received >= total) { clearTimeout(timer); resolve(); }
    });
    tx.bufferedAmountLowThreshold = 256 * 1024;
    const fill = (): void => {
      while (sent < total && tx.bufferedAmount < 1024 * 1024) { tx.send(payload); sent += size; }
    };
    tx.on('bufferedamountlow', fill);
    fill();
  });
  const cpu = process.cpuUsage(cpu0);
  const ms = performance.now() - t0;
  close();
  const mb = total / 1e6;
  return { mbps: mb / (ms / 1000), cpuPerMb: (cpu.user + cpu.system) / 1000 / mb, perMb: { data: packets.data / mb, sack: packets.sack / mb }, rtx: packets.retransmissions };
}

console.log(`data-channel path in memory (DTLS AES-128-GCM + SCTP + channel, no ICE/UDP), ${MIB} MiB per run, both ends in this process`);
for (let r = 1; r <= ROUNDS; r++) {
  for (const mtu of MTUS) {
    for (const size of SIZES) {
      const x = await run(mtu, size);
      console.log(
        `round ${r} mtu ${mtu} ${size / 1024} KiB: ${x.cpuPerMb.toFixed(2)} ms CPU/MB (both ends), ${x.mbps.toFixed(1)} MB/s; ` +
          `packets per MB: ${x.perMb.data.toFixed(0)} data, ${x.perMb.sack.toFixed(0)} SACK; retransmissions ${x.rtx}`,
      );
    }
  }
}
process.exit(0);

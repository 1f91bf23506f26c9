/**
 * DTLS application-data path: 1200-byte payloads (a full SCTP packet) sent by the client and
 * decrypted by the server, after a completed handshake, both in one process with synchronous
 * delivery. AES-128-GCM (TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256). Compares @rivulet/dtls with
 * werift's DTLS in the same run.
 *
 *   node --conditions=rivulet-source --import tsx bench/dtls-records.ts [records=20000]
 */
import { performance } from 'node:perf_hooks';
import { CipherSuite, DtlsEndpoint, generateCertificate } from '@rivulet/dtls';
import * as werift from 'werift';

const N = Number(process.argv[2] ?? 20000);
const PAYLOAD = Buffer.alloc(1200, 0xab);

async function rivulet(): Promise<(n: number) => Promise<number>> {
  const certs = [await generateCertificate(), await generateCertificate()];
  const common = { cipherSuites: [CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256], srtpProfiles: [1] };
  let client!: DtlsEndpoint;
  const server: DtlsEndpoint = new DtlsEndpoint({ ...common, role: 'server', certificate: certs[1]!, send: (d) => client.handleDatagram(d) });
  client = new DtlsEndpoint({ ...common, role: 'client', certificate: certs[0]!, send: (d) => server.handleDatagram(d) });
  server.start();
  client.start();
  if (client.state !== 'connected' || server.state !== 'connected') throw new Error('rivulet handshake did not complete');
  let received = 0;
  server.on('data', (d) => (received += d.length));
  return async (n) => {
    received = 0;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) client.send(PAYLOAD);
    const ms = performance.now() - t0;
    if (received !== n * PAYLOAD.length) throw new Error(`rivulet delivered ${received} bytes, expected ${n * PAYLOAD.length}`);
    return ms;
  };
}

class MemoryTransport {
  readonly type = 'memory';
  readonly address = { address: '127.0.0.1', port: 0, family: 'IPv4' } as const;
  closed = false;
  peer: MemoryTransport | undefined;
  sync = false;
  onData: (data: Buffer, addr: unknown) => void = () => undefined;
  send = async (data: Buffer): Promise<void> => {
    const peer = this.peer!;
    if (this.sync) peer.onData(data, ['127.0.0.1', 0]);
    else setImmediate(() => peer.onData(data, ['127.0.0.1', 0]));
  };
  close = async (): Promise<void> => {
    this.closed = true;
  };
}

async function weriftRun(): Promise<(n: number) => Promise<number>> {
  const sig = { hash: werift.HashAlgorithm.sha256_4, signature: werift.SignatureAlgorithm.ecdsa_3 };
  const c0 = await werift.CipherContext.createSelfSignedCertificateWithKey(sig, werift.NamedCurveAlgorithm.x25519_29);
  const c1 = await werift.CipherContext.createSelfSignedCertificateWithKey(sig, werift.NamedCurveAlgorithm.x25519_29);
  const a = new MemoryTransport();
  const b = new MemoryTransport();
  a.peer = b;
  b.peer = a;
  const common = { srtpProfiles: [1 as werift.SrtpProfile], certificateRequest: true, extendedMasterSecret: true };
  const server = new werift.DtlsServer({ ...common, transport: b as never, cert: c1.certPem, key: c1.keyPem, signatureHash: sig });
  const client = new werift.DtlsClient({ ...common, transport: a as never, cert: c0.certPem, key: c0.keyPem, signatureHash: sig });
  await new Promise<void>((resolve) => {
    let n = 0;
    const done = (): void => void (++n === 2 && resolve());
    server.onConnect.once(done);
    client.onConnect.once(done);
    void client.connect();
  });
  a.sync = b.sync = true;
  let received = 0;
  server.onData.subscribe((d: Buffer) => (received += d.length));
  return async (n) => {
    received = 0;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) await client.send(PAYLOAD);
    const ms = performance.now() - t0;
    if (received !== n * PAYLOAD.length) throw new Error(`werift delivered ${received} bytes, expected ${n * PAYLOAD.length}`);
    return ms;
  };
}

async function main(): Promise<void> {
  const runOurs = await rivulet();
  const runTheirs = await weriftRun();
  await runOurs(1000); // warm-up
  await runTheirs(1000);
  // Interleave 20 rounds so both see the same background load (shared machine: noisy figures).
  const ROUNDS = 20;
  let ours = 0;
  let theirs = 0;
  for (let r = 0; r < ROUNDS; r++) {
    ours += await runOurs(Math.ceil(N / ROUNDS));
    theirs += await runTheirs(Math.ceil(N / ROUNDS));
  }
  const line = (name: string, ms: number): string =>
    `${name.padEnd(16)} ${((N / ms) * 1000).toFixed(0).padStart(9)} rec/s ${((N * PAYLOAD.length * 8) / ms / 1000).toFixed(0).padStart(6)} Mbit/s ${((ms * 1000) / N).toFixed(2).padStart(7)} µs/rec`;
  console.log(`DTLS application data, ${N} records of ${PAYLOAD.length} bytes, AES-128-GCM, encrypt + decrypt in one process`);
  console.log(line('@rivulet/dtls', ours));
  console.log(line('werift (DTLS)', theirs));
  console.log(`ratio werift/ours (time per record): ${(theirs / ours).toFixed(2)} (>1 means we are faster)`);
  process.exit(0);
}

void main().catch((err) => {
  console.error(err);
  process.exit(1);
});

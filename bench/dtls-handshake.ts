/**
 * DTLS 1.2 handshake time, both sides in one process over an in-memory link (setImmediate hops),
 * ECDSA P-256 certificates, X25519, AES-128-GCM, mutual authentication, use_srtp.
 * Compares @rivulet/dtls with werift's DTLS (DtlsClient/DtlsServer from the installed `werift`)
 * in the same run. Certificates are made once per implementation, outside the timing.
 *
 * A third row runs ours with both sides at mtu 200, so every flight including the ClientHello
 * (which the server must reassemble before its cookie check) is fragmented.
 *
 *   node --conditions=rivulet-source --import tsx bench/dtls-handshake.ts [runs]
 */
import { performance } from 'node:perf_hooks';
import { CipherSuite, DtlsEndpoint, generateCertificate } from '@rivulet/dtls';
import * as werift from 'werift';

const RUNS = Number(process.argv[2] ?? 100);
const WARMUP = 10;

function stats(samples: number[]): { p50: number; p95: number; mean: number } {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number): number => s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
  return { p50: at(0.5), p95: at(0.95), mean: s.reduce((a, b) => a + b, 0) / s.length };
}

async function rivuletOnce(certs: Awaited<ReturnType<typeof generateCertificate>>[], mtu?: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    let done = 0;
    const timer = setTimeout(() => reject(new Error('rivulet handshake timed out')), 10_000);
    const finish = (): void => {
      if (++done === 2) {
        clearTimeout(timer);
        resolve(performance.now() - t0);
      }
    };
    // eslint-disable-next-line prefer-const
    let client: DtlsEndpoint;
    const server: DtlsEndpoint = new DtlsEndpoint({
      role: 'server',
      certificate: certs[1]!,
      remoteFingerprints: [certs[0]!.fingerprints[0]!],
      cipherSuites: [CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256],
      srtpProfiles: [1],
      ...(mtu ? { mtu } : {}),
      send: (d) => setImmediate(() => client.handleDatagram(d)),
    });
    client = new DtlsEndpoint({
      role: 'client',
      certificate: certs[0]!,
      remoteFingerprints: [certs[1]!.fingerprints[0]!],
      cipherSuites: [CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256],
      srtpProfiles: [1],
      ...(mtu ? { mtu } : {}),
      send: (d) => setImmediate(() => server.handleDatagram(d)),
    });
    server.once('connected', finish);
    client.once('connected', finish);
    server.on('error', reject);
    client.on('error', reject);
    server.start();
    client.start();
  }).finally(() => undefined) as Promise<number>;
}

/** werift's Transport seam over setImmediate hops. */
class MemoryTransport {
  readonly type = 'memory';
  readonly address = { address: '127.0.0.1', port: 0, family: 'IPv4' } as const;
  closed = false;
  peer: MemoryTransport | undefined;
  onData: (data: Buffer, addr: unknown) => void = () => undefined;
  send = async (data: Buffer): Promise<void> => {
    const peer = this.peer!;
    setImmediate(() => peer.onData(data, ['127.0.0.1', 0]));
  };
  close = async (): Promise<void> => {
    this.closed = true;
  };
}

interface WeriftCert {
  certPem: string;
  keyPem: string;
  signatureHash: werift.SignatureHash;
}

async function weriftOnce(certs: WeriftCert[]): Promise<number> {
  const a = new MemoryTransport();
  const b = new MemoryTransport();
  a.peer = b;
  b.peer = a;
  const common = { srtpProfiles: [1 as werift.SrtpProfile], certificateRequest: true, extendedMasterSecret: true };
  const server = new werift.DtlsServer({ ...common, transport: b as never, cert: certs[1]!.certPem, key: certs[1]!.keyPem, signatureHash: certs[1]!.signatureHash });
  const client = new werift.DtlsClient({ ...common, transport: a as never, cert: certs[0]!.certPem, key: certs[0]!.keyPem, signatureHash: certs[0]!.signatureHash });
  const t0 = performance.now();
  await new Promise<void>((resolve, reject) => {
    let done = 0;
    const timer = setTimeout(() => reject(new Error('werift handshake timed out')), 10_000);
    const finish = (): void => {
      if (++done === 2) {
        clearTimeout(timer);
        resolve();
      }
    };
    server.onConnect.once(finish);
    client.onConnect.once(finish);
    void client.connect();
  });
  const elapsed = performance.now() - t0;
  client.close();
  server.close();
  return elapsed;
}

async function main(): Promise<void> {
  const ours = [await generateCertificate(), await generateCertificate()];
  const theirs: WeriftCert[] = [];
  for (let i = 0; i < 2; i++) {
    theirs.push(
      await werift.CipherContext.createSelfSignedCertificateWithKey(
        { hash: werift.HashAlgorithm.sha256_4, signature: werift.SignatureAlgorithm.ecdsa_3 },
        werift.NamedCurveAlgorithm.x25519_29,
      ),
    );
  }
  const rivulet: number[] = [];
  const wer: number[] = [];
  const fragmented: number[] = [];
  for (let i = 0; i < WARMUP; i++) {
    await rivuletOnce(ours);
    await weriftOnce(theirs);
    await rivuletOnce(ours, 200);
  }
  // Interleave so both see the same background load (the machine is shared: figures are noisy).
  for (let i = 0; i < RUNS; i++) {
    rivulet.push(await rivuletOnce(ours));
    wer.push(await weriftOnce(theirs));
    fragmented.push(await rivuletOnce(ours, 200));
  }
  const r = stats(rivulet);
  const w = stats(wer);
  const f = stats(fragmented);
  const fmt = (x: number): string => x.toFixed(2).padStart(8);
  console.log(`DTLS 1.2 handshake, ECDSA P-256 + X25519, AES-128-GCM, mutual auth, use_srtp; ${RUNS} runs each (after ${WARMUP} warm-up), in-process link`);
  console.log(`                     p50 ms   p95 ms  mean ms`);
  console.log(`@rivulet/dtls      ${fmt(r.p50)} ${fmt(r.p95)} ${fmt(r.mean)}`);
  console.log(`werift (DTLS)      ${fmt(w.p50)} ${fmt(w.p95)} ${fmt(w.mean)}`);
  console.log(`ratio werift/ours  ${fmt(w.p50 / r.p50)} ${fmt(w.p95 / r.p95)} ${fmt(w.mean / r.mean)}   (>1 means we are faster)`);
  console.log(`@rivulet/dtls mtu 200 (every flight fragmented, ClientHello reassembled before the cookie check)`);
  console.log(`                   ${fmt(f.p50)} ${fmt(f.p95)} ${fmt(f.mean)}`);
  console.log(`ratio mtu200/1200  ${fmt(f.p50 / r.p50)} ${fmt(f.p95 / r.p95)} ${fmt(f.mean / r.mean)}   (cost of fragmentation)`);
  process.exit(0);
}

void main().catch((err) => {
  console.error(err);
  process.exit(1);
});

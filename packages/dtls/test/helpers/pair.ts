import { FakeClock } from '@rivulet/common';
import { DtlsEndpoint, generateCertificate, type DtlsCertificate, type DtlsEndpointOptions } from '../../src/index.js';
import { LossyPipe, type PipeOptions } from './pipe.js';

let cached: { ec: DtlsCertificate[]; rsa: DtlsCertificate[] } | undefined;

/** Certificates are slow-ish to make (RSA especially): share a few across tests. */
export async function testCertificates(): Promise<{ ec: DtlsCertificate[]; rsa: DtlsCertificate[] }> {
  cached ??= {
    ec: await Promise.all([generateCertificate(), generateCertificate()]),
    rsa: await Promise.all([generateCertificate({ keyType: 'rsa-2048' }), generateCertificate({ keyType: 'rsa-2048' })]),
  };
  return cached;
}

export type PairOverrides = Partial<Omit<DtlsEndpointOptions, 'send' | 'role' | 'clock'>>;

export interface Pair {
  clock: FakeClock;
  pipe: LossyPipe;
  client: DtlsEndpoint;
  server: DtlsEndpoint;
  errors: { client: Error[]; server: Error[] };
}

export function makePair(
  certs: { client: DtlsCertificate; server: DtlsCertificate },
  pipeOptions: PipeOptions = {},
  client: PairOverrides = {},
  server: PairOverrides = {},
): Pair {
  const clock = new FakeClock();
  const pipe = new LossyPipe(clock, pipeOptions);
  const c = new DtlsEndpoint({
    role: 'client',
    certificate: certs.client,
    remoteFingerprints: certs.server.fingerprints.slice(0, 1),
    clock,
    send: pipe.sender('a'),
    ...client,
  });
  const s = new DtlsEndpoint({
    role: 'server',
    certificate: certs.server,
    remoteFingerprints: certs.client.fingerprints.slice(0, 1),
    clock,
    send: pipe.sender('b'),
    ...server,
  });
  pipe.attach('a', (d) => c.handleDatagram(d));
  pipe.attach('b', (d) => s.handleDatagram(d));
  const errors = { client: [] as Error[], server: [] as Error[] };
  c.on('error', (e) => errors.client.push(e));
  s.on('error', (e) => errors.server.push(e));
  return { clock, pipe, client: c, server: s, errors };
}

/** Advances fake time in steps until `done()` or `maxMs` of fake time passed; returns elapsed fake ms. */
export function runUntil(clock: FakeClock, done: () => boolean, maxMs: number, stepMs = 5): number {
  const start = clock.now();
  while (!done() && clock.now() - start < maxMs) clock.advance(stepMs);
  return clock.now() - start;
}

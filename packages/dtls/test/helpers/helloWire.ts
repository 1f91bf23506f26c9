import { FakeClock } from '@rivulet/common';
import { ContentType, DTLS_1_2, HandshakeType } from '../../src/constants.js';
import { DtlsEndpoint, type DtlsCertificate, type DtlsEndpointOptions } from '../../src/index.js';
import type { ClientHandshake } from '../../src/handshake/client.js';
import { parseHandshakeFragments, writeHandshakeHeader, type HandshakeFragment } from '../../src/handshake/fragment.js';
import type { ClientHello } from '../../src/handshake/messages.js';
import { parseRecords, writeRecordHeader } from '../../src/record/record.js';

/** One epoch-0 handshake fragment seen on the wire, with its record sequence number. */
export interface WireFragment extends HandshakeFragment {
  recordSeq: number;
}

/** Every epoch-0 handshake fragment in `datagrams`. */
export function handshakeFragments(datagrams: Buffer[]): WireFragment[] {
  const out: WireFragment[] = [];
  for (const d of datagrams) {
    for (const r of parseRecords(d).records) {
      if (r.type !== ContentType.handshake || r.epoch !== 0) continue;
      for (const f of parseHandshakeFragments(r.fragment) ?? []) out.push({ ...f, recordSeq: r.sequenceNumber });
    }
  }
  return out;
}

/** Reassembles the first complete epoch-0 message of `msgType` from `datagrams` (test-side, simple). */
export function messageBody(datagrams: Buffer[], msgType: number): Buffer | undefined {
  const frags = handshakeFragments(datagrams).filter((f) => f.msgType === msgType);
  if (frags.length === 0) return undefined;
  const body = Buffer.alloc(frags[0]!.length);
  const have = new Uint8Array(body.length);
  for (const f of frags.filter((x) => x.messageSeq === frags[0]!.messageSeq)) {
    f.body.copy(body, f.fragmentOffset);
    have.fill(1, f.fragmentOffset, f.fragmentOffset + f.body.length);
  }
  return have.every((x) => x === 1) ? body : undefined;
}

/**
 * Rewrites the ClientHello fragments in a batch of datagrams: the hello is reassembled and re-cut
 * into `pieces` (fractions [from, to) of its length, possibly overlapping), each in its own record
 * and datagram, emitted in `order`. Other records pass through unchanged.
 */
export function recutClientHello(batch: Buffer[], pieces: [number, number][], order: number[]): Buffer[] {
  const hello = handshakeFragments(batch).filter((f) => f.msgType === HandshakeType.clientHello);
  if (hello.length === 0) return batch;
  const body = messageBody(batch, HandshakeType.clientHello);
  if (!body) return batch;
  const seq = hello[0]!.messageSeq;
  let recordSeq = Math.max(...hello.map((f) => f.recordSeq));
  const out = batch.filter((d) => !parseRecords(d).records.some((r) => r.type === ContentType.handshake && r.epoch === 0));
  for (const i of order) {
    const [from, to] = pieces[i]!;
    const start = Math.floor(from * body.length);
    const end = Math.min(body.length, Math.ceil(to * body.length));
    const frag = Buffer.concat([writeHandshakeHeader(HandshakeType.clientHello, body.length, seq, start, end - start), body.subarray(start, end)]);
    out.push(Buffer.concat([writeRecordHeader(ContentType.handshake, DTLS_1_2, 0, recordSeq++, frag.length), frag]));
  }
  return out;
}

/** Two endpoints on a FakeClock whose datagrams are delivered in batches through optional filters. */
export class BatchLink {
  readonly clock = new FakeClock();
  readonly client: DtlsEndpoint;
  readonly server: DtlsEndpoint;
  readonly clientSent: Buffer[] = [];
  readonly serverSent: Buffer[] = [];
  readonly errors: { client: Error[]; server: Error[] } = { client: [], server: [] };
  private toServer: Buffer[] = [];
  private toClient: Buffer[] = [];
  filterToServer: (batch: Buffer[]) => Buffer[] = (b) => b;

  constructor(
    certs: { client: DtlsCertificate; server: DtlsCertificate },
    client: Partial<DtlsEndpointOptions> = {},
    server: Partial<DtlsEndpointOptions> = {},
  ) {
    this.client = new DtlsEndpoint({
      role: 'client',
      certificate: certs.client,
      remoteFingerprints: certs.server.fingerprints.slice(0, 1),
      clock: this.clock,
      send: (d) => {
        this.clientSent.push(Buffer.from(d));
        this.toServer.push(Buffer.from(d));
      },
      ...client,
    });
    this.server = new DtlsEndpoint({
      role: 'server',
      certificate: certs.server,
      remoteFingerprints: certs.client.fingerprints.slice(0, 1),
      clock: this.clock,
      send: (d) => {
        this.serverSent.push(Buffer.from(d));
        this.toClient.push(Buffer.from(d));
      },
      ...server,
    });
    this.client.on('error', (e) => this.errors.client.push(e));
    this.server.on('error', (e) => this.errors.server.push(e));
  }

  /** Sets our client's ClientHello rewrite hook (see ClientHandshake.transformHello). */
  transformHello(fn: (hello: ClientHello) => ClientHello): void {
    (this.client as unknown as { handshake: ClientHandshake }).handshake.transformHello = fn;
  }

  /** Delivers batches both ways, 10 ms of fake time apart, until `done()` or `maxMs` passed. */
  run(done: () => boolean, maxMs = 5_000): void {
    const start = this.clock.now();
    while (!done() && this.clock.now() - start < maxMs) {
      const up = this.filterToServer(this.toServer.splice(0));
      for (const d of up) this.server.handleDatagram(d);
      for (const d of this.toClient.splice(0)) this.client.handleDatagram(d);
      this.clock.advance(10);
    }
  }

  connected(): boolean {
    return this.client.state === 'connected' && this.server.state === 'connected';
  }
}

import { expect } from 'chai';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { RealClock } from '@rivulet/common';
import { SctpAssociation } from '../src/association.js';

/**
 * Interop with an SCTP implementation we did not write: werift's (pure
 * TypeScript, installed as a dev dependency). Its association class is not in
 * werift's public exports, so it is loaded from its CommonJS build. The two
 * talk over an in-process transport with real timers (werift has no clock seam).
 */
interface WeriftTransport {
  onData?: (buf: Buffer) => void;
  send: (buf: Buffer) => Promise<void>;
  close: () => void;
}
interface WeriftEvent<A extends unknown[]> {
  subscribe(cb: (...args: A) => void): unknown;
}
interface WeriftSctp {
  state: string;
  stateChanged: { connected: WeriftEvent<[]> };
  onReceive: WeriftEvent<[number, number, Buffer]>;
  onReconfigStreams: WeriftEvent<[number[]]>;
  start(remotePort?: number): Promise<void>;
  send(streamId: number, ppid: number, data: Buffer, opts?: { ordered?: boolean; maxRetransmits?: number; expiry?: number }): Promise<void>;
  stop(): Promise<void>;
}
interface WeriftSctpModule {
  SCTP: { client(t: WeriftTransport, port?: number): WeriftSctp; server(t: WeriftTransport, port?: number): WeriftSctp };
}

function loadWerift(): WeriftSctpModule | undefined {
  try {
    const require = createRequire(import.meta.url);
    // werift's "exports" hide lib/sctp; resolve the package entry and step over to it.
    const entry = require.resolve('werift'); // .../werift/lib/webrtc/src/index.js
    return require(join(dirname(entry), '..', '..', 'sctp', 'src', 'index.js')) as WeriftSctpModule;
  } catch {
    return undefined;
  }
}

async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('interop: SctpAssociation ↔ werift SCTP (in-process, real timers)', function () {
  this.timeout(20_000);
  const werift = loadWerift();

  before(function () {
    if (!werift) {
      if (process.env.CI === 'true') throw new Error('werift is not installed (npm install werift)');
      this.skip();
    }
  });

  for (const ourRole of ['client', 'server'] as const) {
    it(`handshakes as ${ourRole}, exchanges small and fragmented messages both ways, and resets a stream`, async () => {
      const transport: WeriftTransport = {
        send: async (buf) => {
          setImmediate(() => ours.handlePacket(Buffer.from(buf)));
        },
        close: () => undefined,
      };
      const ours: SctpAssociation = new SctpAssociation({
        clock: new RealClock(),
        send: (p) => setImmediate(() => transport.onData?.(Buffer.from(p))),
      });
      const theirs = ourRole === 'client' ? werift!.SCTP.server(transport, 5000) : werift!.SCTP.client(transport, 5000);
      const fromWerift: [number, number, Buffer][] = [];
      const fromUs: [number, number, Buffer][] = [];
      const resetAtWerift: number[][] = [];
      ours.on('message', (s, p, d) => fromWerift.push([s, p, d]));
      theirs.onReceive.subscribe((s, p, d) => fromUs.push([s, p, Buffer.from(d)]));
      theirs.onReconfigStreams.subscribe((ids) => resetAtWerift.push(ids));
      try {
        if (ourRole === 'client') {
          await theirs.start(5000);
          ours.start();
        } else {
          ours.start();
          await theirs.start(5000);
        }
        await until(() => ours.state === 'established' && theirs.state === 'connected', 5000, 'both established');

        const big = Buffer.alloc(100_000);
        for (let i = 0; i < big.length; i++) big[i] = (i * 7) & 0xff;
        ours.sendMessage(1, 51, Buffer.from('hello werift'));
        ours.sendMessage(1, 53, big);
        await theirs.send(2, 51, Buffer.from('hello rivulet'));
        await theirs.send(2, 53, big);
        await until(() => fromUs.length === 2 && fromWerift.length === 2, 10_000, 'messages both ways');
        expect(fromUs[0]![0]).to.equal(1);
        expect(fromUs[0]![1]).to.equal(51);
        expect(fromUs[0]![2].toString()).to.equal('hello werift');
        expect(fromUs[1]![2].equals(big)).to.equal(true);
        expect(fromWerift[0]![2].toString()).to.equal('hello rivulet');
        expect(fromWerift[1]![1]).to.equal(53);
        expect(fromWerift[1]![2].equals(big)).to.equal(true);

        // RFC 6525 outgoing stream reset, answered by werift.
        let ourResetDone: number[] | undefined;
        ours.on('outgoingStreamsReset', (ids) => (ourResetDone = ids));
        ours.resetStreams([1]);
        await until(() => ourResetDone !== undefined && resetAtWerift.length > 0, 5000, 'stream reset');
        expect(ourResetDone).to.deep.equal([1]);
        expect(resetAtWerift[0]).to.deep.equal([1]);
        expect(ours.drops.get('badChecksum') + ours.drops.get('malformed') + ours.drops.get('internalError')).to.equal(0);
      } finally {
        ours.abort('test over');
        await theirs.stop().catch(() => undefined);
      }
    });
  }

  it('sends partially reliable unordered messages to werift over a lossy link; its SACKs and our FORWARD TSNs keep both moving', async () => {
    // A seeded 10 % loss in each direction; werift has no clock seam, so this runs in real time.
    let seed = 7;
    const lose = (): boolean => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % 10 === 0;
    };
    const transport: WeriftTransport = {
      send: async (buf) => {
        if (!lose()) setImmediate(() => ours.handlePacket(Buffer.from(buf)));
      },
      close: () => undefined,
    };
    const ours: SctpAssociation = new SctpAssociation({
      clock: new RealClock(),
      send: (p) => {
        if (!lose()) setImmediate(() => transport.onData?.(Buffer.from(p)));
      },
    });
    const theirs = werift!.SCTP.server(transport, 5000);
    const atWerift = new Set<number>();
    const atUs = new Set<number>();
    theirs.onReceive.subscribe((_s, _p, d) => atWerift.add(Buffer.from(d).readUInt32BE(0)));
    ours.on('message', (_s, _p, d) => atUs.add(d.readUInt32BE(0)));
    try {
      ours.start();
      await theirs.start(5000);
      await until(() => ours.state === 'established' && theirs.state === 'connected', 8000, 'both established');
      expect(ours.peerSupportsForwardTsn).to.equal(true);
      const N = 300;
      for (let i = 0; i < N; i++) {
        const m = Buffer.alloc(300);
        m.writeUInt32BE(i, 0);
        ours.sendMessage(1, 53, m, { unordered: true, maxRetransmits: 0 });
        await theirs.send(2, 53, Buffer.from(m), { ordered: false, maxRetransmits: 0 });
        if (i % 20 === 19) await new Promise((r) => setTimeout(r, 5));
      }
      // Ours were sent once only (maxRetransmits 0): nothing was retransmitted so far.
      expect(ours.stats.retransmissions).to.equal(0);
      // Then one reliable message each way: it must get through, i.e. nothing stalled behind the losses.
      const last = Buffer.alloc(4);
      last.writeUInt32BE(N, 0);
      ours.sendMessage(1, 53, last);
      await theirs.send(2, 53, Buffer.from(last));
      await until(() => atWerift.has(N) && atUs.has(N), 15_000, 'the final reliable messages');
      // The reliable message is ordered, the others unordered, so it can arrive while lost ones
      // are still outstanding on our side: wait until every TSN is acked or abandoned.
      await until(() => ours.stats.flightSize === 0, 15_000, 'our flight to resolve');
      // The lost ones stay lost, werift skipped them on our FORWARD TSN.
      expect(atWerift.size - 1).to.be.within(N * 0.7, N - 1);
      // Some abandoned ones did arrive (only their SACK was lost), so this is a lower bound.
      expect(ours.stats.abandonedMessages).to.be.at.least(N + 1 - atWerift.size);
      // Only the final reliable message may have been retransmitted (it crosses the lossy link too).
      expect(ours.stats.retransmissions).to.be.at.most(3);
      // werift (0.24) treats maxRetransmits 0 as unlimited and delivers everything; we accept either.
      expect(atUs.size).to.be.within(N * 0.7, N + 1);
      expect(ours.drops.get('internalError')).to.equal(0);
    } finally {
      ours.abort('test over');
      await theirs.stop().catch(() => undefined);
    }
  });
});

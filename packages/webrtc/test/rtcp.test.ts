import { expect } from 'chai';
import { MediaStream, MediaStreamTrackSource, readTrack, requestKeyframe } from '../src/index.js';
import { createPair, negotiate, until } from './helpers/peers.js';

function rtp(seq: number, ts: number): Buffer {
  const p = Buffer.alloc(12 + 100);
  p[0] = 0x80; p[1] = 96; p.writeUInt16BE(seq, 2); p.writeUInt32BE(ts, 4); p.writeUInt32BE(0xabcdef, 8);
  p.fill(seq & 0xff, 12);
  return p;
}

describe('RTP session: NACK/RTX, key-frame requests, reports', function () {
  this.timeout(15000);

  it('recovers a lost packet with NACK + RTX and delivers it in the original stream', async () => {
    const { a, b, bundles, close } = createPair();
    const src = new MediaStreamTrackSource({ kind: 'video' });
    a.addTrack(src.createTrack(), new MediaStream());
    const seqs: number[] = [];
    b.ontrack = (e) => readTrack(e.track, { rtp: (p) => seqs.push(Buffer.from(p).readUInt16BE(2)) });
    await negotiate(a, b);
    await until(() => a.connectionState === 'connected' && b.connectionState === 'connected', 3000, 'connected');
    let first: number | undefined;
    let dropped = false;
    bundles.a!.dropRtp = (p) => {
      const seq = Buffer.from(p).readUInt16BE(2);
      const pt = p[1]! & 0x7f;
      first ??= seq;
      // Lose the 4th media packet once; RTX (pt 97) must get through.
      if (!dropped && pt === 96 && seq === ((first + 3) & 0xffff)) {
        dropped = true;
        return true;
      }
      return false;
    };
    for (let i = 0; i < 10; i++) {
      src.writeRtp(rtp(500 + i, 1000 * i));
      await new Promise((r) => setTimeout(r, 5));
    }
    await until(() => seqs.length === 10, 5000, 'all 10 packets including the retransmission');
    expect(dropped).to.equal(true);
    const sorted = [...seqs].sort((x, y) => x - y);
    expect(sorted[sorted.length - 1]! - sorted[0]!).to.equal(9);
    expect(new Set(seqs).size).to.equal(10);
    const stats = await b.getStats();
    const inbound = [...stats.values()].find((s) => s.type === 'inbound-rtp')!;
    expect(inbound['nackCount']).to.be.greaterThan(0);
    expect(inbound['retransmittedPacketsReceived']).to.equal(1);
    const outbound = [...(await a.getStats()).values()].find((s) => s.type === 'outbound-rtp')!;
    expect(outbound['retransmittedPacketsSent']).to.equal(1);
    close();
  });

  it('a PLI from the receiver reaches the sending source; a forwarded remote track passes it upstream', async () => {
    // publisher → sfu (receives) → viewer (the SFU forwards the remote track)
    const up = createPair();
    const down = createPair();
    const src = new MediaStreamTrackSource({ kind: 'video' });
    let requests = 0;
    src.onKeyframeRequest(() => requests++);
    up.a.addTrack(src.createTrack(), new MediaStream());
    let remote: import('../src/index.js').MediaStreamTrack | undefined;
    up.b.ontrack = (e) => { remote = e.track; };
    await negotiate(up.a, up.b);
    await until(() => up.b.connectionState === 'connected', 3000, 'upstream connected');
    down.a.addTrack(remote!, new MediaStream());
    let viewerTrack: import('../src/index.js').MediaStreamTrack | undefined;
    down.b.ontrack = (e) => { viewerTrack = e.track; };
    await negotiate(down.a, down.b);
    await until(() => down.b.connectionState === 'connected', 3000, 'downstream connected');
    const got: number[] = [];
    readTrack(viewerTrack!, { rtp: (p) => got.push(Buffer.from(p).readUInt16BE(2)) });
    for (let i = 0; i < 5; i++) src.writeRtp(rtp(100 + i, 3000 * i));
    await until(() => got.length === 5, 3000, 'forwarded RTP at the viewer');
    expect(requestKeyframe(viewerTrack!)).to.equal(true);
    await until(() => requests === 1, 3000, 'PLI forwarded to the publisher source');
    up.close();
    down.close();
  });

  it('sends receiver/sender reports: the sender learns the round-trip time (remote-inbound-rtp)', async () => {
    const { a, b, close } = createPair();
    const src = new MediaStreamTrackSource({ kind: 'audio' });
    a.addTrack(src.createTrack(), new MediaStream());
    await negotiate(a, b);
    await until(() => a.connectionState === 'connected', 3000, 'connected');
    let remoteInbound: Record<string, unknown> | undefined;
    const end = Date.now() + 8000;
    let i = 0;
    while (!remoteInbound && Date.now() < end) {
      const p = rtp(i, i * 960);
      p[1] = 111;
      src.writeRtp(p);
      i++;
      await new Promise((r) => setTimeout(r, 20));
      if (i % 25 === 0) remoteInbound = [...(await a.getStats()).values()].find((s) => s.type === 'remote-inbound-rtp');
    }
    expect(remoteInbound, 'remote-inbound-rtp within 8 s').to.not.equal(undefined);
    expect(remoteInbound!['roundTripTime']).to.be.a('number').and.to.be.at.least(0);
    const stats = await a.getStats();
    const out = [...stats.values()].find((s) => s.type === 'outbound-rtp')!;
    expect(out['remoteId']).to.equal(remoteInbound!['id']);
    expect(stats.get(out['codecId'] as string)?.['mimeType']).to.equal('audio/opus');
    const pair = [...stats.values()].find((s) => s.type === 'candidate-pair')!;
    expect(pair['availableOutgoingBitrate']).to.be.a('number').and.to.be.greaterThan(0);
    close();
  });
});

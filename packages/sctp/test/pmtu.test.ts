import { expect } from 'chai';
import { FakeClock } from '@rivulet/common';
import { Plpmtud, type PlpmtudConfig } from '../src/pmtu/plpmtud.js';
import { decodeProbeInfo, encodeProbeInfo, MIN_PROBE_SIZE, PROBE_OVERHEAD, probeChunks } from '../src/pmtu/probe.js';
import { DEFAULT_PEER_MAX_DATAGRAM, plpmtuCap } from '../src/pmtu/cap.js';
import { padChunk, PAD_CHUNK_TYPE } from '../src/chunks/pad.js';
import { announcementChunk, decodeAnnouncement } from '../src/pmtu/announce.js';
import { parsePacket, serializePacket, verifyChecksum } from '../src/packet.js';
import { ChunkType } from '../src/chunks/types.js';
import { Sender } from '../src/sender.js';
import { DEFAULT_RTO } from '../src/options.js';

/**
 * RFC 8899 PLPMTUD pieces on their own: the probe packet (HEARTBEAT + RFC 4820 PAD) byte layout,
 * the search / black-hole state machine driven by hand (each probe answered or lost as a path of a
 * given MTU would), and the cap computation.
 */

const CONFIG: PlpmtudConfig = { base: 1200, max: 16384, maxProbes: 3, probeTimerMs: 1000, raiseTimerMs: 600_000, granularity: 16 };

/** A Plpmtud whose probes cross a path carrying packets up to `pathMax()` bytes, RTT 10 ms. */
function harness(pathMax: () => number, config: Partial<PlpmtudConfig> = {}) {
  const clock = new FakeClock();
  const sent: number[] = [];
  const changes: number[] = [];
  let seed = 1;
  const pl: Plpmtud = new Plpmtud(clock, { ...CONFIG, ...config }, {
    sendProbe: (size, info) => {
      sent.push(size);
      if (size <= pathMax()) clock.setTimeout(() => pl.onHeartbeatAck(info), 10);
    },
    changed: (n) => changes.push(n),
    rtoMs: () => 200,
    random: () => (seed = (seed * 1103515245 + 12345) >>> 0),
  });
  return { clock, pl, sent, changes };
}

describe('PLPMTUD (RFC 8899) building blocks', () => {
  it('builds a probe of exactly the probed size: HEARTBEAT + PAD (0x84), valid CRC-32c', () => {
    const info = encodeProbeInfo({ size: 1500, nonce: Buffer.from('0102030405060708', 'hex'), sentAt: 42.5 });
    const packet = serializePacket({ sourcePort: 5000, destinationPort: 5000, verificationTag: 0x01020304 }, probeChunks(1500, info));
    expect(packet.length).to.equal(1500);
    expect(verifyChecksum(packet)).to.equal(true);
    const p = parsePacket(packet);
    expect(p.chunks.map((c) => c.chunk.type)).to.deep.equal([ChunkType.HEARTBEAT, 'unknown']);
    // HEARTBEAT: 4 header + 4 parameter header + 24 info = 32 bytes at offset 12; PAD from 44 to the end.
    expect(packet.readUInt16BE(14)).to.equal(32);
    expect(packet[44]).to.equal(0x84);
    expect(packet.readUInt16BE(46)).to.equal(1500 - 44);
    expect(PROBE_OVERHEAD).to.equal(44);
    const hb = p.chunks[0]!.chunk;
    if (hb.type !== ChunkType.HEARTBEAT) throw new Error('not a heartbeat');
    expect(decodeProbeInfo(hb.info)).to.deep.equal({ size: 1500, nonce: Buffer.from('0102030405060708', 'hex'), sentAt: 42.5 });
    // Our ordinary heartbeat info (16 bytes) is not a probe.
    expect(decodeProbeInfo(Buffer.alloc(16))).to.equal(undefined);
  });

  it('EMTU_R announcement rides in PAD content: RVLTEMTU, version 1, max packet; plain padding is not one', () => {
    const c = announcementChunk(16384);
    expect(c.code).to.equal(PAD_CHUNK_TYPE);
    expect(c.value.toString('hex')).to.equal(Buffer.from('RVLTEMTU', 'latin1').toString('hex') + '01000000' + '00004000');
    expect(decodeAnnouncement(c.value)).to.equal(16384);
    expect(decodeAnnouncement(Buffer.alloc(16))).to.equal(undefined);
    expect(decodeAnnouncement(padChunk(1456 - 44).value)).to.equal(undefined);
  });

  it('PAD chunk lengths: a multiple of 4, at least its header', () => {
    expect(padChunk(4).value.length).to.equal(0);
    expect(padChunk(1000)).to.include({ type: 'unknown', code: PAD_CHUNK_TYPE, flags: 0 });
    expect(() => padChunk(6)).to.throw(/multiple of 4/);
    expect(() => padChunk(0)).to.throw(/multiple of 4/);
    expect(() => probeChunks(MIN_PROBE_SIZE - 4, Buffer.alloc(24))).to.throw(/at least 48/);
  });

  it('climbs in doubling steps to the cap when every probe is answered (loopback: 6 probes, 6 RTTs)', async () => {
    const { clock, pl, sent, changes } = harness(() => 65535);
    pl.start();
    await clock.runUntil(() => pl.state === 'searchComplete', { maxMs: 10_000 });
    expect(sent).to.deep.equal([1456, 1968, 2992, 5040, 9136, 16384]);
    expect(changes).to.deep.equal([1456, 1968, 2992, 5040, 9136, 16384]);
    expect(clock.now()).to.equal(60);
    expect(pl.stats).to.deep.include({ plpmtu: 16384, probesSent: 6, probesAcked: 6, probesLost: 0, blackHoles: 0 });
  });

  it('a size fails after MAX_PROBES lost probes; then bisects to within 16 bytes of a 1372-byte path', async () => {
    const { clock, pl, sent } = harness(() => 1372);
    pl.start();
    await clock.runUntil(() => pl.state === 'searchComplete', { maxMs: 60_000 });
    expect(sent).to.deep.equal([1456, 1456, 1456, 1328, 1392, 1392, 1392, 1360, 1376, 1376, 1376]);
    // 1376 failed and 1360 is confirmed: 16 bytes apart, the search stops 12 bytes below the path.
    expect(pl.plpmtu).to.equal(1360);
    // Three failed sizes x three probe timers (1 s each) plus two answered probes.
    expect(clock.now()).to.equal(9 * 1000 + 2 * 10);
    expect(pl.stats).to.deep.include({ probesSent: 11, probesAcked: 2, probesLost: 9 });
  });

  it('one lost probe does not fail a size (PROBE_COUNT counts consecutive losses)', async () => {
    let drops = 1;
    const clock = new FakeClock();
    const sent: number[] = [];
    const pl: Plpmtud = new Plpmtud(clock, { ...CONFIG, max: 1456 }, {
      sendProbe: (size, info) => {
        sent.push(size);
        if (drops-- > 0) return;
        clock.setTimeout(() => pl.onHeartbeatAck(info), 10);
      },
      changed: () => {},
      rtoMs: () => 200,
      random: () => 7,
    });
    pl.start();
    await clock.runUntil(() => pl.state === 'searchComplete', { maxMs: 10_000 });
    expect(sent).to.deep.equal([1456, 1456]);
    expect(pl.plpmtu).to.equal(1456);
  });

  it('black hole: data timeouts + MAX_PROBES lost confirmations drop to BASE, then search below the failed size', async () => {
    let path = 65535;
    const { clock, pl, changes } = harness(() => path);
    pl.start();
    await clock.runUntil(() => pl.state === 'searchComplete', { maxMs: 10_000 });
    expect(pl.plpmtu).to.equal(16384);
    // One T3 with the path intact: the confirmation probe is answered, nothing changes.
    pl.onDataTimeout();
    await clock.advanceAsync(100);
    expect(pl.stats).to.deep.include({ plpmtu: 16384, blackHoles: 0, state: 'searchComplete' });
    path = 1400;
    pl.onDataTimeout();
    pl.onDataTimeout(); // a second T3 while confirming does not start another confirmation
    await clock.runUntil(() => pl.stats.blackHoles === 1, { maxMs: 10_000 });
    expect(clock.now() - 60 - 100).to.be.within(3000, 3001);
    expect(pl.plpmtu).to.equal(1200);
    await clock.runUntil(() => pl.state === 'searchComplete', { maxMs: 120_000 });
    expect(pl.plpmtu).to.be.within(1400 - 16, 1400);
    expect(changes.slice(6, 7)).to.deep.equal([1200]);
    expect(changes.every((c) => c <= 16384)).to.equal(true);
  });

  it('BASE not confirmed after a black hole: ERROR, stays at BASE, probes again after PMTU_RAISE_TIMER', async () => {
    let path = 65535;
    const { clock, pl } = harness(() => path, { max: 1456, raiseTimerMs: 60_000 });
    pl.start();
    await clock.runUntil(() => pl.state === 'searchComplete', { maxMs: 10_000 });
    path = 0;
    pl.onDataTimeout();
    await clock.runUntil(() => pl.state === 'error', { maxMs: 20_000 });
    expect(pl.plpmtu).to.equal(1200);
    path = 65535;
    await clock.advanceAsync(60_000 + 100);
    expect(pl.state).to.equal('searchComplete');
    expect(pl.plpmtu).to.equal(1456);
  });

  it('PMTU_RAISE_TIMER: a search that stopped below the cap runs again later and finds a grown path', async () => {
    let path = 1372;
    const { clock, pl } = harness(() => path, { raiseTimerMs: 600_000 });
    pl.start();
    await clock.runUntil(() => pl.state === 'searchComplete', { maxMs: 60_000 });
    expect(pl.plpmtu).to.equal(1360);
    path = 65535;
    await clock.advanceAsync(599_000, 1000);
    expect(pl.plpmtu).to.equal(1360);
    await clock.runUntil(() => pl.plpmtu === 16384, { maxMs: 10_000, stepMs: 5 });
  });

  it('setMax: a lower cap applies at once; a higher one searches again', async () => {
    const { clock, pl, changes } = harness(() => 65535);
    pl.start();
    await clock.runUntil(() => pl.state === 'searchComplete', { maxMs: 10_000 });
    pl.setMax(4000);
    expect(pl.plpmtu).to.equal(4000);
    expect(changes.at(-1)).to.equal(4000);
    await clock.runUntil(() => pl.state === 'searchComplete', { maxMs: 10_000 });
    expect(pl.plpmtu).to.equal(4000);
    pl.setMax(9000);
    await clock.runUntil(() => pl.state === 'searchComplete', { maxMs: 10_000 });
    expect(pl.plpmtu).to.equal(9000);
  });

  it('Sender.setMtu: fragments at the new size; cwnd at least the §7.2.1 initial window after a raise, proportional after a fall', () => {
    const s = new Sender(1, 1 << 20, 1200, DEFAULT_RTO, 10);
    expect(s.maxFragment).to.equal(1172);
    expect(s.cc.cwnd).to.equal(12_000);
    s.setMtu(16384);
    expect(s.maxFragment).to.equal(16356);
    // 12 000 bytes would be less than one packet: raised to 2 x 16384 (min(4 MTU, max(2 MTU, 4380))).
    expect(s.cc.cwnd).to.equal(32768);
    s.cc.cwnd = 200_000;
    s.setMtu(9000);
    expect(s.cc.cwnd).to.equal(Math.floor((200_000 * 9000) / 16384));
    s.setMtu(1200);
    expect(s.cc.cwnd).to.equal(Math.floor((Math.floor((200_000 * 9000) / 16384) * 1200) / 9000));
    s.cc.cwnd = 1000;
    s.setMtu(1000);
    expect(s.cc.cwnd).to.equal(1000);
    // A raise keeps a larger cwnd as it is.
    s.cc.cwnd = 500_000;
    s.setMtu(2008);
    expect(s.cc.cwnd).to.equal(500_000);
    expect(s.cc.mtu).to.equal(2008);
  });

  it('MAX_PLPMTU from the interface MTU, the DTLS record limit (2^14) and the peer\'s EMTU_R', () => {
    const rivuletPeer = 16384 + 37;
    // Loopback (MTU 65536) to a peer taking whole records: the DTLS record limit binds.
    expect(plpmtuCap({ linkMtu: 65536, family: 'IPv4', dtlsOverhead: 37, peerMaxDatagram: rivuletPeer })).to.equal(16384);
    // Unknown peer: 2048-byte datagrams (Chromium fails its DTLS above ~2065) − 37 = 2011 → 2008.
    expect(plpmtuCap({ linkMtu: 65536, family: 'IPv4', dtlsOverhead: 37 })).to.equal(2008);
    expect(DEFAULT_PEER_MAX_DATAGRAM).to.equal(2048);
    expect(plpmtuCap({ linkMtu: 65536, family: 'IPv4', dtlsOverhead: 29, peerMaxDatagram: 4096 })).to.equal(4064);
    // Ethernet: 1500 − 28 (IPv4+UDP) − 37 (AES-GCM record) = 1435 → 1432 (4-byte aligned).
    expect(plpmtuCap({ linkMtu: 1500, family: 'IPv4', dtlsOverhead: 37 })).to.equal(1432);
    expect(plpmtuCap({ linkMtu: 1500, family: 'IPv6', dtlsOverhead: 37 })).to.equal(1412);
    expect(plpmtuCap({ linkMtu: 9000, family: 'IPv4', dtlsOverhead: 37, peerMaxDatagram: rivuletPeer })).to.equal(8932);
    expect(() => plpmtuCap({ linkMtu: 1500, family: 'IPv4', dtlsOverhead: 37, peerMaxDatagram: 1.5 })).to.throw(/peerMaxDatagram/);
    // Unknown interface, or one too small for BASE: BASE, no probing up.
    expect(plpmtuCap({ linkMtu: undefined, family: 'IPv4', dtlsOverhead: 37 })).to.equal(1200);
    expect(plpmtuCap({ linkMtu: 1280, family: 'IPv6', dtlsOverhead: 37 })).to.equal(1200);
    expect(() => plpmtuCap({ linkMtu: 1500, family: 'IPv4', dtlsOverhead: -1 })).to.throw(/dtlsOverhead/);
  });
});

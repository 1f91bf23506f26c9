import { expect } from 'chai';
import { FakeClock } from '@rivulet/common';
import { DataChannelManager } from '../src/channelManager.js';
import { ChunkType } from '../src/chunks/types.js';
import { parsePacket, verifyChecksum } from '../src/packet.js';
import type { SctpDataChannel } from '../src/dataChannel.js';
import { createPair, run } from './helpers/link.js';

const types = (p: Buffer): Array<number | string> => parsePacket(p).chunks.map((c) => c.chunk.type);

/**
 * RFC 9260 §5.1 C: "The COOKIE ECHO chunk MAY be bundled with any pending outbound DATA chunks,
 * but it MUST be the first chunk in the packet, and until the COOKIE ACK chunk is returned, the
 * sender MUST NOT send any other packets to the peer." The data channel opener uses it to send
 * DATA_CHANNEL_OPEN (RFC 8832 §5.1) with the COOKIE ECHO: the peer's channel exists one trip
 * earlier (connection set-up latency, docs/bench/connect-latency.md).
 */
describe('SCTP DATA bundled with COOKIE ECHO (RFC 9260 §5.1 C): DCEP OPEN one trip earlier', function () {
  this.timeout(10_000);

  function setup() {
    const clock = new FakeClock();
    const pair = createPair(clock, { minDelayMs: 10 });
    const fromA: Buffer[] = [];
    pair.ab.tap = (p) => fromA.push(Buffer.from(p));
    // a initiates (the DTLS server in the WebRTC bundle); b only answers.
    const ma = new DataChannelManager({ association: pair.a, dtlsRole: 'server', maxMessageSize: 262144 });
    const mb = new DataChannelManager({ association: pair.b, dtlsRole: 'client', maxMessageSize: 262144 });
    return { clock, ...pair, ma, mb, fromA };
  }

  it('the opener sends DATA_CHANNEL_OPEN in the COOKIE ECHO packet; the peer has the channel when the association is up', () => {
    const { clock, a, b, ma, mb, fromA } = setup();
    const ch = ma.createChannel({ label: 'early' });
    let remote: SctpDataChannel | undefined;
    let remoteAt = -1;
    mb.on('channel', (c) => { remote = c; remoteAt = clock.now(); });
    let openAt = -1;
    ch.on('open', () => { openAt = clock.now(); });
    a.start();
    run(clock, () => ch.readyState === 'open' && remote !== undefined, 5_000);
    // INIT (0) → INIT ACK (10) → COOKIE ECHO + DATA (20) → b established with the channel at 30.
    expect(fromA.slice(0, 2).map(types)).to.deep.equal([[ChunkType.INIT], [ChunkType.COOKIE_ECHO, ChunkType.DATA]]);
    expect(verifyChecksum(fromA[1]!)).to.equal(true); // control chunk in the packet: real CRC32c
    expect(remoteAt).to.equal(30);
    expect(remote!.label).to.equal('early');
    expect(b.state).to.equal('established');
    // a's channel opens on the COOKIE ACK (40), as before: 'open' means the association is up.
    expect(openAt).to.equal(40);
    // DATA_CHANNEL_OPEN was sent once, not again on 'established'.
    const opens = fromA.flatMap((p) => parsePacket(p).chunks.filter((c) => c.chunk.type === ChunkType.DATA));
    expect(opens).to.have.length(1);
    // And the channel works both ways.
    const got: string[] = [];
    remote!.on('message', (m) => got.push(m.toString()));
    ch.send(Buffer.from('hi'));
    run(clock, () => got.length === 1, 1_000);
    expect(got).to.deep.equal(['hi']);
  });

  it('in COOKIE-ECHOED only the COOKIE ECHO packet goes out: more queued data waits for the COOKIE ACK', () => {
    const { clock, a, ma, fromA } = setup();
    for (let i = 0; i < 3; i++) ma.createChannel({ label: `c${i}` });
    a.start();
    run(clock, () => a.state === 'cookie-echoed', 1_000);
    // 3 opens fit one packet here; force a big message queued behind them as well.
    a.sendMessage(1, 51, Buffer.alloc(4000, 1));
    const sentInEchoed = fromA.slice(1);
    expect(sentInEchoed).to.have.length(1);
    expect(types(sentInEchoed[0]!)[0]).to.equal(ChunkType.COOKIE_ECHO);
    clock.advance(19); // COOKIE ACK arrives at 20 ms after the COOKIE ECHO
    expect(fromA).to.have.length(2);
    run(clock, () => a.state === 'established', 1_000);
    run(clock, () => fromA.length > 2, 1_000);
    // The rest goes once established, none of it with another COOKIE ECHO.
    for (const p of fromA.slice(2)) expect(types(p)).to.not.include(ChunkType.COOKIE_ECHO);
  });

  it('a retransmitted COOKIE ECHO (T1-cookie) leads every packet sent before the COOKIE ACK: no DATA-only packet', () => {
    const { clock, a, ab, ba, ma } = setup();
    ma.createChannel({ label: 'x' });
    const whileEchoed: Array<Array<number | string>> = [];
    ab.tap = (p) => { if (a.state === 'cookie-echoed') whileEchoed.push(types(p)); };
    let dropAcks = true;
    ba.dropIf = (p) => dropAcks && types(p).includes(ChunkType.COOKIE_ACK);
    a.start();
    run(clock, () => whileEchoed.length >= 3, 10_000); // the first COOKIE ECHO and two T1 retransmissions
    expect(a.state).to.equal('cookie-echoed');
    dropAcks = false;
    run(clock, () => a.state === 'established', 10_000);
    expect(whileEchoed.length).to.be.greaterThanOrEqual(3);
    for (const t of whileEchoed) expect(t[0]).to.equal(ChunkType.COOKIE_ECHO);
    expect(whileEchoed[0]).to.deep.equal([ChunkType.COOKIE_ECHO, ChunkType.DATA]);
  });
  it('INIT collision (both peers start, as browsers and libdatachannel do): the OPEN sent with our lost COOKIE ECHO is not forgotten when the peer COOKIE ECHO establishes us', () => {
    for (const delay of [1, 10]) {
      const clock = new FakeClock();
      const pair = createPair(clock, { minDelayMs: delay });
      const ma = new DataChannelManager({ association: pair.a, dtlsRole: 'server', maxMessageSize: 262144 });
      const mb = new DataChannelManager({ association: pair.b, dtlsRole: 'client', maxMessageSize: 262144 });
      const ch = ma.createChannel({ label: 'crossed' });
      const labels: string[] = [];
      mb.on('channel', (c) => labels.push(c.label));
      const dataFromA: number[] = [];
      pair.ab.tap = (p) => { dataFromA.push(parsePacket(p).chunks.filter((c) => c.chunk.type === ChunkType.DATA).length); };
      // The COOKIE ECHO carrying the OPEN is lost; b's COOKIE ECHO then establishes a (§5.2.4 D).
      let dropped = 0;
      pair.ab.dropIf = (p) => dropped === 0 && parsePacket(p).chunks[0]!.chunk.type === ChunkType.COOKIE_ECHO && ++dropped === 1;
      pair.a.start();
      pair.b.start();
      // §5.2.1/§5.2.4: a is in COOKIE-ECHOED with its OPEN bundled when b's COOKIE ECHO arrives;
      // taking the peer from that cookie must not replace the state holding the OPEN.
      run(clock, () => ch.readyState === 'open' && labels.length === 1, 5_000);
      expect(labels, `delay ${delay}`).to.deep.equal(['crossed']);
      expect(dropped).to.equal(1);
      // The OPEN stayed outstanding in the state we kept and was retransmitted (T3-rtx).
      expect(dataFromA.reduce((x, y) => x + y, 0), `DATA chunks from a, delay ${delay}`).to.equal(2);
      expect(pair.a.state).to.equal('established');
      expect(pair.b.state).to.equal('established');
    }
  });
});

import { expect } from 'chai';
import { FakeClock } from '@rivulet/common';
import { DataChannelManager } from '../src/channelManager.js';
import type { SctpDataChannel } from '../src/dataChannel.js';
import { parsePacket } from '../src/packet.js';
import type { DataChunk } from '../src/chunks/types.js';
import { createChannelPair } from './helpers/channels.js';
import { createPair, run } from './helpers/link.js';

/** Collects the DATA chunks a path carries. */
function dataChunksOf(packets: Buffer[]): DataChunk[] {
  const out: DataChunk[] = [];
  for (const p of packets) for (const { chunk } of parsePacket(p).chunks) if (chunk.type === 0) out.push(chunk);
  return out;
}

describe('data channels (RFC 8831 / RFC 8832)', () => {
  it('opens with DCEP and carries strings, binary and empty messages with the right PPIDs', () => {
    const clock = new FakeClock();
    const p = createChannelPair(clock, { minDelayMs: 5 });
    const wire: Buffer[] = [];
    p.ab.tap = (b) => wire.push(b);
    let remote: SctpDataChannel | undefined;
    p.mb.on('channel', (ch) => (remote = ch));
    const ch = p.ma.createChannel({ label: 'chat', protocol: 'x-proto', ordered: false, maxRetransmits: 3, priority: 'high' });
    // W3C: 'open' is announced in a later task, so a listener added now still sees it.
    expect(ch.readyState).to.equal('connecting');
    let opened = 0;
    ch.on('open', () => opened++);
    clock.advance(0);
    expect(ch.readyState).to.equal('open');
    expect(opened).to.equal(1);
    expect(ch.id).to.equal(0);
    const got: (string | Buffer)[] = [];
    run(clock, () => remote !== undefined, 1000);
    remote!.on('message', (m) => got.push(m));
    expect(remote!.label).to.equal('chat');
    expect(remote!.protocol).to.equal('x-proto');
    expect(remote!.ordered).to.equal(false);
    expect(remote!.maxRetransmits).to.equal(3);
    expect(remote!.maxPacketLifeTime).to.equal(null);
    expect(remote!.priority).to.equal('high');
    expect(remote!.id).to.equal(0);
    expect(remote!.readyState).to.equal('open');
    ch.send('héllo');
    ch.send(Buffer.from([1, 2, 3]));
    ch.send('');
    ch.send(new Uint8Array(0));
    run(clock, () => got.length === 4, 2000);
    expect(got[0]).to.equal('héllo');
    expect(Buffer.isBuffer(got[1]) && got[1].equals(Buffer.from([1, 2, 3]))).to.equal(true);
    expect(got[2]).to.equal('');
    expect(Buffer.isBuffer(got[3]) && got[3].length === 0).to.equal(true);
    const chunks = dataChunksOf(wire);
    // DATA_CHANNEL_OPEN: PPID 50, ordered, message type 3, channel type 0x81 (rexmit unordered), priority 1024.
    const open = chunks.find((c) => c.ppid === 50 && c.userData[0] === 3)!;
    expect(open.unordered).to.equal(false);
    expect(open.userData.subarray(0, 8).toString('hex')).to.equal('0381040000000003');
    const user = chunks.filter((c) => c.ppid !== 50).map((c) => [c.ppid, c.userData.toString('hex')]);
    expect(user).to.deep.equal([
      [51, Buffer.from('héllo').toString('hex')],
      [53, '010203'],
      [56, '00'],
      [57, '00'],
    ]);
  });

  it('acknowledges DATA_CHANNEL_OPEN and the opener then sends unordered', () => {
    const clock = new FakeClock();
    const p = createChannelPair(clock, { minDelayMs: 5 });
    const wire: Buffer[] = [];
    p.ab.tap = (b) => wire.push(b);
    const back: Buffer[] = [];
    p.ba.tap = (b) => back.push(b);
    const ch = p.ma.createChannel({ label: 'u', ordered: false });
    clock.advance(0);
    ch.send('before-ack');
    run(clock, () => dataChunksOf(back).some((c) => c.ppid === 50 && c.userData[0] === 2), 1000);
    clock.advance(5); // the ACK is on the wire; let it arrive
    ch.send('after-ack');
    const sent = (): DataChunk[] => dataChunksOf(wire).filter((c) => c.ppid === 51);
    run(clock, () => sent().length === 2, 2000);
    expect(sent().map((c) => [c.userData.toString(), c.unordered])).to.deep.equal([
      ['before-ack', false],
      ['after-ack', true],
    ]);
  });

  it('opens a channel created before the association is up once it is established', () => {
    const clock = new FakeClock();
    const { a, b } = createPair(clock, { minDelayMs: 5 });
    const ma = new DataChannelManager({ association: a, dtlsRole: 'server' });
    const mb = new DataChannelManager({ association: b, dtlsRole: 'client' });
    const ch = ma.createChannel({ label: 'early' });
    expect(ch.readyState).to.equal('connecting');
    expect(ch.id).to.equal(1);
    let opened = false;
    ch.on('open', () => (opened = true));
    const labels: string[] = [];
    mb.on('channel', (c) => labels.push(c.label));
    a.start();
    b.start();
    run(clock, () => labels.length === 1, 5000);
    expect(opened).to.equal(true);
    expect(labels).to.deep.equal(['early']);
  });

  it('allocates even ids on the DTLS client and odd ids on the server (RFC 8832 §6)', () => {
    const clock = new FakeClock();
    const p = createChannelPair(clock, { minDelayMs: 5 });
    expect([0, 1, 2].map(() => p.ma.createChannel().id)).to.deep.equal([0, 2, 4]);
    expect([0, 1, 2].map(() => p.mb.createChannel().id)).to.deep.equal([1, 3, 5]);
  });

  it('negotiated channels use the application id and send no DCEP', () => {
    const clock = new FakeClock();
    const p = createChannelPair(clock, { minDelayMs: 5 });
    const wire: Buffer[] = [];
    p.ab.tap = (b) => wire.push(b);
    const x = p.ma.createChannel({ negotiated: true, id: 7, label: 'n' });
    const y = p.mb.createChannel({ negotiated: true, id: 7, label: 'n' });
    clock.advance(0);
    let announced = 0;
    p.mb.on('channel', () => announced++);
    const got: string[] = [];
    y.on('message', (m) => got.push(String(m)));
    x.send('neg');
    run(clock, () => got.length === 1, 1000);
    expect(got).to.deep.equal(['neg']);
    expect(announced).to.equal(0);
    expect(dataChunksOf(wire).map((c) => [c.streamId, c.ppid])).to.deep.equal([[7, 51]]);
    expect(() => p.ma.createChannel({ negotiated: true, id: 7 })).to.throw(/id 7 is already in use/);
    expect(() => p.ma.createChannel({ negotiated: true })).to.throw(/needs an id/);
    expect(() => p.ma.createChannel({ maxRetransmits: 1, maxPacketLifeTime: 5 })).to.throw(/cannot both be set/);
  });

  it("refuses a message bigger than the peer's max-message-size with a clear error", () => {
    const clock = new FakeClock();
    const p = createChannelPair(clock, { minDelayMs: 5 }, {}, 1, 1000);
    const ch = p.ma.createChannel();
    let remote: SctpDataChannel | undefined;
    p.mb.on('channel', (c) => (remote = c));
    run(clock, () => remote !== undefined, 1000);
    const got: number[] = [];
    remote!.on('message', (m) => got.push(m.length));
    expect(() => ch.send(Buffer.alloc(1001))).to.throw(TypeError, "message of 1001 bytes exceeds the peer's max-message-size of 1000 bytes");
    ch.send(Buffer.alloc(1000));
    run(clock, () => got.length === 1, 1000);
    expect(got).to.deep.equal([1000]);
  });

  it('reports bufferedAmount until first transmission and fires bufferedamountlow on the way down', () => {
    const clock = new FakeClock();
    const p = createChannelPair(clock, { minDelayMs: 5 });
    const ch = p.ma.createChannel();
    clock.advance(0);
    ch.bufferedAmountLowThreshold = 10_000;
    let lows = 0;
    ch.on('bufferedamountlow', () => lows++);
    for (let i = 0; i < 50; i++) ch.send(Buffer.alloc(1000));
    ch.send(''); // an empty message counts 0 bytes (it travels as one placeholder byte)
    // The DCEP OPEN (still unacknowledged, so nothing leaves inside send()) is not user data;
    // 50 000 bytes wait for the scheduled flush.
    expect(ch.bufferedAmount).to.equal(50_000);
    let received = 0;
    p.mb.on('channel', (c) => c.on('message', () => received++));
    run(clock, () => received === 51, 5000);
    expect(ch.bufferedAmount).to.equal(0);
    expect(lows).to.equal(1);
  });

  it('closes cleanly from either side: 100 channels, both stream directions reset', () => {
    const clock = new FakeClock();
    const p = createChannelPair(clock, { minDelayMs: 5, maxDelayMs: 8 });
    const remoteOf = new Map<string, SctpDataChannel>();
    p.ma.on('channel', (c) => remoteOf.set(c.label, c));
    p.mb.on('channel', (c) => remoteOf.set(c.label, c));
    const local: SctpDataChannel[] = [];
    for (let i = 0; i < 50; i++) local.push(p.ma.createChannel({ label: `a${i}` }));
    for (let i = 0; i < 50; i++) local.push(p.mb.createChannel({ label: `b${i}` }));
    run(clock, () => remoteOf.size === 100, 5000);
    const events: string[] = [];
    for (const ch of [...local, ...remoteOf.values()]) {
      ch.on('closing', () => events.push(`closing:${ch.label}`));
      ch.on('close', () => events.push(`close:${ch.label}`));
    }
    // Close half of them from the opener's side and half from the other side.
    local.forEach((ch, i) => (i % 2 === 0 ? ch : remoteOf.get(ch.label)!).close());
    run(clock, () => [...local, ...remoteOf.values()].every((c) => c.readyState === 'closed'), 10_000);
    expect(events.filter((e) => e.startsWith('close:'))).to.have.length(200);
    expect(events.filter((e) => e.startsWith('closing:'))).to.have.length(100);
    expect(p.ma.channels).to.have.length(0);
    expect(p.mb.channels).to.have.length(0);
    // Freed ids are reused, and a new channel works on the reset streams (SSN back at 0).
    const again = p.ma.createChannel({ label: 'again' });
    expect(again.id).to.equal(0);
    clock.advance(0);
    const got: string[] = [];
    p.mb.on('channel', (c) => c.on('message', (m) => got.push(String(m))));
    again.send('x');
    run(clock, () => got.length === 1, 2000);
    expect(got).to.deep.equal(['x']);
    expect(p.a.state).to.equal('established');
  });

  it('closes every channel with an error when the peer aborts', () => {
    const clock = new FakeClock();
    const p = createChannelPair(clock, { minDelayMs: 5 });
    const ch = p.ma.createChannel({ label: 'x' });
    const errors: string[] = [];
    ch.on('error', (e) => errors.push(e.message));
    run(clock, () => p.mb.channels.length === 1, 1000);
    p.b.abort('going away');
    run(clock, () => ch.readyState === 'closed', 1000);
    expect(errors).to.deep.equal(['SCTP association closed: peer aborted the association: user-initiated abort: going away']);
    expect(() => ch.send('late')).to.throw(/is closed, not open/);
  });

  it('refuses send() with OperationError when the send buffer cap would be exceeded', () => {
    const clock = new FakeClock();
    const p = createChannelPair(clock, { minDelayMs: 5 });
    const m = new DataChannelManager({ association: p.a, dtlsRole: 'client', maxBufferedAmount: 5000 });
    p.ma.removeAllListeners();
    const ch = m.createChannel({ label: 'capped', negotiated: true, id: 20 });
    clock.advance(0);
    ch.send(Buffer.alloc(1500)); // leaves at once: the association was idle
    expect(ch.bufferedAmount).to.equal(0);
    ch.send(Buffer.alloc(3000));
    ch.send(Buffer.alloc(2000));
    expect(ch.bufferedAmount).to.equal(5000);
    let err: Error | undefined;
    try {
      ch.send(Buffer.alloc(1));
    } catch (e) {
      err = e as Error;
    }
    expect(err?.name).to.equal('OperationError');
    expect(err?.message).to.equal(
      "RTCDataChannel 'capped' (id 20): 5000 bytes already queued, 1 more would exceed the 5000-byte send buffer; wait for bufferedamountlow",
    );
    run(clock, () => ch.bufferedAmount === 0, 1000); // drains as the window opens
    ch.send(Buffer.alloc(1));
  });

  it('refuses send() with InvalidStateError once the association is shutting down', () => {
    const clock = new FakeClock();
    const p = createChannelPair(clock, { minDelayMs: 5 });
    const ch = p.ma.createChannel({ label: 'x' });
    clock.advance(0);
    p.a.close();
    let err: Error | undefined;
    try {
      ch.send('late');
    } catch (e) {
      err = e as Error;
    }
    expect(err?.name).to.equal('InvalidStateError');
    expect(err?.message).to.equal("RTCDataChannel 'x' (id 0): the SCTP association is shutdown-pending");
    run(clock, () => ch.readyState === 'closed', 5000);
  });
});

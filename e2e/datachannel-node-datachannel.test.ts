import { expect } from 'chai';
import type ndc from 'node-datachannel';
import type { RTCDataChannel } from '@rivulet/webrtc';
import { connectNodeDatachannel, pattern, text, until, type NdcPair, type Offerer } from './support/nodeDatachannel.js';

/**
 * Rivulet's RTCDataChannel against node-datachannel (libdatachannel + usrsctp, a native stack we
 * did not write), in one process over 127.0.0.1, with each side offering in turn.
 */

// Around the 1172-byte DATA chunk payload at our default MTU, the 64 KiB default max-message-size
// and the 256 KiB one both sides advertise here.
const SIZES = [0, 1, 1172, 1173, 16384, 65535, 65536, 262144];

type Received = string | Uint8Array;

function toBytes(data: unknown): Received {
  if (typeof data === 'string') return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  throw new Error(`unexpected message type ${Object.prototype.toString.call(data)}`);
}

/** Compares without chai's deep-equal on 256 KiB arrays (slow, and unreadable on failure). */
function expectSame(got: Received[], want: Received[], what: string): void {
  expect(got.length, `${what}: count`).to.equal(want.length);
  for (let i = 0; i < want.length; i++) {
    const g = got[i]!;
    const w = want[i]!;
    if (typeof w === 'string') {
      expect(typeof g, `${what} #${i}: type`).to.equal('string');
      expect((g as string).length, `${what} #${i}: length`).to.equal(w.length);
      expect(g === w, `${what} #${i}: string content`).to.equal(true);
    } else {
      expect(g, `${what} #${i}: type`).to.be.instanceOf(Uint8Array);
      expect((g as Uint8Array).length, `${what} #${i}: length`).to.equal(w.length);
      expect(Buffer.compare(g as Uint8Array, w), `${what} #${i}: bytes`).to.equal(0);
    }
  }
}

/** Every size as a string then as binary, distinct content per message. */
function matrix(): Received[] {
  const out: Received[] = [];
  SIZES.forEach((n, i) => {
    out.push(text(n, i));
    out.push(pattern(n, i));
  });
  return out;
}

function ndcOpen(dc: ndc.DataChannel): Promise<void> {
  return new Promise((resolve) => { if (dc.isOpen()) resolve(); else dc.onOpen(resolve); });
}

function rivuletOpen(dc: RTCDataChannel): Promise<void> {
  return new Promise((resolve) => { if (dc.readyState === 'open') resolve(); else dc.addEventListener('open', () => resolve(), { once: true }); });
}

function ndcSend(dc: ndc.DataChannel, m: Received): void {
  if (typeof m === 'string') dc.sendMessage(m);
  else dc.sendMessageBinary(Buffer.from(m));
}

for (const offerer of ['node-datachannel', 'rivulet'] as Offerer[]) {
  describe(`data channels with node-datachannel (${offerer} offers)`, function () {
    this.timeout(20_000);
    let pair: NdcPair;

    before(async () => { pair = await connectNodeDatachannel({ offerer }); });
    after(() => pair?.close());

    it('advertises and enforces 262144 max-message-size on both sides', () => {
      expect(pair.pc.sctp?.maxMessageSize).to.equal(262144);
      expect(pair.peer.maxMessageSize()).to.equal(262144);
    });

    it('ordered channel from Rivulet: 0 B … 256 KiB strings and binary echoed back exactly and in order', async () => {
      const dc = pair.pc.createDataChannel('ordered-echo');
      const echoed: Received[] = [];
      dc.onmessage = (e) => echoed.push(toBytes(e.data));
      await until(() => pair.peerChannels.length === 1, 5000, 'node-datachannel sees the channel');
      const remote = pair.peerChannels[0]!;
      expect(remote.getLabel()).to.equal('ordered-echo');
      expect(remote.getId()).to.equal(dc.id);
      const atPeer: Received[] = [];
      remote.onMessage((m) => {
        const r = toBytes(m);
        atPeer.push(r);
        ndcSend(remote, r);
      });
      await rivuletOpen(dc);
      const sent = matrix();
      for (const m of sent) dc.send(m);
      await until(() => echoed.length === sent.length, 10_000, 'echoes');
      expectSame(atPeer, sent, 'received by node-datachannel');
      expectSame(echoed, sent, 'echoed to Rivulet');
      expect(() => dc.send(new Uint8Array(262145))).to.throw(TypeError, /262145 bytes exceeds .* 262144/);
      dc.close();
    });

    it('ordered channel from node-datachannel: the same matrix arrives at Rivulet exactly and in order', async () => {
      const remote = pair.peer.createDataChannel('from-ndc', { protocol: 'bytes' });
      await until(() => pair.pcChannels.length === 1, 5000, 'Rivulet sees the channel');
      const dc = pair.pcChannels[0]!;
      expect(dc.label).to.equal('from-ndc');
      expect(dc.protocol).to.equal('bytes');
      expect(dc.ordered).to.equal(true);
      expect(dc.maxRetransmits).to.equal(null);
      expect(dc.maxPacketLifeTime).to.equal(null);
      expect(dc.id).to.equal(remote.getId());
      const got: Received[] = [];
      dc.onmessage = (e) => got.push(toBytes(e.data));
      await ndcOpen(remote);
      const sent = matrix();
      for (const m of sent) ndcSend(remote, m);
      await until(() => got.length === sent.length, 10_000, 'messages from node-datachannel');
      expectSame(got, sent, 'received by Rivulet');
      // node-datachannel holds itself to the 262144 in our SDP.
      expect(remote.maxMessageSize()).to.equal(262144);
      expect(() => remote.sendMessageBinary(Buffer.alloc(262145))).to.throw(/exceeds limit/);
      remote.close();
      await until(() => dc.readyState === 'closed', 5000, 'Rivulet channel closed');
    });

    it('unordered channels both ways deliver every message exactly once', async () => {
      const mine = pair.pc.createDataChannel('unordered-riv', { ordered: false });
      const theirs = pair.peer.createDataChannel('unordered-ndc', { unordered: true });
      await until(() => pair.peerChannels.length === 2 && pair.pcChannels.length === 2, 5000, 'both unordered channels seen');
      const atPeer = pair.peerChannels[1]!;
      const atUs = pair.pcChannels[1]!;
      expect(atPeer.getLabel()).to.equal('unordered-riv');
      expect(atUs.label).to.equal('unordered-ndc');
      expect(atUs.ordered).to.equal(false);
      const gotPeer: string[] = [];
      const gotUs: string[] = [];
      atPeer.onMessage((m) => gotPeer.push(m as string));
      atUs.onmessage = (e) => gotUs.push(e.data as string);
      await Promise.all([rivuletOpen(mine), ndcOpen(theirs)]);
      const N = 300;
      const want = Array.from({ length: N }, (_, i) => `u${i}:${text(i * 7, i)}`);
      for (const m of want) {
        mine.send(m);
        theirs.sendMessage(m);
      }
      await until(() => gotPeer.length === N && gotUs.length === N, 10_000, 'unordered messages');
      expect([...gotPeer].sort()).to.deep.equal([...want].sort());
      expect([...gotUs].sort()).to.deep.equal([...want].sort());
      mine.close();
      theirs.close();
    });

    it('partially reliable channels open with the right parameters on the other side', async () => {
      const base = pair.pcChannels.length;
      const rexmit = pair.peer.createDataChannel('rexmit', { unordered: true, maxRetransmits: 2 });
      const lifetime = pair.peer.createDataChannel('lifetime', { maxPacketLifeTime: 150 });
      await until(() => pair.pcChannels.length === base + 2, 5000, 'PR channels at Rivulet');
      const byLabel = new Map(pair.pcChannels.slice(base).map((c) => [c.label, c]));
      const r = byLabel.get('rexmit')!;
      const l = byLabel.get('lifetime')!;
      expect([r.ordered, r.maxRetransmits, r.maxPacketLifeTime]).to.deep.equal([false, 2, null]);
      expect([l.ordered, l.maxRetransmits, l.maxPacketLifeTime]).to.deep.equal([true, null, 150]);
      // Ours towards node-datachannel: its native API does not expose the received reliability
      // (the Chromium test checks that direction); here the channels must open and carry data.
      const peerBase = pair.peerChannels.length;
      const ours = [
        pair.pc.createDataChannel('rexmit0', { ordered: false, maxRetransmits: 0 }),
        pair.pc.createDataChannel('life100', { maxPacketLifeTime: 100 }),
      ];
      expect([ours[0]!.maxRetransmits, ours[1]!.maxPacketLifeTime]).to.deep.equal([0, 100]);
      await until(() => pair.peerChannels.length === peerBase + 2, 5000, 'PR channels at node-datachannel');
      const got: string[] = [];
      for (const c of pair.peerChannels.slice(peerBase)) c.onMessage((m) => got.push(`${c.getLabel()}:${m as string}`));
      await Promise.all(ours.map(rivuletOpen));
      ours[0]!.send('a');
      ours[1]!.send('b');
      await until(() => got.length === 2, 5000, 'PR messages');
      expect(got.sort()).to.deep.equal(['life100:b', 'rexmit0:a']);
      for (const c of [...ours, rexmit, lifetime]) c.close();
    });

    it('negotiated channel with a chosen id carries data both ways without DCEP', async () => {
      const pcBase = pair.pcChannels.length;
      const peerBase = pair.peerChannels.length;
      const mine = pair.pc.createDataChannel('neg', { negotiated: true, id: 77 });
      const theirs = pair.peer.createDataChannel('neg', { negotiated: true, id: 77 });
      expect(mine.id).to.equal(77);
      expect(theirs.getId()).to.equal(77);
      const gotUs: Received[] = [];
      const gotPeer: Received[] = [];
      mine.onmessage = (e) => gotUs.push(toBytes(e.data));
      theirs.onMessage((m) => gotPeer.push(toBytes(m)));
      await Promise.all([rivuletOpen(mine), ndcOpen(theirs)]);
      mine.send('to ndc');
      mine.send(pattern(3000, 1));
      theirs.sendMessage('to rivulet');
      theirs.sendMessageBinary(Buffer.from(pattern(5000, 2)));
      await until(() => gotUs.length === 2 && gotPeer.length === 2, 5000, 'negotiated messages');
      expectSame(gotUs, ['to rivulet', pattern(5000, 2)], 'at Rivulet');
      expectSame(gotPeer, ['to ndc', pattern(3000, 1)], 'at node-datachannel');
      expect(pair.pcChannels.length).to.equal(pcBase);
      expect(pair.peerChannels.length).to.equal(peerBase);
      mine.close();
      await until(() => mine.readyState === 'closed', 5000, 'negotiated channel closed');
    });

    it('100 channels opened by Rivulet, one message each, closed by Rivulet: both sides see close', async () => {
      const base = pair.peerChannels.length;
      const ours = Array.from({ length: 100 }, (_, i) => pair.pc.createDataChannel(`r${i}`));
      expect(new Set(ours.map((c) => c.id)).size).to.equal(100);
      await until(() => pair.peerChannels.length === base + 100, 10_000, '100 channels at node-datachannel');
      const theirs = pair.peerChannels.slice(base);
      const got = new Map<string, string[]>();
      let peerClosed = 0;
      for (const c of theirs) {
        const label = c.getLabel();
        got.set(label, []);
        c.onMessage((m) => got.get(label)!.push(m as string));
        c.onClosed(() => { peerClosed++; });
      }
      expect(theirs.map((c) => c.getLabel()).sort()).to.deep.equal(ours.map((c) => c.label).sort());
      await Promise.all(ours.map(rivuletOpen));
      for (const c of ours) c.send(`hello ${c.label}`);
      await until(() => [...got.values()].every((v) => v.length === 1), 10_000, 'one message on each channel');
      for (const [label, msgs] of got) expect(msgs).to.deep.equal([`hello ${label}`]);
      let ourClosed = 0;
      for (const c of ours) c.onclose = () => { ourClosed++; };
      for (const c of ours) c.close();
      await until(() => ourClosed === 100 && peerClosed === 100, 10_000, 'close seen on both sides');
      expect(ours.every((c) => c.readyState === 'closed')).to.equal(true);
    });

    it('100 channels opened by node-datachannel, closed by node-datachannel: both sides see close', async () => {
      const base = pair.pcChannels.length;
      const theirs = Array.from({ length: 100 }, (_, i) => pair.peer.createDataChannel(`n${i}`));
      let peerClosed = 0;
      for (const c of theirs) c.onClosed(() => { peerClosed++; });
      await until(() => pair.pcChannels.length === base + 100, 10_000, '100 channels at Rivulet');
      const ours = pair.pcChannels.slice(base);
      expect(ours.map((c) => c.label).sort()).to.deep.equal(theirs.map((c) => c.getLabel()).sort());
      const got = new Map<string, string[]>(ours.map((c) => [c.label, []]));
      let ourClosed = 0;
      let closing = 0;
      for (const c of ours) {
        c.onmessage = (e) => got.get(c.label)!.push(e.data as string);
        c.onclose = () => { ourClosed++; };
        c.onclosing = () => { closing++; };
      }
      await Promise.all(theirs.map(ndcOpen));
      for (const c of theirs) c.sendMessage(`hi ${c.getLabel()}`);
      await until(() => [...got.values()].every((v) => v.length === 1), 10_000, 'one message on each channel');
      for (const [label, msgs] of got) expect(msgs).to.deep.equal([`hi ${label}`]);
      for (const c of theirs) c.close();
      await until(() => ourClosed === 100 && peerClosed === 100, 10_000, 'close seen on both sides');
      expect(closing).to.equal(100);
      expect(ours.every((c) => c.readyState === 'closed')).to.equal(true);
    });

    it('close() right after send(): everything queued arrives before close, from either side', async () => {
      // RFC 8831 §6.7 / W3C closing procedure: data sent before close() is still delivered.
      const base = pair.peerChannels.length;
      const mine = pair.pc.createDataChannel('close-after-send');
      await until(() => pair.peerChannels.length === base + 1, 5000, 'channel at node-datachannel');
      const atPeer = pair.peerChannels[base]!;
      const events: string[] = [];
      let bytes = 0;
      atPeer.onMessage((m) => { bytes += (m as Buffer).length; events.push('message'); });
      atPeer.onClosed(() => events.push('close'));
      await rivuletOpen(mine);
      for (let i = 0; i < 32; i++) mine.send(pattern(65536, i));
      mine.close();
      expect(mine.readyState).to.equal('closing');
      await until(() => events.includes('close'), 15_000, 'close at node-datachannel');
      expect(bytes).to.equal(32 * 65536);
      expect(events.indexOf('close')).to.equal(32);
      await until(() => mine.readyState === 'closed', 5000, 'Rivulet channel closed');

      const pcBase = pair.pcChannels.length;
      const theirs = pair.peer.createDataChannel('close-after-send-2');
      await until(() => pair.pcChannels.length === pcBase + 1, 5000, 'channel at Rivulet');
      const atUs = pair.pcChannels[pcBase]!;
      const ours: string[] = [];
      let ourBytes = 0;
      atUs.onmessage = (e) => { ourBytes += (e.data as ArrayBuffer).byteLength; ours.push('message'); };
      atUs.onclose = () => ours.push('close');
      await ndcOpen(theirs);
      for (let i = 0; i < 32; i++) theirs.sendMessageBinary(Buffer.from(pattern(65536, i)));
      theirs.close();
      await until(() => ours.includes('close'), 15_000, 'close at Rivulet');
      expect(ourBytes).to.equal(32 * 65536);
      expect(ours.indexOf('close')).to.equal(32);
    });

    it('bufferedAmount counts queued bytes, bufferedamountlow fires and the buffer drains; 4 MiB arrives intact', async () => {
      const base = pair.peerChannels.length;
      const dc = pair.pc.createDataChannel('buffered');
      await until(() => pair.peerChannels.length === base + 1, 5000, 'buffered channel at node-datachannel');
      const remote = pair.peerChannels[base]!;
      expect(remote.getLabel()).to.equal('buffered');
      let bytes = 0;
      let count = 0;
      let bad = 0;
      remote.onMessage((m) => {
        const b = m as Buffer;
        if (b.length !== 65536 || b[0] !== (count & 0xff) || b[65535] !== ((65535 * 31 + count) & 0xff)) bad++;
        bytes += b.length;
        count++;
      });
      await rivuletOpen(dc);
      dc.bufferedAmountLowThreshold = 65536;
      const lows: number[] = [];
      dc.onbufferedamountlow = () => lows.push(dc.bufferedAmount);
      for (let i = 0; i < 64; i++) dc.send(pattern(65536, i));
      // W3C §6.2: within this task bufferedAmount counts every byte sent, even what SCTP already put on the wire.
      expect(dc.bufferedAmount).to.equal(64 * 65536);
      await until(() => bytes === 64 * 65536, 15_000, '4 MiB at node-datachannel');
      await until(() => dc.bufferedAmount === 0, 5000, 'bufferedAmount drained');
      expect(lows.length).to.be.greaterThan(0);
      expect(lows[0]).to.be.at.most(65536);
      expect([count, bad]).to.deep.equal([64, 0]);
      dc.close();
    });
  });
}

describe('data channels with node-datachannel: a smaller remote max-message-size', function () {
  this.timeout(20_000);
  let pair: NdcPair;
  before(async () => { pair = await connectNodeDatachannel({ offerer: 'node-datachannel', peerMaxMessageSize: 65536 }); });
  after(() => pair?.close());

  it('Rivulet takes node-datachannel\'s 65536 from the SDP: 65536 B arrives, 65537 B is a TypeError', async () => {
    expect(pair.pc.sctp?.maxMessageSize).to.equal(65536);
    const dc = pair.pc.createDataChannel('small-max');
    await until(() => pair.peerChannels.length === 1, 5000, 'channel at node-datachannel');
    const got: Received[] = [];
    pair.peerChannels[0]!.onMessage((m) => got.push(toBytes(m)));
    await rivuletOpen(dc);
    expect(() => dc.send(new Uint8Array(65537))).to.throw(TypeError, /65537 bytes exceeds .* 65536/);
    expect(() => dc.send('x'.repeat(65537))).to.throw(TypeError);
    expect(dc.bufferedAmount).to.equal(0);
    dc.send(pattern(65536, 9));
    await until(() => got.length === 1, 5000, 'the 64 KiB message');
    expectSame(got, [pattern(65536, 9)], 'at node-datachannel');
    expect(dc.readyState).to.equal('open');
  });
});

/**
 * RTX for rid-based simulcast (RFC 8852 §3 RepairedRtpStreamId, RFC 4588 §4): the RTX SSRCs
 * are not in the SDP, as browsers send it; retransmissions must still be unwrapped into their layer.
 */
import { expect } from 'chai';
import { RtpPacket } from '@rivulet/rtp';
import { MediaStream, MediaStreamTrackSource, readTrack, simulcastLayerTrack, type RTCPeerConnection } from '../src/index.js';
import { createPair, negotiate, until, type Pair } from './helpers/peers.js';

// Our offers' extension ids (jsep/capabilities.ts); the answerer keeps them.
const MID = 4;
const RID = 10;
const RRID = 11;
const RIDS = ['r0', 'r1', 'r2'];

async function statsOf(pc: RTCPeerConnection) {
  const all = [...(await pc.getStats()).values()];
  return {
    inbound: new Map(all.filter((s) => s.type === 'inbound-rtp').map((s) => [s['ssrc'] as number, s])),
    outbound: all.filter((s) => s.type === 'outbound-rtp'),
    counters: (all.find((s) => s.type === 'transport')?.['rivuletCounters'] ?? {}) as Record<string, number>,
  };
}

/** `a` sends rid simulcast (layers rids), `b` receives; returns b's per-layer tracks. */
async function simulcastPair(rids: string[], mungeOffer?: (sdp: string) => string): Promise<Pair & { src: MediaStreamTrackSource; mid: string }> {
  const pair = createPair();
  const src = new MediaStreamTrackSource({ kind: 'video' });
  pair.a.addTransceiver(src.createTrack(), { direction: 'sendonly', streams: [new MediaStream()], sendEncodings: rids.map((rid) => ({ rid })) });
  await pair.a.setLocalDescription();
  const offer = pair.a.localDescription!;
  await pair.b.setRemoteDescription({ type: 'offer', sdp: mungeOffer ? mungeOffer(offer.sdp) : offer.sdp });
  await pair.b.setLocalDescription();
  await pair.a.setRemoteDescription(pair.b.localDescription!);
  await until(() => pair.a.connectionState === 'connected' && pair.b.connectionState === 'connected', 3000, 'connected');
  return { ...pair, src, mid: pair.b.getTransceivers()[0]!.mid! };
}

interface Got { seq: number; ssrc: number; pt: number; payload: string }
function collect(track: import('../src/index.js').MediaStreamTrack): Got[] {
  const out: Got[] = [];
  readTrack(track, {
    rtp: (raw) => {
      const p = RtpPacket.parse(Buffer.from(raw));
      out.push({ seq: p.sequenceNumber, ssrc: p.ssrc, pt: p.payloadType, payload: p.payload.toString('hex') });
    },
  });
  return out;
}

describe('simulcast RTX without a=ssrc-group:FID (RFC 8852 repaired-rid)', function () {
  this.timeout(15000);

  it('a 3-layer simulcast sender: lost packets of every layer come back through RTX with repaired-rid and fill the gaps exactly', async () => {
    const { a, b, bundles, src, close } = await simulcastPair(RIDS);
    try {
      // The precondition: nothing in the offer names an RTX SSRC; repaired-rid is negotiated.
      expect(a.localDescription!.sdp).to.not.match(/a=ssrc/);
      expect(a.localDescription!.sdp).to.match(/a=extmap:11 urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id/);
      expect(b.localDescription!.sdp).to.match(/a=extmap:11 urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id/);
      const receiver = b.getReceivers()[0]!;
      const layers = RIDS.map((rid) => collect(simulcastLayerTrack(receiver, rid)));
      // What a put on the wire, per media SSRC; which originals were lost; the RTX packets.
      const sent = new Map<number, Map<number, string>>();
      const ridOfSsrc = new Map<number, string>();
      const lose = new Set([2, 5]); // the 3rd and 6th packet of every layer, once
      const lost: string[] = [];
      const rtx: { ssrc: number; rid: string | undefined; rrid: string | undefined; osn: number }[] = [];
      bundles.a!.dropRtp = (raw) => {
        const p = RtpPacket.parse(Buffer.from(raw));
        if (p.payloadType === 97) {
          rtx.push({ ssrc: p.ssrc, rid: p.getExtension(RID)?.toString(), rrid: p.getExtension(RRID)?.toString(), osn: p.payload.readUInt16BE(0) });
          return false;
        }
        let m = sent.get(p.ssrc);
        if (!m) sent.set(p.ssrc, (m = new Map()));
        ridOfSsrc.set(p.ssrc, p.getExtension(RID)!.toString());
        m.set(p.sequenceNumber, p.payload.toString('hex'));
        const index = m.size - 1;
        if (lose.has(index) && !lost.includes(`${p.ssrc}/${p.sequenceNumber}`)) {
          lost.push(`${p.ssrc}/${p.sequenceNumber}`);
          return true;
        }
        return false;
      };
      for (let i = 0; i < 10; i++) {
        RIDS.forEach((rid, l) => src.writeRtp(new RtpPacket({
          payloadType: 96, sequenceNumber: 1000 * l + i, timestamp: 3000 * i, ssrc: 0x100 + l, marker: true,
          extensions: [{ id: RID, data: Buffer.from(rid) }], payload: Buffer.from([l, i, 0xaa, 0x55, i * 7]),
        }).serialize()));
        await new Promise((r) => setTimeout(r, 5));
      }
      await until(() => layers.every((g) => g.length === 10), 5000, 'ten packets per layer', () => layers.map((g) => g.length).join('/'));
      expect(lost.length).to.equal(6);
      expect(sent.size).to.equal(3);
      for (const [l, rid] of RIDS.entries()) {
        const ssrc = [...ridOfSsrc].find(([, r]) => r === rid)![0];
        const wire = sent.get(ssrc)!;
        // Exactly what was sent on that layer, each packet once, in the original SSRC/PT/sequence space.
        const got = layers[l]!;
        expect(got.map((g) => g.ssrc)).to.deep.equal(new Array(10).fill(ssrc));
        expect(got.map((g) => g.pt)).to.deep.equal(new Array(10).fill(96));
        expect([...got].sort((x, y) => ((x.seq - got[0]!.seq) & 0xffff) - ((y.seq - got[0]!.seq) & 0xffff)).map((g) => [g.seq, g.payload]))
          .to.deep.equal([...wire]);
        // Each layer's RTX: repaired-rid names the layer, RtpStreamId is gone (RFC 8852 §3).
        const mine = rtx.filter((r) => r.rrid === rid);
        expect(mine.map((r) => `${ssrc}/${r.osn}`).sort()).to.deep.equal(lost.filter((x) => x.startsWith(`${ssrc}/`)).sort());
        expect(mine.every((r) => r.rid === undefined)).to.equal(true);
        expect(new Set(mine.map((r) => r.ssrc)).size).to.equal(1);
      }
      const sb = await statsOf(b);
      for (const ssrc of sent.keys()) {
        expect(sb.inbound.get(ssrc)!['retransmittedPacketsReceived'], `inbound ${ssrc}`).to.equal(2);
        expect(sb.inbound.get(ssrc)!['retransmittedBytesReceived']).to.equal(10);
      }
      expect(sb.counters['rtx-unbound'] ?? 0).to.equal(0);
      const sa = await statsOf(a);
      expect(sa.outbound.map((o) => o['retransmittedPacketsSent'])).to.deep.equal([2, 2, 2]);
    } finally {
      close();
    }
  });

  it('when the answer leaves repaired-rid out, the RTX of a simulcast layer carries neither rid nor repaired-rid', async () => {
    const { a, b, bundles, close } = createPair();
    try {
      const src = new MediaStreamTrackSource({ kind: 'video' });
      a.addTransceiver(src.createTrack(), { direction: 'sendonly', streams: [new MediaStream()], sendEncodings: [{ rid: 'r0' }, { rid: 'r1' }] });
      await a.setLocalDescription();
      await b.setRemoteDescription(a.localDescription!);
      await b.setLocalDescription();
      const answer = b.localDescription!.sdp.replace(/a=extmap:11 [^\r\n]*\r\n/, '');
      expect(answer).to.not.match(/repaired-rtp-stream-id/);
      await a.setRemoteDescription({ type: 'answer', sdp: answer });
      await until(() => a.connectionState === 'connected', 3000, 'connected');
      const rtx: (string | undefined)[][] = [];
      let n = 0;
      bundles.a!.dropRtp = (raw) => {
        const p = RtpPacket.parse(Buffer.from(raw));
        if (p.payloadType === 97) rtx.push([p.getExtension(RID)?.toString(), p.getExtension(RRID)?.toString(), p.getExtension(MID)?.toString()]);
        return p.payloadType === 96 && ++n === 3;
      };
      for (let i = 0; i < 6; i++) {
        src.writeRtp(new RtpPacket({ payloadType: 96, sequenceNumber: i, timestamp: 3000 * i, ssrc: 5, extensions: [{ id: RID, data: Buffer.from('r0') }], payload: Buffer.from([i]) }).serialize());
        await new Promise((r) => setTimeout(r, 5));
      }
      await until(() => rtx.length > 0, 3000, 'a retransmission');
      expect(rtx[0]).to.deep.equal([undefined, undefined, a.getTransceivers()[0]!.mid]);
      // Without repaired-rid and without FID the receiver cannot place it: dropped and counted.
      let st = await statsOf(b);
      for (let i = 0; i < 100 && !(st.counters['rtx-unbound']! >= 1); i++) {
        await new Promise((r) => setTimeout(r, 10));
        st = await statsOf(b);
      }
      expect(st.counters['rtx-unbound']).to.be.at.least(1);
    } finally {
      close();
    }
  });

  describe('synthetic packets into the receiver', () => {
    const layerPacket = (ssrc: number, seq: number, exts: { id: number; data: string }[], pt = 96, payload = Buffer.from([seq & 0xff, 1, 2, 3])) =>
      new RtpPacket({ payloadType: pt, sequenceNumber: seq, timestamp: seq * 90, ssrc, extensions: exts.map((e) => ({ id: e.id, data: Buffer.from(e.data) })), payload }).serialize();
    const rtxPacket = (ssrc: number, rtxSeq: number, osn: number, exts: { id: number; data: string }[], payload = Buffer.from([osn & 0xff, 1, 2, 3])) =>
      layerPacket(ssrc, rtxSeq, exts, 97, Buffer.concat([Buffer.from([osn >> 8, osn & 0xff]), payload]));

    it('binds the RTX SSRC by repaired-rid, unwraps it into the layer; duplicates, unknown rids, no rid, too early, malformed: dropped and counted', async () => {
      const { b, bundles, mid, close } = await simulcastPair(['r0', 'r1']);
      try {
        const receiver = b.getReceivers()[0]!;
        const r0 = collect(simulcastLayerTrack(receiver, 'r0'));
        const r1 = collect(simulcastLayerTrack(receiver, 'r1'));
        const all = collect(receiver.track);
        const inject = (raw: Buffer) => bundles.b!.emit('rtp', raw);
        const m = { id: MID, data: mid };
        for (const s of [100, 101, 103, 104]) inject(layerPacket(0x1111, s, [m, { id: RID, data: 'r0' }]));
        await until(() => r0.length === 4, 2000, 'layer r0 media');
        // Too early: no r1 packet has been received yet, so there is no layer SSRC to repair.
        inject(rtxPacket(0x5555, 1, 7, [m, { id: RRID, data: 'r1' }]));
        // The retransmission of 102, on an SSRC nobody announced: unwrapped into r0.
        inject(rtxPacket(0x2222, 9000, 102, [m, { id: RRID, data: 'r0' }]));
        await until(() => r0.length === 5, 2000, 'the retransmission in layer r0');
        expect(r0[4]).to.deep.equal({ seq: 102, ssrc: 0x1111, pt: 96, payload: Buffer.from([102, 1, 2, 3]).toString('hex') });
        // Once bound, later RTX of that SSRC needs no extension; these two repair nothing.
        inject(rtxPacket(0x2222, 9001, 102, [m])); // the same retransmission again
        inject(rtxPacket(0x2222, 9002, 101, [m])); // a packet that was never lost
        inject(layerPacket(0x2222, 9003, [m], 97, Buffer.from([1]))); // no room for the OSN
        inject(rtxPacket(0x3333, 1, 102, [m, { id: RRID, data: 'zz' }])); // a rid the remote does not send
        inject(rtxPacket(0x4444, 1, 102, [m])); // no repaired-rid, no FID
        inject(layerPacket(0x1111, 105, [m]));
        await until(() => r0.length === 6, 2000, 'the next media packet');
        expect(r0.map((g) => g.seq)).to.deep.equal([100, 101, 103, 104, 102, 105]);
        expect(r1).to.deep.equal([]);
        expect(all.length).to.equal(6);
        const st = await statsOf(b);
        expect(st.counters['rtx-unknown-rid']).to.equal(1);
        expect(st.counters['rtx-unbound']).to.equal(1);
        expect(st.counters['rtx-before-media']).to.equal(1);
        expect(st.inbound.get(0x1111)!['retransmittedPacketsReceived']).to.equal(1);
        expect(st.inbound.get(0x1111)!['retransmittedBytesReceived']).to.equal(4);
        expect(st.inbound.has(0x2222)).to.equal(false);
        // r1 arrives later: its RTX SSRC binds then.
        inject(layerPacket(0x1112, 50, [m, { id: RID, data: 'r1' }]));
        inject(layerPacket(0x1112, 52, [m, { id: RID, data: 'r1' }]));
        inject(rtxPacket(0x5555, 2, 51, [m, { id: RRID, data: 'r1' }]));
        await until(() => r1.length === 3, 2000, 'layer r1 with its retransmission');
        expect(r1.map((g) => [g.seq, g.ssrc, g.pt])).to.deep.equal([[50, 0x1112, 96], [52, 0x1112, 96], [51, 0x1112, 96]]);
        expect(r0.length).to.equal(6);
      } finally {
        close();
      }
    });

    it('rid simulcast with an announced FID (as Firefox sends it) keeps unwrapping without repaired-rid', async () => {
      // Firefox writes a=ssrc-group:FID per layer beside a=rid; splice such lines into our offer.
      const { b, bundles, mid, close } = await simulcastPair(['r0', 'r1'], (sdp) => sdp.replace(
        /(a=simulcast:[^\r\n]*\r\n)/,
        '$1a=ssrc-group:FID 4369 8738\r\na=ssrc:4369 cname:x\r\na=ssrc:8738 cname:x\r\n',
      ));
      try {
        const r0 = collect(simulcastLayerTrack(b.getReceivers()[0]!, 'r0'));
        const m = { id: MID, data: mid };
        for (const s of [7, 9]) bundles.b!.emit('rtp', layerPacket(4369, s, [m, { id: RID, data: 'r0' }]));
        bundles.b!.emit('rtp', rtxPacket(8738, 1, 8, [m]));
        await until(() => r0.length === 3, 2000, 'the FID retransmission in layer r0');
        expect(r0.map((g) => [g.seq, g.ssrc, g.pt])).to.deep.equal([[7, 4369, 96], [9, 4369, 96], [8, 4369, 96]]);
        const st = await statsOf(b);
        expect(st.inbound.get(4369)!['retransmittedPacketsReceived']).to.equal(1);
        expect(st.counters['rtx-unbound'] ?? 0).to.equal(0);
      } finally {
        close();
      }
    });
  });

  describe('forwarding repaired packets (SFU passthrough)', () => {
    const pkt = (seq: number, ssrc: number) => new RtpPacket({ payloadType: 96, sequenceNumber: seq, timestamp: seq * 3000, ssrc, payload: Buffer.from([seq & 0xff]) }).serialize();

    it('a late packet keeps its place; the next source continues after the newest; a late packet from before the switch is dropped; a far jump back restarts', async () => {
      const { a, b, close } = createPair();
      try {
        const src1 = new MediaStreamTrackSource({ kind: 'video' });
        const src2 = new MediaStreamTrackSource({ kind: 'video' });
        a.addTrack(src1.createTrack(), new MediaStream());
        const got: { seq: number; first: number }[] = [];
        b.ontrack = (e) => readTrack(e.track, { rtp: (raw) => { const p = RtpPacket.parse(Buffer.from(raw)); got.push({ seq: p.sequenceNumber, first: p.payload[0]! }); } });
        await negotiate(a, b);
        await until(() => a.connectionState === 'connected' && b.connectionState === 'connected', 3000, 'connected');
        for (const s of [10, 12, 11]) src1.writeRtp(pkt(s, 0x77)); // 11 repaired late
        await until(() => got.length === 3, 2000, 'three packets');
        const base = got[0]!.seq;
        const rel = () => got.map((g) => [(g.seq - base) & 0xffff, g.first]);
        expect(rel()).to.deep.equal([[0, 10], [2, 12], [1, 11]]);
        await a.getSenders()[0]!.replaceTrack(src2.createTrack());
        src2.writeRtp(pkt(500, 0x88));
        src2.writeRtp(pkt(499, 0x88)); // from before the switch: would repeat 12's number
        src2.writeRtp(pkt(501, 0x88));
        await until(() => got.length === 5, 2000, 'the second source');
        // A restart of the same SSRC far back is a new start, continuing after the newest.
        src2.writeRtp(pkt(40000, 0x88));
        await until(() => got.length === 6, 2000, 'the restarted source');
        await new Promise((r) => setTimeout(r, 30));
        expect(rel()).to.deep.equal([[0, 10], [2, 12], [1, 11], [3, 500 & 0xff], [4, 501 & 0xff], [5, 40000 & 0xff]]);
      } finally {
        close();
      }
    });
  });

  it('an SFU forwarding a simulcast remote track keeps each repaired packet in its layer downstream', async () => {
    // publisher a → sfu b (losses on this hop, repaired by RTX with repaired-rid) → subscriber c (rid simulcast again)
    const up = await simulcastPair(['lo', 'hi']);
    const down = createPair();
    try {
      const receiver = up.b.getReceivers()[0]!;
      down.a.addTransceiver(receiver.track, { direction: 'sendonly', streams: [new MediaStream()], sendEncodings: [{ rid: 'lo' }, { rid: 'hi' }] });
      await negotiate(down.a, down.b);
      await until(() => down.b.connectionState === 'connected', 3000, 'downstream connected');
      const sub = down.b.getReceivers()[0]!;
      const got = { lo: collect(simulcastLayerTrack(sub, 'lo')), hi: collect(simulcastLayerTrack(sub, 'hi')) };
      let n = 0;
      // Every 4th media packet of the publisher, except near the end (a lost last packet shows no gap).
      up.bundles.a!.dropRtp = (raw) => (raw[1]! & 0x7f) === 96 && ++n % 4 === 0 && n < 20;
      for (let i = 0; i < 12; i++) {
        for (const [l, rid] of ['lo', 'hi'].entries()) {
          up.src.writeRtp(new RtpPacket({
            payloadType: 96, sequenceNumber: 100 * l + i, timestamp: 3000 * i, ssrc: 0x300 + l,
            extensions: [{ id: RID, data: Buffer.from(rid) }], payload: Buffer.from([l, i]),
          }).serialize());
        }
        await new Promise((r) => setTimeout(r, 5));
      }
      await until(() => got.lo.length === 12 && got.hi.length === 12, 5000, 'twelve packets per layer downstream', () => `${got.lo.length}/${got.hi.length}`);
      expect(n).to.be.at.least(24);
      for (const [l, rid] of (['lo', 'hi'] as const).entries()) {
        const g = got[rid];
        const base = Math.min(...g.map((x) => x.seq));
        // Each layer's payloads, ordered by the subscriber's sequence numbers: 0..11 without a gap or a stranger.
        const bySeq = [...g].sort((x, y) => x.seq - y.seq);
        expect(bySeq.map((x) => x.seq - base)).to.deep.equal([...Array(12).keys()]);
        expect(bySeq.map((x) => x.payload)).to.deep.equal([...Array(12).keys()].map((i) => Buffer.from([l, i]).toString('hex')));
        expect(new Set(g.map((x) => x.ssrc)).size).to.equal(1);
      }
      expect(got.lo[0]!.ssrc).to.not.equal(got.hi[0]!.ssrc);
    } finally {
      up.close();
      down.close();
    }
  });
});

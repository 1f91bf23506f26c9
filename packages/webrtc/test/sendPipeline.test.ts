import { expect } from 'chai';
import { RtpPacket } from '@rivulet/rtp';
import { MediaStream, MediaStreamTrackSource, RTCRtpReceiver, readTrack, simulcastLayerTrack } from '../src/index.js';
import { createPair, negotiate, until } from './helpers/peers.js';

function rtp(ssrc: number, seq: number, ts: number, pt = 96): Buffer {
  return new RtpPacket({ payloadType: pt, sequenceNumber: seq, timestamp: ts, ssrc, payload: Buffer.from([seq & 0xff]) }).serialize();
}

describe('send pipeline', function () {
  this.timeout(10000);

  it('rewrites forwarded RTP: our SSRC and payload type, contiguous numbering across replaceTrack, one input SSRC at a time', async () => {
    const { a, b, close } = createPair();
    const s1 = new MediaStreamTrackSource({ kind: 'video' });
    const s2 = new MediaStreamTrackSource({ kind: 'video' });
    const sender = a.addTrack(s1.createTrack(), new MediaStream());
    const got: RtpPacket[] = [];
    b.ontrack = (e) => readTrack(e.track, { rtp: (p) => got.push(RtpPacket.parse(Buffer.from(p))) });
    await negotiate(a, b);
    await until(() => a.connectionState === 'connected', 3000, 'connected');
    const pt = sender.getParameters().codecs[0]!.payloadType;
    // Two layers interleaved (a simulcast remote track forwarded without rids): only the first is sent.
    for (let i = 0; i < 4; i++) {
      s1.writeRtp(rtp(0x1111, 1000 + i, 90000 + i * 3000, 120));
      s1.writeRtp(rtp(0x2222, 5000 + i, 7000 + i * 3000, 120));
    }
    await until(() => got.length === 4, 3000, 'first layer');
    await sender.replaceTrack(s2.createTrack());
    for (let i = 0; i < 3; i++) s2.writeRtp(rtp(0x3333, 60000 + i, 1 + i * 3000, 121));
    await until(() => got.length === 7, 3000, 'after replaceTrack');
    await new Promise((r) => setTimeout(r, 20));
    expect(got).to.have.length(7);
    const ssrcs = new Set(got.map((p) => p.ssrc));
    expect(ssrcs.size).to.equal(1);
    expect([...ssrcs][0]).to.not.be.oneOf([0x1111, 0x2222, 0x3333]);
    expect(got.every((p) => p.payloadType === pt)).to.equal(true);
    const seqs = got.map((p) => p.sequenceNumber);
    for (let i = 1; i < seqs.length; i++) expect((seqs[i]! - seqs[i - 1]! + 65536) % 65536).to.equal(1);
    expect([...got.map((p) => p.payload[0])]).to.deep.equal([0xe8, 0xe9, 0xea, 0xeb, 0x60, 0x61, 0x62]);
    // Timestamps keep their spacing within a source and move forward across the switch.
    expect((got[1]!.timestamp - got[0]!.timestamp) >>> 0).to.equal(3000);
    expect((got[4]!.timestamp - got[3]!.timestamp) >>> 0).to.be.greaterThan(0).and.lessThan(90000);
    close();
  });

  it('payloads frames with the negotiated codec and timestamps them on its clock', async () => {
    const { a, b, close } = createPair();
    const src = new MediaStreamTrackSource({ kind: 'audio', mimeType: 'audio/opus' });
    a.addTrack(src.createTrack(), new MediaStream());
    const got: RtpPacket[] = [];
    b.ontrack = (e) => readTrack(e.track, { rtp: (p) => got.push(RtpPacket.parse(Buffer.from(p))) });
    await negotiate(a, b);
    await until(() => a.connectionState === 'connected', 3000, 'connected');
    src.writeFrame({ data: new Uint8Array([1, 2, 3]), timestamp: 1_000_000 });
    src.writeFrame({ data: new Uint8Array([4, 5]), timestamp: 1_020_000 });
    await until(() => got.length === 2, 3000, 'two Opus packets');
    expect(got[0]!.payloadType).to.equal(111);
    expect([...got[1]!.payload]).to.deep.equal([4, 5]);
    expect((got[1]!.timestamp - got[0]!.timestamp) >>> 0).to.equal(960); // 20 ms at 48 kHz
    const mid = got[0]!.extensions.find((e) => e.data.toString() === '0');
    expect(mid).to.not.equal(undefined);
    close();
  });
});

describe('frame timeline across replaceTrack and enabled', function () {
  this.timeout(10000);

  /** A VP8 sender a → b over the in-memory pair; what b receives, parsed. */
  async function vp8Pair() {
    const pair = createPair();
    const s1 = new MediaStreamTrackSource({ kind: 'video', mimeType: 'video/VP8' });
    const sender = pair.a.addTrack(s1.createTrack(), new MediaStream());
    const got: RtpPacket[] = [];
    pair.b.ontrack = (e) => readTrack(e.track, { rtp: (p) => got.push(RtpPacket.parse(Buffer.from(p))) });
    await negotiate(pair.a, pair.b);
    await until(() => pair.a.connectionState === 'connected', 3000, 'connected');
    return { ...pair, s1, sender, got };
  }
  const frame = (timestamp: number, keyframe: boolean, tag: number) => ({ data: new Uint8Array([tag, 1, 2, 3]), timestamp, keyframe });
  /** The frame's tag: its first byte, after the VP8 payload descriptor (RFC 7741 §4.2; 4-byte frames fit one packet). */
  const tagOf = (p: RtpPacket) => p.payload[p.payload.length - 4];

  it('replaceTrack: RTP timestamps keep moving forward although the new source starts at 0 µs; its delta frames wait for a key frame, which is requested once', async () => {
    const { s1, sender, got, close } = await vp8Pair();
    s1.writeFrame(frame(5_000_000, true, 0x10));
    s1.writeFrame(frame(5_033_333, false, 0x11));
    await until(() => got.length === 2, 3000, 'two frames from the first source');
    const s2 = new MediaStreamTrackSource({ kind: 'video', mimeType: 'video/VP8' });
    let requests = 0;
    s2.onKeyframeRequest(() => requests++);
    await sender.replaceTrack(s2.createTrack());
    s2.writeFrame(frame(0, false, 0x20)); // a running encoder's delta frame: undecodable here
    s2.writeFrame(frame(33_333, false, 0x21));
    expect(requests, 'key frame requests').to.equal(1);
    s2.writeFrame(frame(66_666, true, 0x22));
    s2.writeFrame(frame(100_000, false, 0x23));
    await until(() => got.length === 4, 3000, 'key frame and delta from the second source');
    await new Promise((r) => setTimeout(r, 20));
    expect(got.map(tagOf)).to.deep.equal([0x10, 0x11, 0x22, 0x23]);
    const step = (k: number) => (got[k]!.timestamp - got[k - 1]!.timestamp) >>> 0;
    expect(step(1)).to.equal(3000);
    // Before the fix the new source's 0 µs mapped 5 s back in RTP time (2^32 - 450000 as a step).
    expect(step(2)).to.be.greaterThan(0).and.lessThan(90_000);
    expect(step(3)).to.equal(3000);
    expect(new Set(got.map((p) => p.ssrc)).size).to.equal(1);
    let dropped: unknown;
    (await sender.getStats()).forEach((x: { type: string; framesDroppedAwaitingKeyframe?: number }) => { if (x.type === 'outbound-rtp') dropped = x.framesDroppedAwaitingKeyframe; });
    expect(dropped).to.equal(2);
    close();
  });

  it('enabled=false sends a black key frame, not the source\'s frames; re-enabled video resumes at a key frame (delta frames dropped, one request)', async () => {
    const { s1, sender, got, close } = await vp8Pair();
    let requests = 0;
    s1.onKeyframeRequest(() => requests++);
    const track = sender.track!;
    s1.writeFrame(frame(0, true, 0x30));
    await until(() => got.length === 1, 3000, 'first frame');
    track.enabled = false;
    s1.writeFrame(frame(33_333, false, 0x31));
    s1.writeFrame(frame(66_666, true, 0x32));
    track.enabled = true;
    track.enabled = true; // no change: no second gap
    s1.writeFrame(frame(100_000, false, 0x33));
    s1.writeFrame(frame(133_333, false, 0x34));
    expect(requests).to.equal(1);
    s1.writeFrame(frame(166_666, true, 0x35));
    await until(() => got.length === 3, 3000, 'key frame after re-enabling');
    await new Promise((r) => setTimeout(r, 20));
    // The middle packet is the black VP8 key frame sent on disabling (disabled-track tests cover it).
    expect(got[1]!.payload.length).to.be.greaterThan(8);
    const real = [got[0]!, got[2]!];
    expect(real.map(tagOf)).to.deep.equal([0x30, 0x35]);
    // The source's clock ran on while disabled: 166 666 µs = 15 000 ticks at 90 kHz.
    expect((real[1]!.timestamp - real[0]!.timestamp) >>> 0).to.equal(15_000);
    close();
  });
});

describe('a disabled audio track is sent as silence', function () {
  this.timeout(10000);

  for (const c of [
    { mimeType: 'audio/opus', payload: [0xf8, 0xff, 0xfe], step: 960 },
    { mimeType: 'audio/PCMU', payload: new Array<number>(160).fill(0xff), step: 160 },
  ]) {
    it(`${c.mimeType}: 20 ms silence packets while disabled, nothing else; real frames resume after them`, async () => {
      const { a, b, close } = createPair();
      const src = new MediaStreamTrackSource({ kind: 'audio', mimeType: c.mimeType });
      const track = src.createTrack();
      a.addTrack(track, new MediaStream());
      const got: RtpPacket[] = [];
      b.ontrack = (e) => readTrack(e.track, { rtp: (p) => got.push(RtpPacket.parse(Buffer.from(p))) });
      await negotiate(a, b);
      await until(() => a.connectionState === 'connected', 3000, 'connected');
      src.writeFrame({ data: new Uint8Array([1, 2, 3]), timestamp: 0 });
      await until(() => got.length === 1, 3000, 'first frame');
      track.enabled = false;
      src.writeFrame({ data: new Uint8Array([9, 9, 9]), timestamp: 20_000 }); // dropped: disabled
      await until(() => got.length >= 6, 3000, 'five silence packets');
      track.enabled = true;
      await new Promise((r) => setTimeout(r, 60));
      const silent = got.length - 1;
      src.writeFrame({ data: new Uint8Array([4, 5, 6]), timestamp: 2_000_000 });
      await until(() => got.length === silent + 2, 3000, 'frame after re-enabling');
      expect(got.slice(1, 1 + silent).every((p) => Buffer.compare(p.payload, Buffer.from(c.payload)) === 0), 'silence payloads').to.equal(true);
      for (let k = 2; k <= silent; k++) expect((got[k]!.timestamp - got[k - 1]!.timestamp) >>> 0, `silence step ${k}`).to.equal(c.step);
      for (let k = 1; k < got.length; k++) expect((got[k]!.sequenceNumber - got[k - 1]!.sequenceNumber + 65536) % 65536).to.equal(1);
      const last = got[got.length - 1]!;
      expect([...last.payload]).to.deep.equal([4, 5, 6]);
      // The real frame continues the timeline after the silence (forward, by about the time since).
      const after = (last.timestamp - got[silent]!.timestamp) >>> 0;
      expect(after).to.be.greaterThan(0).and.lessThan(c.step * 10);
      // Disabled again, then stopped: the silence ends with the track.
      track.enabled = false;
      await until(() => got.length >= silent + 4, 3000, 'silence again');
      track.stop();
      await new Promise((r) => setTimeout(r, 30));
      const atStop = got.length;
      await new Promise((r) => setTimeout(r, 100));
      expect(got.length, 'packets after track.stop()').to.equal(atStop);
      close();
    });
  }
});

describe('simulcast forwarding and per-layer receive', function () {
  this.timeout(10000);

  it('forwards RTP layers by rid and the receiver exposes one track per layer', async () => {
    const { a, b, close } = createPair();
    const src = new MediaStreamTrackSource({ kind: 'video' });
    a.addTransceiver(src.createTrack(), { direction: 'sendonly', streams: [new MediaStream()], sendEncodings: [{ rid: 'lo' }, { rid: 'hi' }] });
    await negotiate(a, b);
    await until(() => a.connectionState === 'connected', 3000, 'connected');
    const receiver = b.getReceivers()[0]!;
    expect(() => simulcastLayerTrack(receiver, 'mid')).to.throw(DOMException, /not among the negotiated rids \[lo, hi\]/);
    const lo = simulcastLayerTrack(receiver, 'lo');
    const hi = simulcastLayerTrack(receiver, 'hi');
    const got = { lo: [] as number[], hi: [] as number[], all: 0 };
    readTrack(lo, { rtp: (p) => got.lo.push(Buffer.from(p).readUInt16BE(2)) });
    readTrack(hi, { rtp: (p) => got.hi.push(Buffer.from(p).readUInt16BE(2)) });
    readTrack(receiver.track, { rtp: () => got.all++ });
    const layer = (rid: string, ssrc: number, seq: number) =>
      new RtpPacket({ payloadType: 96, sequenceNumber: seq, timestamp: seq * 3000, ssrc, extensions: [{ id: 5, data: Buffer.from(rid) }], payload: Buffer.from([1]) }).serialize();
    for (let i = 0; i < 3; i++) {
      src.writeRtp(layer('lo', 0x10, 100 + i));
      src.writeRtp(layer('hi', 0x20, 900 + i));
    }
    await until(() => got.all === 6 && got.lo.length === 3 && got.hi.length === 3, 3000, 'both layers');
    expect(lo.muted).to.equal(false);
    // Each layer is its own RTP stream: one outbound-rtp per rid, with its own SSRC.
    const outbound = [...(await a.getStats()).values()].filter((s) => s.type === 'outbound-rtp');
    expect(outbound.map((s) => [s['rid'], s['packetsSent']])).to.deep.equal([['lo', 3], ['hi', 3]]);
    expect(new Set(outbound.map((s) => s['ssrc'])).size).to.equal(2);
    const inbound = [...(await b.getStats()).values()].filter((s) => s.type === 'inbound-rtp');
    expect(inbound.map((s) => s['packetsReceived'])).to.deep.equal([3, 3]);
    close();
  });
});

describe('codec safety', function () {
  this.timeout(10000);

  it('frames from a source declaring another codec than the negotiated one are dropped and counted, not mislabelled', async () => {
    const { a, b, close } = createPair();
    const src = new MediaStreamTrackSource({ kind: 'video', mimeType: 'video/H264' });
    a.addTrack(src.createTrack(), new MediaStream());
    // The application insists on VP8 although its source produces H.264.
    a.getTransceivers()[0]!.setCodecPreferences(RTCRtpReceiver.getCapabilities('video')!.codecs.filter((c) => c.mimeType === 'video/VP8'));
    let got = 0;
    b.ontrack = (e) => readTrack(e.track, { rtp: () => got++ });
    await negotiate(a, b);
    await until(() => a.connectionState === 'connected', 3000, 'connected');
    expect(a.getSenders()[0]!.getParameters().codecs[0]!.mimeType).to.equal('video/VP8');
    src.writeFrame({ data: new Uint8Array([0, 0, 0, 1, 0x65, 1, 2, 3]), timestamp: 0, keyframe: true });
    await new Promise((r) => setTimeout(r, 30));
    expect(got).to.equal(0);
    const out = [...(await a.getStats()).values()].find((s) => s.type === 'outbound-rtp')!;
    expect(out['framesDroppedCodecMismatch']).to.equal(1);
    close();
  });

  it('a source that declares its codec gets it negotiated first without setCodecPreferences', async () => {
    const { a, b, close } = createPair();
    const src = new MediaStreamTrackSource({ kind: 'video', mimeType: 'video/H264' });
    a.addTrack(src.createTrack(), new MediaStream());
    let got = 0;
    b.ontrack = (e) => readTrack(e.track, { rtp: () => got++ });
    await negotiate(a, b);
    await until(() => a.connectionState === 'connected', 3000, 'connected');
    expect(a.getSenders()[0]!.getParameters().codecs[0]!.mimeType).to.equal('video/H264');
    src.writeFrame({ data: new Uint8Array([0, 0, 0, 1, 0x65, 1, 2, 3]), timestamp: 0, keyframe: true });
    await until(() => got === 1, 3000, 'H.264 packet');
    close();
  });
});

import { expect } from 'chai';
import { FakeClock } from '@rivulet/common';
import { H264Payloader } from '../../src/codecs/h264.js';
import { createDepayloader } from '../../src/codecs/registry.js';
import { Vp8Payloader } from '../../src/codecs/vp8.js';
import { InterceptorChain } from '../../src/interceptors/chain.js';
import { ReceivedFrames } from '../../src/interceptors/receivedFrames.js';
import { StreamStats } from '../../src/interceptors/streamStats.js';
import { RtpPacket } from '../../src/rtp/index.js';

interface Pkt { seq: number; ts: number; marker: boolean; payload: Buffer }

/** Frames payloaded in order: consecutive sequence numbers from `firstSeq`, timestamps 3000 apart. */
function packetize(payload: (f: Buffer) => { payload: Buffer; marker: boolean }[], frames: Buffer[], firstSeq: number): Pkt[] {
  const out: Pkt[] = [];
  let seq = firstSeq;
  frames.forEach((f, i) => {
    for (const p of payload(f)) out.push({ seq: seq++ & 0xffff, ts: 1000 + i * 3000, marker: p.marker, payload: p.payload });
  });
  return out;
}

// VP8 payload header byte 0 bit 0 is P, the inverse key frame flag (RFC 7741 §4.3).
const vp8Key = (n: number) => Buffer.concat([Buffer.from([0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a]), Buffer.alloc(n, 7)]);
const vp8Delta = (n: number) => Buffer.concat([Buffer.from([0x11, 0x02, 0x00]), Buffer.alloc(n, 9)]);
const annexB = (...nals: Buffer[]) => Buffer.concat(nals.flatMap((n) => [Buffer.from([0, 0, 0, 1]), n]));
const nal = (type: number, n: number) => Buffer.concat([Buffer.from([0x60 | type]), Buffer.alloc(n, 3)]);

function feed(frames: ReceivedFrames, pkts: Pkt[]): void {
  for (const p of pkts) frames.onPacket(p.seq, p.ts, p.marker, p.payload);
}

describe('interceptors: ReceivedFrames (webrtc-stats framesReceived / keyFramesReceived)', () => {
  it('VP8: counts complete frames and key frames, across the 16-bit sequence wrap', () => {
    const pay = new Vp8Payloader({ maxPayloadSize: 500, initialPictureId: 1 });
    const frames = [vp8Key(2000), vp8Delta(300), vp8Delta(1200), vp8Key(900), vp8Delta(10)];
    const pkts = packetize((f) => pay.payload(f), frames, 65530);
    const r = new ReceivedFrames(createDepayloader('vp8'));
    feed(r, pkts);
    expect([r.framesReceived, r.keyFramesReceived]).to.deep.equal([5, 2]);
  });

  it('VP8: a frame with a lost packet is not complete until the retransmission arrives; duplicates count once', () => {
    const pay = new Vp8Payloader({ maxPayloadSize: 500, initialPictureId: 1 });
    const pkts = packetize((f) => pay.payload(f), [vp8Key(1500), vp8Delta(1200), vp8Delta(100)], 100);
    const lostIndex = pkts.findIndex((p) => p.ts === 4000) + 1; // the 2nd packet of frame 2
    const lost = pkts[lostIndex]!;
    const r = new ReceivedFrames(createDepayloader('vp8'));
    feed(r, pkts.filter((p) => p !== lost));
    expect([r.framesReceived, r.keyFramesReceived]).to.deep.equal([2, 1]);
    feed(r, [lost, lost]); // NACK-repaired, and a duplicate
    feed(r, pkts.slice(0, 3)); // old duplicates
    expect([r.framesReceived, r.keyFramesReceived]).to.deep.equal([3, 1]);
  });

  it('VP8: a lost first packet leaves the frame incomplete (a later packet does not start a frame: S=0)', () => {
    const pay = new Vp8Payloader({ maxPayloadSize: 500, initialPictureId: 1 });
    const pkts = packetize((f) => pay.payload(f), [vp8Key(1500), vp8Delta(1200)], 7);
    const firstOfSecond = pkts.find((p) => p.ts === 4000)!;
    const lastOfFirst = pkts.filter((p) => p.ts === 1000).at(-1)!;
    const r = new ReceivedFrames(createDepayloader('vp8'));
    feed(r, pkts.filter((p) => p !== firstOfSecond && p !== lastOfFirst));
    expect(r.framesReceived).to.equal(0);
    feed(r, [lastOfFirst]);
    expect([r.framesReceived, r.keyFramesReceived]).to.deep.equal([1, 1]);
    feed(r, [firstOfSecond]);
    expect([r.framesReceived, r.keyFramesReceived]).to.deep.equal([2, 1]);
  });

  it('H.264 (FU-A and STAP-A): frames bounded by the previous frame\'s last packet; IDR access units are key frames', () => {
    const pay = new H264Payloader({ maxPayloadSize: 400 });
    const idr = annexB(nal(7, 10), nal(8, 4), nal(5, 1500));
    const p1 = annexB(nal(1, 700));
    const p2 = annexB(nal(1, 50));
    const pkts = packetize((f) => pay.payload(f), [idr, p1, p2, idr], 300);
    const r = new ReceivedFrames(createDepayloader('h264'));
    feed(r, pkts);
    expect([r.framesReceived, r.keyFramesReceived]).to.deep.equal([4, 2]);
    // With the packet before a frame missing, an H.264 frame cannot be proven complete.
    const r2 = new ReceivedFrames(createDepayloader('h264'));
    const lastOfSecond = pkts.filter((p) => p.ts === 4000).at(-1)!;
    feed(r2, pkts.filter((p) => p !== lastOfSecond));
    // Frame 2 lacks its marker packet; frame 3 lacks proof of its first packet: frames 1 and 4 count.
    expect([r2.framesReceived, r2.keyFramesReceived]).to.deep.equal([2, 2]);
    feed(r2, [lastOfSecond]);
    expect([r2.framesReceived, r2.keyFramesReceived]).to.deep.equal([4, 2]);
  });

  it('StreamStats reports them for a bound video stream (mimeType) and not for audio', () => {
    const stats = new StreamStats();
    const chain = new InterceptorChain([stats], new FakeClock(), { sendRtp: () => {}, sendRtcp: () => {} });
    chain.bindRemoteStream({ ssrc: 5, clockRate: 90000, mimeType: 'video/VP8', rtcpFeedback: [] });
    chain.bindRemoteStream({ ssrc: 6, clockRate: 48000, mimeType: 'audio/opus', rtcpFeedback: [] });
    const pay = new Vp8Payloader({ maxPayloadSize: 500, initialPictureId: 1 });
    for (const p of packetize((f) => pay.payload(f), [vp8Key(800), vp8Delta(100)], 1)) {
      chain.readRtp(RtpPacket.parse(new RtpPacket({ ssrc: 5, payloadType: 96, sequenceNumber: p.seq, timestamp: p.ts, marker: p.marker, payload: p.payload }).serialize()));
    }
    chain.readRtp(new RtpPacket({ ssrc: 6, payloadType: 111, sequenceNumber: 1, timestamp: 0, marker: true, payload: Buffer.from([0xf8, 0xff, 0xfe]) }));
    expect([stats.inbound(5)!.framesReceived, stats.inbound(5)!.keyFramesReceived]).to.deep.equal([2, 1]);
    expect([stats.inbound(6)!.framesReceived, stats.inbound(6)!.keyFramesReceived]).to.deep.equal([undefined, undefined]);
  });
});

import { expect } from 'chai';
import { FakeClock } from '@rivulet/common';
import { nackSequenceNumbers, type RtcpGenericNack, type RtcpPacket } from '../../src/rtcp/index.js';
import { RtpPacket, wrapRtx } from '../../src/rtp/index.js';
import { InterceptorChain } from '../../src/interceptors/chain.js';
import { NackGenerator } from '../../src/interceptors/nackGenerator.js';
import { NackResponder } from '../../src/interceptors/nackResponder.js';
import { harness, media } from './harness.js';

const REMOTE = { ssrc: 1000, clockRate: 90000, payloadType: 96, rtcpFeedback: ['nack'], rtxSsrc: 2000, rtxPayloadType: 97 };

function nacked(rtcp: RtcpPacket[][]): number[][] {
  return rtcp.map((c) => {
    const n = c[0] as RtcpGenericNack;
    expect(n.kind).to.equal('nack');
    expect(n.mediaSsrc).to.equal(1000);
    expect(n.senderSsrc).to.equal(1);
    return nackSequenceNumbers(n.items);
  });
}

describe('interceptors: NackGenerator (RFC 4585 §6.2.1 receiver side)', () => {
  it('NACKs a real gap once it is older than the reorder tolerance, retries paced, stops when it arrives', () => {
    const gen = new NackGenerator();
    const { chain, clock, rtcp } = harness([gen]);
    chain.bindRemoteStream(REMOTE);
    for (const s of [10, 11, 13, 14]) chain.readRtp(media(1000, s));
    expect(gen.missingSequences(1000)).to.deep.equal([12]);
    clock.advance(20); // tick at 20: gap detected at 0, 20 ≥ 10 ms tolerance
    expect(nacked(rtcp)).to.deep.equal([[12]]);
    clock.advance(80); // ticks at 40, 60, 80, 100: last NACK at 20, retry interval 100 not reached before 120
    expect(rtcp.length).to.equal(1);
    clock.advance(20); // tick at 120
    expect(nacked(rtcp)).to.deep.equal([[12], [12]]);
    chain.readRtp(media(1000, 12));
    clock.advance(500);
    expect(rtcp.length).to.equal(2);
    expect(gen.counters.get('recovered')).to.equal(1);
    expect(gen.counters.get('nackedSequences')).to.equal(2);
  });

  it('paces retries at 1.5 × RTT once the RTT is known (clamped to [20, 1000] ms)', () => {
    const gen = new NackGenerator();
    const { chain, clock, rtcp } = harness([gen]);
    chain.bindRemoteStream(REMOTE);
    gen.setRoundTripTime(200);
    expect(gen.retryIntervalMs).to.equal(300);
    chain.readRtp(media(1000, 1));
    chain.readRtp(media(1000, 3));
    clock.advance(20); // first NACK at 20
    clock.advance(280); // 300: no retry yet? last sent 20 → due at 320
    expect(rtcp.length).to.equal(1);
    clock.advance(20); // 320
    expect(rtcp.length).to.equal(2);
    gen.setRoundTripTime(1);
    expect(gen.retryIntervalMs).to.equal(20);
    gen.setRoundTripTime(5000);
    expect(gen.retryIntervalMs).to.equal(1000);
    gen.setRoundTripTime(Number.NaN);
    expect(gen.retryIntervalMs).to.equal(1000);
  });

  it('does not NACK reordering that resolves within the tolerance', () => {
    const gen = new NackGenerator();
    const { chain, clock, rtcp } = harness([gen]);
    chain.bindRemoteStream(REMOTE);
    clock.advance(15); // ticks will land at 20, 40, ...
    chain.readRtp(media(1000, 20));
    chain.readRtp(media(1000, 22));
    clock.advance(4); // t = 19, before the tick
    chain.readRtp(media(1000, 21));
    clock.advance(200);
    expect(rtcp).to.deep.equal([]);
  });

  it('a gap detected just before a tick waits for the next tick (tolerance applies)', () => {
    const gen = new NackGenerator();
    const { chain, clock, rtcp } = harness([gen]);
    chain.bindRemoteStream(REMOTE);
    clock.advance(15);
    chain.readRtp(media(1000, 1));
    chain.readRtp(media(1000, 3)); // 2 missing since t = 15
    clock.advance(5); // tick at 20: age 5 < 10
    expect(rtcp.length).to.equal(0);
    clock.advance(20); // tick at 40: age 25
    expect(nacked(rtcp)).to.deep.equal([[2]]);
  });

  it('handles the 16-bit wrap and several gaps in one NACK with a bitmask', () => {
    const gen = new NackGenerator();
    const { chain, clock, rtcp } = harness([gen]);
    chain.bindRemoteStream(REMOTE);
    for (const s of [65533, 65535, 2, 4]) chain.readRtp(media(1000, s));
    clock.advance(20);
    expect(nacked(rtcp)).to.deep.equal([[65534, 0, 1, 3]]);
    const n = rtcp[0]![0] as RtcpGenericNack;
    // RFC 4585 §6.2.1: bit i of BLP stands for PID + i + 1: 0 → bit 1, 1 → bit 2, 3 → bit 4.
    expect(n.items).to.deep.equal([{ pid: 65534, blp: 0b10110 }]);
  });

  it('persistent loss costs at most maxRetries NACKs per packet (no storm), then gives up', () => {
    const gen = new NackGenerator({ maxRetries: 3, retryIntervalMs: 100 });
    const { chain, clock, rtcp } = harness([gen]);
    chain.bindRemoteStream(REMOTE);
    chain.readRtp(media(1000, 1));
    chain.readRtp(media(1000, 5)); // 2, 3, 4 lost for good
    for (let t = 0; t < 3000; t += 10) {
      clock.advance(10);
      if (t % 40 === 0) chain.readRtp(media(1000, 6 + t / 40)); // the stream goes on, no new gaps
    }
    expect(rtcp.length).to.equal(3);
    for (const seqs of nacked(rtcp)) expect(seqs).to.deep.equal([2, 3, 4]);
    expect(gen.counters.get('givenUp')).to.equal(3);
    expect(gen.missingSequences(1000)).to.deep.equal([]);
  });

  it('treats a huge jump as a discontinuity, not as thousands of losses', () => {
    const gen = new NackGenerator({ maxGap: 1000 });
    const { chain, clock, rtcp } = harness([gen]);
    chain.bindRemoteStream(REMOTE);
    chain.readRtp(media(1000, 100));
    chain.readRtp(media(1000, 100 + 1002)); // gap of 1001 packets
    clock.advance(200);
    expect(rtcp.length).to.equal(0);
    expect(gen.counters.get('discontinuities')).to.equal(1);
  });

  it('bounds the receive log: many gaps keep at most 2048 missing entries, oldest dropped', () => {
    const gen = new NackGenerator();
    const { chain } = harness([gen]);
    chain.bindRemoteStream(REMOTE);
    let seq = 0;
    chain.readRtp(media(1000, seq));
    for (let i = 0; i < 10; i++) {
      seq += 901; // 900 lost each time
      chain.readRtp(media(1000, seq));
    }
    const missing = gen.missingSequences(1000);
    expect(missing.length).to.equal(2048);
    expect(missing[missing.length - 1]).to.equal((seq - 1) & 0xffff);
    expect(gen.counters.get('givenUp')).to.equal(9000 - 2048);
  });

  it('ignores streams that did not negotiate nack, and unwraps RTX into the original stream', () => {
    const gen = new NackGenerator();
    const { chain, clock, rtcp } = harness([gen]);
    chain.bindRemoteStream({ ssrc: 3000, clockRate: 90000, rtcpFeedback: ['nack pli'] });
    chain.bindRemoteStream(REMOTE);
    chain.readRtp(media(3000, 1));
    chain.readRtp(media(3000, 9));
    chain.readRtp(media(1000, 1));
    chain.readRtp(media(1000, 3));
    const original = media(1000, 2);
    const rtx = wrapRtx(original, { payloadType: 97, ssrc: 2000, sequenceNumber: 500 });
    const out = chain.readRtp(RtpPacket.parse(rtx.serialize()));
    expect(out?.ssrc).to.equal(1000);
    expect(out?.sequenceNumber).to.equal(2);
    expect(out?.payloadType).to.equal(96);
    expect(out?.payload.equals(original.payload)).to.equal(true);
    expect(chain.readRtp(new RtpPacket({ ssrc: 2000, payloadType: 97, sequenceNumber: 501, paddingLength: 0 }))).to.equal(undefined);
    expect(gen.counters.get('rtxPaddingDropped')).to.equal(1);
    clock.advance(100);
    expect(rtcp.length).to.equal(0);
  });
});

describe('interceptors: NackResponder (RFC 4585 sender side, RFC 4588 RTX)', () => {
  const LOCAL = { ssrc: 1000, clockRate: 90000, payloadType: 96, rtcpFeedback: ['nack'], rtxSsrc: 2000, rtxPayloadType: 97 };
  const nack = (...seqs: number[]): RtcpGenericNack => ({ kind: 'nack', senderSsrc: 1, mediaSsrc: 1000, items: seqs.map((pid) => ({ pid, blp: 0 })) });

  it('answers with RTX only for packets still in history', () => {
    const res = new NackResponder({ historySize: 16, rtxInitialSequence: () => 7000 });
    const { chain, rtp } = harness([res]);
    chain.bindLocalStream(LOCAL);
    for (let s = 100; s < 120; s++) chain.writeRtp(media(1000, s));
    rtp.length = 0;
    chain.readRtcp([{ kind: 'nack', senderSsrc: 1, mediaSsrc: 1000, items: [{ pid: 110, blp: 0b101 }] }, nack(103)]);
    // 110, 111, 113 are in the 16-slot ring (104..119); 103 was overwritten by 119.
    expect(rtp.map((p) => [p.ssrc, p.payloadType, p.sequenceNumber])).to.deep.equal([[2000, 97, 7000], [2000, 97, 7001], [2000, 97, 7002]]);
    expect(rtp.map((p) => p.payload.readUInt16BE(0))).to.deep.equal([110, 111, 113]);
    expect(rtp[0]!.payload.subarray(2).equals(media(1000, 110).payload)).to.equal(true);
    expect(rtp[0]!.timestamp).to.equal(110 * 3000);
    expect(res.counters.get('notInHistory')).to.equal(1);
    expect(res.counters.get('resentRtx')).to.equal(3);
  });

  it('resends the original without RTX, throttles duplicates and refuses packets that are too old', () => {
    const res = new NackResponder({ maxAgeMs: 1000, minResendIntervalMs: 10 });
    const { chain, clock, rtp } = harness([res]);
    chain.bindLocalStream({ ssrc: 1000, clockRate: 90000, rtcpFeedback: ['nack'] });
    for (let s = 0; s < 10; s++) chain.writeRtp(media(1000, s));
    rtp.length = 0;
    chain.readRtcp([nack(4)]);
    chain.readRtcp([nack(4)]);
    expect(rtp.map((p) => [p.ssrc, p.sequenceNumber])).to.deep.equal([[1000, 4]]);
    expect(res.counters.get('throttled')).to.equal(1);
    clock.advance(10);
    chain.readRtcp([nack(4)]);
    expect(rtp.length).to.equal(2);
    clock.advance(1000);
    chain.readRtcp([nack(5)]);
    expect(rtp.length).to.equal(2);
    expect(res.counters.get('tooOld')).to.equal(1);
  });

  it('end to end over a lossy link: every lost packet is recovered through RTX', () => {
    const clock = new FakeClock();
    let toReceiver: RtpPacket[] = [];
    let toSender: RtcpPacket[][] = [];
    const sender = new InterceptorChain([new NackResponder({ rtxInitialSequence: () => 0 })], clock, {
      sendRtp: (p) => toReceiver.push(RtpPacket.parse(p.serialize())),
      sendRtcp: () => undefined,
    });
    const gen = new NackGenerator();
    const receiver = new InterceptorChain([gen], clock, { sendRtp: () => undefined, sendRtcp: (p) => toSender.push(p) });
    sender.bindLocalStream(LOCAL);
    receiver.bindRemoteStream(REMOTE);
    const lost = new Set([5, 6, 7, 40, 41, 99, 150]);
    const got = new Set<number>();
    for (let s = 0; s < 200; s++) {
      sender.writeRtp(media(1000, 65500 + s));
      for (const p of toReceiver) {
        if (p.ssrc === 1000 && lost.has(s)) continue; // the original is lost; its RTX copy (SSRC 2000) is not
        const out = receiver.readRtp(p);
        if (out !== undefined) got.add(out.sequenceNumber);
      }
      toReceiver = [];
      for (const c of toSender) sender.readRtcp(c);
      toSender = [];
      clock.advance(10);
    }
    for (let i = 0; i < 30; i++) {
      for (const p of toReceiver) {
        const out = receiver.readRtp(p);
        if (out !== undefined) got.add(out.sequenceNumber);
      }
      toReceiver = [];
      for (const c of toSender) sender.readRtcp(c);
      toSender = [];
      clock.advance(10);
    }
    expect(got.size).to.equal(200);
    expect(gen.counters.get('recovered')).to.equal(lost.size);
    expect(gen.counters.get('rtxUnwrapped')).to.equal(lost.size);
    expect(gen.missingSequences(1000)).to.deep.equal([]);
  });
});

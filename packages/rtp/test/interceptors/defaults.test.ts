import { expect } from 'chai';
import { FakeClock } from '@rivulet/common';
import type { RtcpPacket } from '../../src/rtcp/index.js';
import { RtpPacket } from '../../src/rtp/index.js';
import { InterceptorChain } from '../../src/interceptors/chain.js';
import { createDefaultInterceptors } from '../../src/interceptors/defaults.js';
import { media } from './harness.js';

describe('interceptors: createDefaultInterceptors, two peers back to back', () => {
  it('media with loss flows A→B; B NACKs, A answers with RTX, TWCC feedback reaches A\'s estimator, reports give RTT', () => {
    const clock = new FakeClock();
    const a = createDefaultInterceptors({ nackResponder: { rtxInitialSequence: () => 0 }, reports: { random: () => 0.5 } });
    const b = createDefaultInterceptors({ reports: { receiverSsrc: 0xb, random: () => 0.5 } });
    const toB: Buffer[] = [];
    const toA: RtcpPacket[][] = [];
    let chainB: InterceptorChain | undefined;
    // A's RTCP (its SRs) goes to B at once; B's RTCP is queued and read by A once per step.
    const chainA = new InterceptorChain(a.list, clock, { sendRtp: (p) => toB.push(p.serialize()), sendRtcp: (p) => void chainB?.readRtcp(p) });
    chainB = new InterceptorChain(b.list, clock, { sendRtp: () => undefined, sendRtcp: (p) => toA.push(p) });
    const stream = { ssrc: 100, clockRate: 90000, payloadType: 96, rtxSsrc: 101, rtxPayloadType: 97, rtcpFeedback: ['nack', 'nack pli', 'transport-cc'], transportCcExtensionId: 3 };
    chainA.bindLocalStream(stream);
    chainB.bindRemoteStream(stream);
    const delivered = new Set<number>();
    for (let i = 0; i < 300; i++) {
      chainA.writeRtp(media(100, i, 800, { timestamp: i * 3000 }));
      for (const bytes of toB.splice(0)) {
        const p = RtpPacket.parse(bytes);
        if (p.ssrc === 100 && i % 50 === 7) continue; // lose every 50th original
        const out = chainB.readRtp(p);
        if (out !== undefined) delivered.add(out.sequenceNumber);
      }
      for (const c of toA.splice(0)) chainA.readRtcp(c);
      clock.advance(10);
    }
    clock.advance(200);
    for (const bytes of toB.splice(0)) {
      const out = chainB.readRtp(RtpPacket.parse(bytes));
      if (out !== undefined) delivered.add(out.sequenceNumber);
    }
    expect(delivered.size).to.equal(300);
    expect(b.nackGenerator.counters.get('recovered')).to.equal(6);
    expect(a.nackResponder.counters.get('resentRtx')).to.equal(6);
    expect(a.twccSender.counters.get('feedbacks')).to.be.at.least(25);
    expect(b.twccReceiver.counters.get('recorded')).to.equal(300); // 294 originals + 6 RTX, each its own number
    expect(b.twccReceiver.counters.get('late')).to.equal(0);
    expect(a.bandwidth.usage).to.equal('normal');
    expect(a.bandwidth.targetBitrate).to.be.above(300_000);
    const out = a.stats.outbound(100)!;
    expect([out.packetsSent, out.retransmittedPacketsSent, out.nackCount]).to.deep.equal([300, 6, 6]);
    // B's RR waits up to one 10 ms step in the queue to A; the link itself has no delay.
    expect(out.roundTripTimeMs).to.be.within(0, 10.1);
    expect(a.nackGenerator.retryIntervalMs).to.equal(20); // fed from the RTT: 1.5 × ≤ 10 ms, clamped to 20
    const inb = b.stats.inbound(100)!;
    expect([inb.packetsReceived, inb.nackCount, inb.packetsLost]).to.deep.equal([300, 6, 0]);
  });
});

import { expect } from 'chai';
import { FakeClock, setErrorReporter } from '@rivulet/common';
import { buildTransportCc, serializeRtcp, tryParseRtcp, type RtcpPacket } from '../../src/rtcp/index.js';
import { RtpPacket } from '../../src/rtp/index.js';
import { InterceptorChain } from '../../src/interceptors/chain.js';
import { createDefaultInterceptors } from '../../src/interceptors/defaults.js';
import { media } from './harness.js';

/** xorshift32 for reproducible mutations. */
function prng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 0x100000000;
  };
}

describe('interceptors: hostile input through the default chain', () => {
  it('mutated RTCP and RTP from the network never throw out of the chain nor break an interceptor', () => {
    const reported: unknown[] = [];
    setErrorReporter((e) => reported.push(e));
    try {
      const clock = new FakeClock();
      const d = createDefaultInterceptors();
      const chain = new InterceptorChain(d.list, clock, { sendRtp: () => undefined, sendRtcp: () => undefined });
      const stream = { ssrc: 100, clockRate: 90000, payloadType: 96, rtxSsrc: 101, rtxPayloadType: 97, rtcpFeedback: ['nack', 'nack pli', 'ccm fir', 'transport-cc'], transportCcExtensionId: 3 };
      chain.bindLocalStream(stream);
      chain.bindRemoteStream({ ...stream, ssrc: 200, rtxSsrc: 201 });
      for (let i = 0; i < 300; i++) chain.writeRtp(media(100, i, 200));
      const valid: RtcpPacket[] = [
        { kind: 'rr', ssrc: 200, reports: [{ ssrc: 100, fractionLost: 3, packetsLost: 2, highestSequence: 299, jitter: 9, lastSr: 0x1234, delaySinceLastSr: 99 }] },
        { kind: 'nack', senderSsrc: 200, mediaSsrc: 100, items: [{ pid: 250, blp: 0xffff }] },
        { kind: 'pli', senderSsrc: 200, mediaSsrc: 100 },
        { kind: 'fir', senderSsrc: 200, mediaSsrc: 0, entries: [{ ssrc: 100, sequenceNumber: 1 }] },
        { kind: 'remb', senderSsrc: 200, mediaSsrc: 0, bitrate: 500_000, ssrcs: [100] },
        buildTransportCc({ senderSsrc: 200, mediaSsrc: 100, baseSequenceNumber: 10, feedbackPacketCount: 0, arrivalsUs: [0, 1000, undefined, 5000, 70_000] }),
      ];
      const bytes = serializeRtcp(valid);
      const rnd = prng(2024);
      let parsed = 0;
      for (let i = 0; i < 3000; i++) {
        const m = Buffer.from(bytes);
        const flips = 1 + Math.floor(rnd() * 4);
        for (let f = 0; f < flips; f++) m[Math.floor(rnd() * m.length)] ^= 1 + Math.floor(rnd() * 255);
        const cut = rnd() < 0.2 ? 4 + Math.floor(rnd() * (m.length - 4)) : m.length;
        const pkts = tryParseRtcp(m.subarray(0, cut));
        if (pkts === undefined) continue;
        parsed++;
        chain.readRtcp(pkts);
        const r = Buffer.from(media(200, i, 50).serialize());
        r[Math.floor(rnd() * r.length)] ^= 0xff;
        const p = (() => {
          try {
            return RtpPacket.parse(r);
          } catch {
            return undefined;
          }
        })();
        if (p !== undefined) chain.readRtp(p);
        clock.advance(7);
      }
      expect(parsed).to.be.greaterThan(300);
      expect(chain.errors).to.equal(0);
      expect(reported).to.deep.equal([]);
      expect(Number.isFinite(d.bandwidth.targetBitrate)).to.equal(true);
      expect(d.bandwidth.targetBitrate).to.be.within(30_000, 10_000_000);
      // The chain still works afterwards.
      chain.writeRtp(media(100, 300, 10));
      expect(d.stats.outbound(100)!.packetsSent).to.equal(301);
    } finally {
      setErrorReporter((e, c) => console.error(`[rivulet] exception in ${c}:`, e));
    }
  });
});

import { expect } from 'chai';
import { FakeClock } from '@rivulet/common';
import type { RtcpPacket } from '../../src/rtcp/index.js';
import { InterceptorChain } from '../../src/interceptors/chain.js';
import { createDefaultInterceptors } from '../../src/interceptors/defaults.js';
import { RtcpReports } from '../../src/interceptors/reports.js';
import { media } from './harness.js';

/** One default interceptor set on a FakeClock, its RTCP collected. */
function peer(clock: FakeClock, receiverSsrc: number) {
  const set = createDefaultInterceptors({ reports: { receiverSsrc, random: () => 0.5 } });
  const wire: RtcpPacket[][] = [];
  const chain = new InterceptorChain(set.list, clock, { sendRtp: () => undefined, sendRtcp: (p) => wire.push(p) });
  return { set, chain, wire };
}

const xrBlocks = (wire: RtcpPacket[][]) => wire.flat().flatMap((p) => (p.kind === 'xr' ? p.blocks.map((b) => b.type) : []));

describe('interceptors: RFC 3611 XR only when negotiated (a=rtcp-xr:rcvr-rtt, §5.1)', () => {
  it('createDefaultInterceptors sends no Receiver Reference Time block until setReceiverReferenceTime(true), and stops after false', () => {
    const clock = new FakeClock({ startMs: 0, epochMs: 1_763_712_000_000 });
    const rx = peer(clock, 0xb);
    expect(rx.set.reports.receiverReferenceTime).to.equal(false);
    rx.chain.bindRemoteStream({ ssrc: 10, clockRate: 48000 });
    for (let i = 0; i < 30; i++) {
      rx.chain.readRtp(media(10, i, 100));
      clock.advance(100);
    }
    // Three reports (RRs with a block about SSRC 10), not one XR.
    expect(rx.wire.map((c) => c[0]!.kind)).to.deep.equal(['rr', 'rr', 'rr']);
    expect(xrBlocks(rx.wire)).to.deep.equal([]);
    rx.set.reports.setReceiverReferenceTime(true);
    clock.advance(1000);
    expect(rx.wire.length).to.equal(4);
    expect(rx.wire[3]!.map((p) => p.kind)).to.deep.equal(['rr', 'xr']);
    expect(xrBlocks([rx.wire[3]!])).to.deep.equal(['rrt']);
    rx.set.reports.setReceiverReferenceTime(false);
    clock.advance(2000);
    expect(rx.wire.length).to.equal(6);
    expect(xrBlocks(rx.wire.slice(4))).to.deep.equal([]);
  });

  it('a sender whose own RRTRs are off still answers the peer\'s RRTR with DLRR (the peer asked), and the peer measures its round trip', () => {
    const clock = new FakeClock({ startMs: 0, epochMs: 1_763_712_000_000 });
    const tx = peer(clock, 0xa);
    const rx = peer(clock, 0xb);
    rx.set.reports.setReceiverReferenceTime(true);
    tx.chain.bindLocalStream({ ssrc: 10, clockRate: 48000 });
    rx.chain.bindRemoteStream({ ssrc: 10, clockRate: 48000 });
    tx.chain.writeRtp(media(10, 0, 100));
    rx.chain.readRtp(media(10, 0, 100));
    clock.advance(1000); // both report: tx an SR (no DLRR yet), rx an RR + RRTR
    expect(xrBlocks(tx.wire)).to.deep.equal([]);
    clock.advance(10);
    tx.chain.readRtcp(rx.wire.at(-1)!);
    clock.advance(990);
    const sr = tx.wire.at(-1)!;
    expect(sr.map((p) => p.kind)).to.deep.equal(['sr', 'xr']);
    expect(xrBlocks([sr])).to.deep.equal(['dlrr']);
    clock.advance(10);
    rx.chain.readRtcp(sr);
    const rt = rx.set.stats.inbound(10)!.receiverRoundTrip!;
    expect(rt.roundTripTimeMeasurements).to.equal(1);
    expect(rt.roundTripTimeMs).to.be.closeTo(20, 0.05);
  });

  it('RtcpReports: receiverReferenceTime defaults to extendedReports; enabling it without extendedReports is an error naming the option', () => {
    expect(new RtcpReports({ extendedReports: true }).receiverReferenceTime).to.equal(true);
    expect(new RtcpReports({ extendedReports: true, receiverReferenceTime: false }).receiverReferenceTime).to.equal(false);
    expect(new RtcpReports().receiverReferenceTime).to.equal(false);
    expect(() => new RtcpReports().setReceiverReferenceTime(true)).to.throw(/extendedReports: true/);
    expect(() => new RtcpReports({ receiverReferenceTime: true })).to.throw(/setReceiverReferenceTime\(true\) needs extendedReports/);
    const r = new RtcpReports();
    r.setReceiverReferenceTime(false);
    expect(r.receiverReferenceTime).to.equal(false);
  });
});

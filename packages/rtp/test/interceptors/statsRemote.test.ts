import { expect } from 'chai';
import { FakeClock } from '@rivulet/common';
import type { RtcpPacket } from '../../src/rtcp/index.js';
import { RtpPacket } from '../../src/rtp/index.js';
import { InterceptorChain } from '../../src/interceptors/chain.js';
import { ntpFromUnixMs, ntpMiddleFromUnixMs, unixMsFromNtp } from '../../src/interceptors/ntp.js';
import { RtcpReports } from '../../src/interceptors/reports.js';
import { StreamStats } from '../../src/interceptors/streamStats.js';
import { media } from './harness.js';

function chainOf(clock: FakeClock) {
  const wire: { rtp: RtpPacket[]; rtcp: RtcpPacket[][] } = { rtp: [], rtcp: [] };
  const reports = new RtcpReports({ intervalMs: 1000, random: () => 0.5 });
  const stats = new StreamStats(reports);
  const chain = new InterceptorChain([reports, stats], clock, { sendRtp: (p) => wire.rtp.push(p), sendRtcp: (p) => wire.rtcp.push(p) });
  return { chain, stats, wire };
}

describe('interceptors: StreamStats from the peer\'s reports (webrtc-stats remote-outbound-rtp / remote-inbound-rtp)', () => {
  it('unixMsFromNtp inverts ntpFromUnixMs (RFC 3550 §4) to well under a microsecond', () => {
    for (const ms of [0, 1_700_000_000_123.5, 1_763_712_000_000.25]) expect(unixMsFromNtp(ntpFromUnixMs(ms))).to.be.closeTo(ms, 1e-3);
  });

  it('keeps the remote sender\'s packet/octet counts, NTP time and SR count from each Sender Report (RFC 3550 §6.4.1)', () => {
    const clock = new FakeClock({ startMs: 5000 });
    const { chain, stats } = chainOf(clock);
    chain.bindRemoteStream({ ssrc: 20, clockRate: 90000, rtcpFeedback: [] });
    chain.readRtp(media(20, 0, 50));
    expect(stats.inbound(20)!.remoteSender).to.equal(undefined);
    const ntp = ntpFromUnixMs(1_763_712_000_250);
    chain.readRtcp([{ kind: 'sr', ssrc: 20, ntpTimestamp: ntp, rtpTimestamp: 1234, packetCount: 77, octetCount: 7700, reports: [] }]);
    clock.advance(1000);
    chain.readRtcp([{ kind: 'sr', ssrc: 20, ntpTimestamp: ntpFromUnixMs(1_763_712_001_250), rtpTimestamp: 91234, packetCount: 127, octetCount: 12700, reports: [] }]);
    const r = stats.inbound(20)!.remoteSender!;
    expect([r.packetsSent, r.octetsSent, r.reportsReceived, r.arrivalMs]).to.deep.equal([127, 12700, 2, 6000]);
    expect(r.remoteTimeMs).to.be.closeTo(1_763_712_001_250, 1e-3);
    // An SR about a stream we do not receive changes nothing.
    chain.readRtcp([{ kind: 'sr', ssrc: 99, ntpTimestamp: ntp, rtpTimestamp: 1, packetCount: 1, octetCount: 1, reports: [] }]);
    expect(stats.inbound(20)!.remoteSender!.reportsReceived).to.equal(2);
  });

  it('counts report blocks, RTT measurements and their sum, and the remote jitter in seconds for a stream we send', () => {
    const clock = new FakeClock();
    const { chain, stats } = chainOf(clock);
    chain.bindLocalStream({ ssrc: 10, clockRate: 48000, rtcpFeedback: [] });
    chain.writeRtp(media(10, 0, 100));
    const block = (lastSr: number, delaySinceLastSr: number): RtcpPacket => ({
      kind: 'rr', ssrc: 20, reports: [{ ssrc: 10, fractionLost: 0, packetsLost: 0, highestSequence: 0, jitter: 480, lastSr, delaySinceLastSr }],
    });
    chain.readRtcp([block(0, 0)]); // no SR seen by the peer yet: no RTT (§6.4.1)
    // LSR = our NTP time 100 ms ago, DLSR = 60 ms: RTT = 40 ms.
    clock.advance(1000);
    const lsr = ntpMiddleFromUnixMs(clock.wallTime() - 100);
    chain.readRtcp([block(lsr, Math.round(0.06 * 65536))]);
    chain.readRtcp([block(lsr, Math.round(0.08 * 65536))]); // RTT 20 ms
    const o = stats.outbound(10)!;
    expect([o.reportsReceived, o.roundTripTimeMeasurements, o.remoteReportAtMs]).to.deep.equal([3, 2, 1000]);
    expect(o.totalRoundTripTimeMs).to.be.closeTo(60, 0.1);
    expect(o.roundTripTimeMs).to.be.closeTo(20, 0.1);
    expect(o.remoteJitterSeconds).to.equal(480 / 48000);
  });

  it('counts header and padding bytes both ways: 12-byte header, CSRCs, an RFC 8285 block, padding', () => {
    const clock = new FakeClock();
    const { chain, stats } = chainOf(clock);
    chain.bindLocalStream({ ssrc: 10, clockRate: 90000, rtcpFeedback: [] });
    chain.bindRemoteStream({ ssrc: 20, clockRate: 90000, rtcpFeedback: [] });
    chain.writeRtp(media(10, 0, 100)); // 12
    chain.writeRtp(media(10, 1, 100, { csrcs: [1, 2], extensions: [{ id: 1, data: Buffer.from([1, 2, 3]) }] })); // 12 + 8 + 4 + 4
    chain.writeRtp(media(10, 2, 100, { paddingLength: 4 })); // 12 + 4
    expect([stats.outbound(10)!.headerBytesSent, stats.outbound(10)!.bytesSent]).to.deep.equal([12 + 28 + 16, 300]);
    // Parsed from the wire as a received packet would be.
    chain.readRtp(RtpPacket.parse(media(20, 0, 40, { extensions: [{ id: 3, data: Buffer.alloc(2) }] }).serialize())); // 12 + 4 + 4
    chain.readRtp(media(20, 1, 40));
    expect([stats.inbound(20)!.headerBytesReceived, stats.inbound(20)!.bytesReceived]).to.deep.equal([20 + 12, 80]);
  });
});

describe('interceptors: RFC 3611 receiver round trip (RRTR → DLRR)', () => {
  it('a receiver-only side measures exactly the path delay both ways from the sender\'s DLRR answer', () => {
    const clock = new FakeClock({ startMs: 0, epochMs: 1_763_712_000_000 });
    const mk = () => {
      const wire: RtcpPacket[][] = [];
      const reports = new RtcpReports({ intervalMs: 1000, random: () => 0.5, extendedReports: true });
      const stats = new StreamStats(reports);
      const chain = new InterceptorChain([reports, stats], clock, { sendRtp: () => {}, sendRtcp: (p) => wire.push(p) });
      return { reports, stats, chain, wire };
    };
    const sender = mk();
    const receiver = mk();
    sender.chain.bindLocalStream({ ssrc: 10, clockRate: 48000 });
    receiver.chain.bindRemoteStream({ ssrc: 10, clockRate: 48000 });
    sender.chain.writeRtp(media(10, 0, 100));
    receiver.chain.readRtp(media(10, 0, 100));
    clock.advance(1000); // both report
    const rr = receiver.wire.at(-1)!;
    const rrtr = rr.find((p) => p.kind === 'xr');
    expect(rrtr, 'the receiver\'s report carries an RRTR').to.not.equal(undefined);
    expect(rr[0]!.kind).to.equal('rr');
    clock.advance(30); // one-way delay to the sender
    sender.chain.readRtcp(rr);
    clock.advance(970); // the sender's next SR, 970 ms after the RRTR arrived
    const sr = sender.wire.at(-1)!;
    const xr = sr.find((p) => p.kind === 'xr')!;
    expect(xr).to.deep.include({ kind: 'xr', ssrc: 10 });
    clock.advance(20); // one-way delay back
    receiver.chain.readRtcp(sr);
    const rt = receiver.stats.inbound(10)!.receiverRoundTrip!;
    expect(rt.roundTripTimeMeasurements).to.equal(1);
    expect(rt.roundTripTimeMs).to.be.closeTo(50, 0.05);
    expect(rt.totalRoundTripTimeMs).to.be.closeTo(50, 0.05);
    // A DLRR about someone else's RRTR, or with LRR 0, measures nothing.
    receiver.chain.readRtcp([{ kind: 'xr', ssrc: 10, blocks: [{ type: 'dlrr', items: [{ ssrc: 999, lastRr: 5, delaySinceLastRr: 1 }, { ssrc: 1, lastRr: 0, delaySinceLastRr: 1 }] }] }]);
    expect(receiver.stats.inbound(10)!.receiverRoundTrip!.roundTripTimeMeasurements).to.equal(1);
  });

  it('without extendedReports no XR is sent (RtcpReports default)', () => {
    const clock = new FakeClock();
    const { chain, wire } = chainOf(clock);
    chain.bindRemoteStream({ ssrc: 10, clockRate: 48000 });
    chain.readRtp(media(10, 0, 100));
    clock.advance(2000);
    expect(wire.rtcp.flat().some((p) => p.kind === 'xr')).to.equal(false);
  });
});

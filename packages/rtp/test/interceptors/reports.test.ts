import { expect } from 'chai';
import { FakeClock } from '@rivulet/common';
import { parseRtcp, serializeRtcp, type RtcpReceiverReport, type RtcpSenderReport, type RtcpSourceDescription } from '../../src/rtcp/index.js';
import { RtcpReports } from '../../src/interceptors/reports.js';
import { ReceptionStatistics } from '../../src/interceptors/receptionStats.js';
import { ntpFromUnixMs, ntpMiddle32, ntpMiddleFromUnixMs } from '../../src/interceptors/ntp.js';
import { harness, media } from './harness.js';

describe('interceptors: ReceptionStatistics (RFC 3550 A.3 loss, A.8 jitter)', () => {
  it('loss, fraction lost and jitter match hand-computed values', () => {
    // clock rate 1000 Hz: one timestamp unit per ms. Packet i is sent at ts 20·i and arrives at
    // 100 + 20·i + e_i ms, so the transit is 100 + e_i and D between consecutive packets is Δe.
    const s = new ReceptionStatistics(42, 1000);
    const e: (number | undefined)[] = [0, 4, 0, undefined, 8, 0, 0, undefined, 16, 0];
    e.forEach((x, i) => x !== undefined && s.onPacket(i, 20 * i, 100, 100 + 20 * i + x));
    // J: 0 → .25 → .484375 → .9541015625 → 1.39447021484375 → 1.307315826416015625
    //      → 2.2256085872650146 → 3.0865080505609512 (|D| = 4, 4, 8, 8, 0, 16, 16)
    expect(s.jitter).to.be.closeTo(3.0865080505609512, 1e-12);
    const b1 = s.reportBlock(300);
    expect(b1).to.deep.equal({
      ssrc: 42,
      fractionLost: 51, // floor(2·256/10)
      packetsLost: 2,
      highestSequence: 9,
      jitter: 3,
      lastSr: 0,
      delaySinceLastSr: 0,
    });
    // Next interval: 10..19 all arrive, plus a duplicate of 12: received 11 of 10 expected.
    for (let i = 10; i < 20; i++) s.onPacket(i, 20 * i, 100, 100 + 20 * i);
    s.onPacket(12, 240, 100, 500);
    const b2 = s.reportBlock(600);
    expect(b2.fractionLost).to.equal(0);
    expect(b2.packetsLost).to.equal(1); // 20 expected − 19 received (the duplicate counts, A.3)
    expect(s.received).to.equal(19);
  });

  it('extends the highest sequence number across the wrap (cycles·2^16 + seq)', () => {
    const s = new ReceptionStatistics(1, 90000);
    for (const seq of [65534, 65535, 0, 1]) s.onPacket(seq, 0, 10, 0);
    const b = s.reportBlock(0);
    expect(b.highestSequence).to.equal(65536 + 1);
    expect(b.packetsLost).to.equal(0);
    expect(b.fractionLost).to.equal(0);
  });

  it('reports LSR and DLSR in 1/65536 s after an SR from the source', () => {
    const s = new ReceptionStatistics(1, 90000);
    s.onPacket(1, 0, 10, 0);
    s.onSenderReport(0x12345678, 1000);
    const b = s.reportBlock(1500);
    expect(b.lastSr).to.equal(0x12345678);
    expect(b.delaySinceLastSr).to.equal(32768); // 0.5 s
  });
});

describe('interceptors: RtcpReports (RFC 3550 §6.4 SR/RR)', () => {
  it('sends an RR (plus SDES CNAME) with the hand-computed report block when only receiving', () => {
    const reports = new RtcpReports({ intervalMs: 1000, receiverSsrc: 0xabc, cname: 'rivulet', random: () => 0.5 });
    const { chain, clock, rtcp } = harness([reports]);
    const at = (t: number): void => clock.advance(t - clock.now());
    chain.bindRemoteStream({ ssrc: 42, clockRate: 1000 });
    const e: (number | undefined)[] = [0, 4, 0, undefined, 8, 0, 0, undefined, 16, 0];
    e.forEach((x, i) => {
      if (x === undefined) return;
      at(100 + 20 * i + x);
      chain.readRtp(media(42, i, 100, { timestamp: 20 * i }));
    });
    expect(rtcp.length).to.equal(0);
    at(1000);
    expect(rtcp.length).to.equal(1);
    const [rr, sdes] = rtcp[0]! as [RtcpReceiverReport, RtcpSourceDescription];
    expect(rr).to.deep.equal({
      kind: 'rr',
      ssrc: 0xabc,
      reports: [{ ssrc: 42, fractionLost: 51, packetsLost: 2, highestSequence: 9, jitter: 3, lastSr: 0, delaySinceLastSr: 0 }],
    });
    expect(sdes).to.deep.equal({ kind: 'sdes', chunks: [{ ssrc: 0xabc, items: [{ type: 1, text: 'rivulet' }] }] });
    // The compound goes through the RTCP codec unchanged.
    expect(parseRtcp(serializeRtcp(rtcp[0]!))).to.deep.equal(rtcp[0]);
    at(2000); // nothing new received: same cumulative figures, fraction 0 for the empty interval
    const rr2 = rtcp[1]![0] as RtcpReceiverReport;
    expect(rr2.reports[0]!.fractionLost).to.equal(0);
    expect(rr2.reports[0]!.packetsLost).to.equal(2);
  });

  it('sends an SR with counts and an extrapolated RTP timestamp, and computes RTT from the answer', () => {
    const rtts: [number, number][] = [];
    const reports = new RtcpReports({ intervalMs: 1000, random: () => 0.5, onRoundTripTime: (ssrc, rtt) => rtts.push([ssrc, rtt]) });
    const { chain, clock, rtcp } = harness([reports]);
    const at = (t: number): void => clock.advance(t - clock.now());
    chain.bindLocalStream({ ssrc: 7, clockRate: 90000 });
    chain.bindRemoteStream({ ssrc: 42, clockRate: 90000 });
    for (let i = 0; i < 10; i++) {
      at(100 * i);
      chain.writeRtp(media(7, i, 100, { timestamp: 9000 * i }));
    }
    chain.readRtp(media(42, 5, 10));
    at(1000);
    const sr = rtcp[0]![0] as RtcpSenderReport;
    expect(rtcp[0]!.length).to.equal(1);
    expect(sr.kind).to.equal('sr');
    expect(sr.ssrc).to.equal(7);
    expect(sr.packetCount).to.equal(10);
    expect(sr.octetCount).to.equal(1000);
    expect(sr.rtpTimestamp).to.equal(81000 + 9000); // last packet at 900 ms with ts 81000, +100 ms at 90 kHz
    expect(sr.ntpTimestamp).to.equal(ntpFromUnixMs(clock.wallTime()));
    expect(sr.reports.map((b) => [b.ssrc, b.highestSequence, b.packetsLost])).to.deep.equal([[42, 5, 0]]);
    // The peer answers 250 ms later having held our SR for 200 ms (DLSR 0.2·65536 = 13107).
    at(1250);
    chain.readRtcp([{ kind: 'rr', ssrc: 42, reports: [{ ssrc: 7, fractionLost: 12, packetsLost: 3, highestSequence: 9, jitter: 17, lastSr: ntpMiddle32(sr.ntpTimestamp), delaySinceLastSr: 13107 }] }]);
    const st = reports.senderStatistics(7)!;
    expect(st.roundTripTimeMs).to.be.closeTo(50, 0.05);
    expect(rtts).to.deep.equal([[7, st.roundTripTimeMs]]);
    expect([st.remoteFractionLost, st.remotePacketsLost, st.remoteJitter]).to.deep.equal([12, 3, 17]);
    expect(st.packetsSent).to.equal(10);
  });

  it('an SR from a remote source sets LSR/DLSR in our next report block; no report before anything happened', () => {
    const clock = new FakeClock();
    const reports = new RtcpReports({ intervalMs: 1000, random: () => 0.5 });
    const { chain, rtcp } = harness([reports], clock);
    chain.bindRemoteStream({ ssrc: 42, clockRate: 90000 });
    clock.advance(1000);
    expect(rtcp.length).to.equal(0); // no packets received: no block, nothing to send
    chain.readRtp(media(42, 1, 10));
    const ntp = ntpFromUnixMs(clock.wallTime());
    clock.advance(500);
    chain.readRtcp([{ kind: 'sr', ssrc: 42, ntpTimestamp: ntp, rtpTimestamp: 0, packetCount: 1, octetCount: 10, reports: [] }]);
    clock.advance(500); // timer at 2000: SR arrived at 1500
    const block = (rtcp[0]![0] as RtcpReceiverReport).reports[0]!;
    expect(block.lastSr).to.equal(ntpMiddle32(ntp));
    expect(block.delaySinceLastSr).to.equal(32768);
    expect(ntpMiddleFromUnixMs(clock.wallTime() - 1000)).to.equal(ntpMiddle32(ntp));
  });

  it('randomizes each interval to intervalMs × [0.5, 1.5) (RFC 3550 §6.3.1)', () => {
    const draws = [0, 0.999, 0.25];
    const reports = new RtcpReports({ intervalMs: 1000, receiverSsrc: 5, random: () => draws.shift() ?? 0.5 });
    const { chain, clock, rtcp } = harness([reports]);
    chain.bindRemoteStream({ ssrc: 42, clockRate: 90000 });
    chain.readRtp(media(42, 1, 10));
    const times: number[] = [];
    for (let t = 0; t < 3000; t++) {
      const before = rtcp.length;
      clock.advance(1);
      if (rtcp.length > before) times.push(clock.now());
    }
    expect(times).to.deep.equal([500, 500 + 1499, 500 + 1499 + 750]);
  });
});

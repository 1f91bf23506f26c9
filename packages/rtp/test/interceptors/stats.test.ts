import { expect } from 'chai';
import { FakeClock } from '@rivulet/common';
import type { RtcpPacket } from '../../src/rtcp/index.js';
import type { RtpPacket } from '../../src/rtp/index.js';
import { InterceptorChain } from '../../src/interceptors/chain.js';
import { KeyframeRequests } from '../../src/interceptors/keyframeRequests.js';
import { NackGenerator } from '../../src/interceptors/nackGenerator.js';
import { NackResponder } from '../../src/interceptors/nackResponder.js';
import { RtcpReports } from '../../src/interceptors/reports.js';
import { StreamStats } from '../../src/interceptors/streamStats.js';
import { media } from './harness.js';

describe('interceptors: StreamStats', () => {
  it('counts packets, bytes, retransmissions and feedback both ways through a full chain', () => {
    const clock = new FakeClock();
    const wire: { rtp: RtpPacket[]; rtcp: RtcpPacket[][] } = { rtp: [], rtcp: [] };
    const reports = new RtcpReports({ intervalMs: 1000 });
    const stats = new StreamStats(reports);
    const kf = new KeyframeRequests();
    const chain = new InterceptorChain(
      [new NackGenerator(), new NackResponder({ rtxInitialSequence: () => 0 }), kf, reports, stats],
      clock,
      { sendRtp: (p) => wire.rtp.push(p), sendRtcp: (p) => wire.rtcp.push(p) },
    );
    chain.bindLocalStream({ ssrc: 10, clockRate: 90000, rtcpFeedback: ['nack'], rtxSsrc: 11, rtxPayloadType: 97 });
    chain.bindRemoteStream({ ssrc: 20, clockRate: 90000, rtcpFeedback: ['nack', 'nack pli'] });
    for (let s = 0; s < 5; s++) chain.writeRtp(media(10, s, 100));
    // The peer NACKs 1 and 3 and sends a PLI.
    chain.readRtcp([{ kind: 'nack', senderSsrc: 20, mediaSsrc: 10, items: [{ pid: 1, blp: 0b10 }] }, { kind: 'pli', senderSsrc: 20, mediaSsrc: 10 }]);
    // We receive 0, 1, 3 (2 lost) at 90 kHz, 10 ms apart, perfectly paced.
    for (const s of [0, 1, 3]) {
      chain.readRtp(media(20, s, 50, { timestamp: s * 900 }));
      clock.advance(10);
    }
    expect(kf.requestKeyframe(20)).to.equal(true);
    clock.advance(30); // the NACK generator NACKs 2
    const out = stats.outbound(10)!;
    expect([out.packetsSent, out.bytesSent, out.retransmittedPacketsSent, out.retransmittedBytesSent]).to.deep.equal([5, 500, 2, 204]);
    expect([out.nackCount, out.pliCount, out.firCount]).to.deep.equal([1, 1, 0]);
    const inb = stats.inbound(20)!;
    expect([inb.packetsReceived, inb.bytesReceived, inb.nackCount, inb.pliCount, inb.packetsLost]).to.deep.equal([3, 150, 1, 1, 1]);
    // Packet 3 arrived 10 ms after 1 but was sent 20 ms after it: |D| = 900 units → J = 900/16.
    expect(inb.jitterSeconds).to.be.closeTo(900 / 16 / 90000, 1e-12);
    expect(stats.outbound(99)).to.equal(undefined);
  });
});

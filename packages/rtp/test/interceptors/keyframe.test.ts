import { expect } from 'chai';
import type { RtcpFullIntraRequest, RtcpPacket } from '../../src/rtcp/index.js';
import { KeyframeRequests } from '../../src/interceptors/keyframeRequests.js';
import { harness } from './harness.js';

describe('interceptors: KeyframeRequests (PLI RFC 4585 §6.3.1, FIR RFC 5104 §4.3.1)', () => {
  it('sends a PLI at most once per interval per stream', () => {
    const kf = new KeyframeRequests({ senderSsrc: 9, minRequestIntervalMs: 500 });
    const { chain, clock, rtcp } = harness([kf]);
    chain.bindRemoteStream({ ssrc: 100, clockRate: 90000, rtcpFeedback: ['nack', 'nack pli', 'ccm fir'] });
    expect(kf.requestKeyframe(100)).to.equal(true);
    let granted = 0;
    for (let t = 0; t < 1000; t += 50) {
      clock.advance(50);
      if (kf.requestKeyframe(100)) granted++;
    }
    // Sent at 0, then at 500 and 1000.
    expect(granted).to.equal(2);
    expect(rtcp).to.deep.equal([[{ kind: 'pli', senderSsrc: 9, mediaSsrc: 100 }], [{ kind: 'pli', senderSsrc: 9, mediaSsrc: 100 }], [{ kind: 'pli', senderSsrc: 9, mediaSsrc: 100 }]]);
    expect(kf.counters.get('requestsThrottled')).to.equal(18);
  });

  it('uses FIR with increasing sequence numbers when only ccm fir is negotiated; refuses when neither is', () => {
    const kf = new KeyframeRequests({ minRequestIntervalMs: 100 });
    const { chain, clock, rtcp } = harness([kf]);
    chain.bindRemoteStream({ ssrc: 100, clockRate: 90000, rtcpFeedback: ['ccm fir'] });
    chain.bindRemoteStream({ ssrc: 200, clockRate: 90000, rtcpFeedback: ['nack'] });
    expect(kf.requestKeyframe(100)).to.equal(true);
    expect(kf.requestKeyframe(100)).to.equal(false); // throttled: must not consume a FIR number
    clock.advance(100);
    expect(kf.requestKeyframe(100)).to.equal(true);
    expect(rtcp.map((c) => (c[0] as RtcpFullIntraRequest).entries)).to.deep.equal([[{ ssrc: 100, sequenceNumber: 1 }], [{ ssrc: 100, sequenceNumber: 2 }]]);
    expect((rtcp[0]![0] as RtcpFullIntraRequest).mediaSsrc).to.equal(0);
    expect(kf.requestKeyframe(200)).to.equal(false);
    expect(kf.counters.get('unsupported')).to.equal(1);
    expect(() => kf.requestKeyframe(300)).to.throw('requestKeyframe: SSRC 300 is not a bound remote stream');
  });

  it('throttles PLIs the application writes itself, keeping other RTCP', () => {
    const kf = new KeyframeRequests({ minRequestIntervalMs: 500 });
    const { chain, rtcp } = harness([kf]);
    chain.bindRemoteStream({ ssrc: 100, clockRate: 90000, rtcpFeedback: ['nack pli'] });
    const pli: RtcpPacket = { kind: 'pli', senderSsrc: 1, mediaSsrc: 100 };
    const rr: RtcpPacket = { kind: 'rr', ssrc: 1, reports: [] };
    chain.writeRtcp([rr, pli]);
    chain.writeRtcp([pli, rr]);
    expect(rtcp).to.deep.equal([[rr, pli], [rr]]);
  });

  it('forwards requests about our streams at most once per interval and drops repeated FIR numbers', () => {
    const kf = new KeyframeRequests({ minForwardIntervalMs: 250 });
    const { chain, clock } = harness([kf]);
    chain.bindLocalStream({ ssrc: 7, clockRate: 90000 });
    const pli: RtcpPacket = { kind: 'pli', senderSsrc: 1, mediaSsrc: 7 };
    const fir = (n: number): RtcpPacket => ({ kind: 'fir', senderSsrc: 1, mediaSsrc: 0, entries: [{ ssrc: 7, sequenceNumber: n }] });
    expect(chain.readRtcp([pli]).length).to.equal(1);
    expect(chain.readRtcp([pli]).length).to.equal(0);
    clock.advance(250);
    expect(chain.readRtcp([fir(4)]).length).to.equal(1);
    clock.advance(250);
    expect(chain.readRtcp([fir(4)]).length).to.equal(0); // same request retransmitted
    expect(chain.readRtcp([fir(5)]).length).to.equal(1);
    expect(chain.readRtcp([{ kind: 'pli', senderSsrc: 1, mediaSsrc: 8 }]).length).to.equal(1); // not ours: untouched
    expect([kf.counters.get('pliReceived'), kf.counters.get('firReceived'), kf.counters.get('firDuplicate'), kf.counters.get('receivedThrottled')]).to.deep.equal([2, 3, 1, 1]);
  });
});

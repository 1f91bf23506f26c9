import { expect } from 'chai';
import { buildTransportCc, twccPacketResults, type RtcpTransportCc } from '../../src/rtcp/index.js';
import { RtpPacket } from '../../src/rtp/index.js';
import { TwccReceiver } from '../../src/interceptors/twccReceiver.js';
import { TwccSender, type TwccPacketFeedback } from '../../src/interceptors/twccSender.js';
import { harness, media } from './harness.js';

const ID = 5;
const tseq = (p: RtpPacket): number => p.getExtension(ID)!.readUInt16BE(0);

describe('interceptors: TwccSender (transport-wide sequence numbers, feedback matching)', () => {
  it('stamps one shared 16-bit sequence across bound streams, wrapping, and leaves others alone', () => {
    const tw = new TwccSender();
    const { chain, rtp } = harness([tw]);
    chain.bindLocalStream({ ssrc: 1, clockRate: 90000, transportCcExtensionId: ID });
    chain.bindLocalStream({ ssrc: 2, clockRate: 48000, transportCcExtensionId: ID });
    chain.bindLocalStream({ ssrc: 3, clockRate: 48000 });
    for (let i = 0; i < 3; i++) {
      chain.writeRtp(media(1, i));
      chain.writeRtp(media(2, i));
      chain.writeRtp(media(3, i));
    }
    expect(rtp.filter((p) => p.ssrc !== 3).map(tseq)).to.deep.equal([0, 1, 2, 3, 4, 5]);
    expect(rtp.filter((p) => p.ssrc === 3).every((p) => p.getExtension(ID) === undefined)).to.equal(true);
    // The RTX stream of a bound stream is stamped too (a retransmission is a new transmission).
    chain.bindLocalStream({ ssrc: 4, clockRate: 90000, rtxSsrc: 44, transportCcExtensionId: ID });
    const rtx = media(44, 0);
    rtx.setExtension(ID, Buffer.from([0x12, 0x34])); // stale number copied from the original
    chain.writeRtp(rtx);
    expect(tseq(rtp[rtp.length - 1]!)).to.equal(6);
    // Survives serialization as a real RFC 8285 element.
    expect(tseq(RtpPacket.parse(rtp[1]!.serialize()))).to.equal(1);
  });

  it('wraps at 65535 and matches feedback to send times and sizes, lost ones included', () => {
    const results: TwccPacketFeedback[][] = [];
    const tw = new TwccSender({ onFeedback: (r) => results.push(r) });
    const { chain, clock } = harness([tw]);
    chain.bindLocalStream({ ssrc: 1, clockRate: 90000, transportCcExtensionId: ID });
    for (let i = 0; i < 65534; i++) chain.writeRtp(media(1, i, 0)); // quickly move to the wrap
    const sent: RtpPacket[] = [];
    for (let i = 0; i < 4; i++) {
      clock.advance(10);
      const p = media(1, 100 + i, 50);
      chain.writeRtp(p);
      sent.push(p);
    }
    expect(sent.map(tseq)).to.deep.equal([65534, 65535, 0, 1]);
    const fb = buildTransportCc({ senderSsrc: 9, mediaSsrc: 1, baseSequenceNumber: 65534, feedbackPacketCount: 0, arrivalsUs: [1_000_000, undefined, 1_020_000, 1_030_250] });
    chain.readRtcp([fb]);
    expect(results).to.deep.equal([[
      { transportSequence: 65534, sendTimeMs: 10, size: sent[0]!.serializedLength, arrivalTimeMs: 1000 },
      { transportSequence: 65535, sendTimeMs: 20, size: sent[1]!.serializedLength, arrivalTimeMs: undefined },
      { transportSequence: 0, sendTimeMs: 30, size: sent[2]!.serializedLength, arrivalTimeMs: 1020 },
      { transportSequence: 1, sendTimeMs: 40, size: sent[3]!.serializedLength, arrivalTimeMs: 1030.25 },
    ]]);
    expect(sent[0]!.serializedLength).to.equal(12 + 8 + 50); // header + one-byte extension block + payload
  });
});

describe('interceptors: TwccReceiver (feedback generation)', () => {
  const bind = { ssrc: 77, clockRate: 90000, transportCcExtensionId: ID };
  const withSeq = (seq: number, ssrc = 77): RtpPacket => {
    const p = media(ssrc, seq);
    p.setExtension(ID, Buffer.from([seq >>> 8, seq & 0xff]));
    return p;
  };

  it('reports arrivals and losses every interval with exact 250 µs deltas', () => {
    const rx = new TwccReceiver({ senderSsrc: 0x11, intervalMs: 100 });
    const { chain, clock, rtcp } = harness([rx]);
    chain.bindRemoteStream(bind);
    clock.advance(10);
    chain.readRtp(withSeq(0)); // t = 10 → 0 µs (first arrival is the epoch)
    clock.advance(5);
    chain.readRtp(withSeq(1)); // 5000 µs
    clock.advance(7);
    chain.readRtp(withSeq(3)); // 12000 µs; 2 lost
    clock.advance(78); // timer at 100
    expect(rtcp.length).to.equal(1);
    const fb = rtcp[0]![0] as RtcpTransportCc;
    expect([fb.kind, fb.senderSsrc, fb.mediaSsrc, fb.baseSequenceNumber, fb.packetStatusCount, fb.feedbackPacketCount]).to.deep.equal(['twcc', 0x11, 77, 0, 4, 0]);
    expect(twccPacketResults(fb)).to.deep.equal([
      { sequenceNumber: 0, received: true, receivedAtUs: 0 },
      { sequenceNumber: 1, received: true, receivedAtUs: 5000 },
      { sequenceNumber: 2, received: false },
      { sequenceNumber: 3, received: true, receivedAtUs: 12000 },
    ]);
    // Next interval continues after 3; a late 2 is counted, not re-reported.
    chain.readRtp(withSeq(2));
    clock.advance(1);
    chain.readRtp(withSeq(4));
    clock.advance(99);
    const fb2 = rtcp[1]![0] as RtcpTransportCc;
    expect([fb2.baseSequenceNumber, fb2.packetStatusCount, fb2.feedbackPacketCount]).to.deep.equal([4, 1, 1]);
    expect(rx.counters.get('late')).to.equal(1);
    clock.advance(300);
    expect(rtcp.length).to.equal(2); // nothing new: no empty feedback
  });

  it('records packets of SSRCs it was never told about (RTX, unannounced simulcast layers): the numbers are transport-wide', () => {
    const rx = new TwccReceiver({ intervalMs: 100 });
    const { chain, clock, rtcp } = harness([rx]);
    chain.bindRemoteStream(bind);
    chain.readRtp(withSeq(0));
    chain.readRtp(withSeq(1, 0xabc)); // e.g. an RTX stream whose SSRC was not signalled
    chain.readRtp(withSeq(2, 0xdef)); // e.g. a simulcast layer learnt later
    chain.readRtp(withSeq(3));
    clock.advance(100);
    const fb = rtcp[0]![0] as RtcpTransportCc;
    expect(twccPacketResults(fb).map((r) => r.received)).to.deep.equal([true, true, true, true]);
    expect(rx.counters.get('recorded')).to.equal(4);
  });

  it('continues across the 16-bit wrap and splits large spans', () => {
    const rx = new TwccReceiver({ intervalMs: 100, maxPacketsPerFeedback: 3 });
    const { chain, clock, rtcp } = harness([rx]);
    chain.bindRemoteStream(bind);
    for (const s of [65533, 65534, 65535, 0, 1]) chain.readRtp(withSeq(s));
    clock.advance(100);
    const fbs = rtcp.map((c) => c[0] as RtcpTransportCc);
    expect(fbs.map((f) => [f.baseSequenceNumber, f.packetStatusCount, f.feedbackPacketCount])).to.deep.equal([[65533, 3, 0], [0, 2, 1]]);
    expect(rx.counters.get('split')).to.equal(1);
  });

  it('counts a malformed extension and ignores streams without transport-cc', () => {
    const rx = new TwccReceiver();
    const { chain, clock, rtcp } = harness([rx]);
    chain.bindRemoteStream(bind);
    chain.bindRemoteStream({ ssrc: 78, clockRate: 90000 });
    const bad = media(77, 1);
    bad.setExtension(ID, Buffer.from([1, 2, 3]));
    expect(chain.readRtp(bad)).to.equal(bad);
    chain.readRtp(withSeq(9, 78));
    clock.advance(200);
    expect(rx.counters.get('malformedExtension')).to.equal(1);
    expect(rtcp.length).to.equal(0);
  });
});

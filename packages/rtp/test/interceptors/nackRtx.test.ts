import { expect } from 'chai';
import { nackSequenceNumbers, type RtcpGenericNack } from '../../src/rtcp/index.js';
import { RtpPacket, wrapRtx } from '../../src/rtp/index.js';
import { NackGenerator } from '../../src/interceptors/nackGenerator.js';
import { NackResponder } from '../../src/interceptors/nackResponder.js';
import { createDefaultInterceptors } from '../../src/interceptors/defaults.js';
import { harness, media } from './harness.js';

// A rid-simulcast layer: the RTX SSRC is not in the SDP (no a=ssrc-group:FID), so it is bound later.
const LAYER = { ssrc: 1000, clockRate: 90000, payloadType: 96, rtcpFeedback: ['nack'] };
const rtxOf = (seq: number, rtxSeq: number, pt = 97, ssrc = 2000) =>
  RtpPacket.parse(wrapRtx(media(1000, seq), { payloadType: pt, ssrc, sequenceNumber: rtxSeq }).serialize());

describe('interceptors: NackGenerator with RTX learned after binding (RFC 8852 §3, RFC 4588 §4)', () => {
  it('bindRtx keeps the pending NACKs and unwraps to the apt payload type, original SSRC and OSN', () => {
    const gen = new NackGenerator();
    const { chain, clock, rtcp } = harness([gen]);
    chain.bindRemoteStream(LAYER);
    for (const s of [10, 11, 14]) chain.readRtp(media(1000, s));
    clock.advance(20);
    expect(rtcp.map((c) => nackSequenceNumbers((c[0] as RtcpGenericNack).items))).to.deep.equal([[12, 13]]);
    // Before binding, the RTX SSRC is just another SSRC to this interceptor: passed on untouched.
    expect(chain.readRtp(rtxOf(12, 7))?.ssrc).to.equal(2000);
    expect(gen.bindRtx(1000, 2000, new Map([[97, 96], [99, 98]]))).to.equal(true);
    expect(gen.mediaSsrcOfRtx(2000)).to.equal(1000);
    expect(gen.missingSequences(1000)).to.deep.equal([12, 13]);
    const out = chain.readRtp(rtxOf(12, 8))!;
    expect([out.ssrc, out.sequenceNumber, out.payloadType]).to.deep.equal([1000, 12, 96]);
    expect(out.payload.equals(media(1000, 12).payload)).to.equal(true);
    // apt: RTX payload type 99 repairs payload type 98.
    const out13 = chain.readRtp(rtxOf(13, 9, 99))!;
    expect([out13.sequenceNumber, out13.payloadType]).to.deep.equal([13, 98]);
    expect(gen.missingSequences(1000)).to.deep.equal([]);
    expect(gen.counters.get('recovered')).to.equal(2);
    // An RTX payload type the apt map does not know is dropped and counted.
    expect(chain.readRtp(rtxOf(11, 10, 101))).to.equal(undefined);
    expect(gen.counters.get('rtxUnknownPayloadType')).to.equal(1);
  });

  it('a retransmission of a packet already received is dropped and not counted as a repair', () => {
    const gen = new NackGenerator();
    const { chain } = harness([gen]);
    chain.bindRemoteStream(LAYER);
    gen.bindRtx(1000, 2000);
    for (const s of [1, 2, 4]) chain.readRtp(media(1000, s));
    expect(chain.readRtp(rtxOf(3, 1))?.sequenceNumber).to.equal(3);
    expect(chain.readRtp(rtxOf(3, 2))).to.equal(undefined); // answered twice (two NACKs)
    expect(chain.readRtp(rtxOf(2, 3))).to.equal(undefined); // the original was only late
    expect(chain.readRtp(rtxOf(4, 4))).to.equal(undefined); // the newest one
    expect(gen.counters.get('recovered')).to.equal(1);
    expect(gen.counters.get('rtxDuplicate')).to.equal(3);
    expect(gen.counters.get('rtxUnwrapped')).to.equal(4);
  });

  it('a late retransmission of a packet given up on is still delivered, once', () => {
    const gen = new NackGenerator({ maxRetries: 1, retryIntervalMs: 20 });
    const { chain, clock } = harness([gen]);
    chain.bindRemoteStream(LAYER);
    gen.bindRtx(1000, 2000);
    chain.readRtp(media(1000, 1));
    chain.readRtp(media(1000, 3));
    clock.advance(100);
    expect(gen.counters.get('givenUp')).to.equal(1);
    expect(chain.readRtp(rtxOf(2, 1))?.sequenceNumber).to.equal(2);
    expect(chain.readRtp(rtxOf(2, 2))).to.equal(undefined);
    expect([gen.counters.get('recoveredLate'), gen.counters.get('rtxDuplicate'), gen.counters.get('recovered')]).to.deep.equal([1, 1, 0]);
  });

  it('bindRtx refuses an unbound media SSRC, a media SSRC as RTX and an RTX SSRC of another stream; unbind forgets learned RTX', () => {
    const gen = new NackGenerator();
    const { chain } = harness([gen]);
    chain.bindRemoteStream(LAYER);
    chain.bindRemoteStream({ ...LAYER, ssrc: 1001 });
    expect(gen.bindRtx(5555, 2000)).to.equal(false);
    expect(gen.bindRtx(1000, 1001)).to.equal(false);
    expect(gen.bindRtx(1000, 2000)).to.equal(true);
    expect(gen.bindRtx(1000, 2000)).to.equal(true);
    expect(gen.bindRtx(1001, 2000)).to.equal(false);
    // At most four RTX SSRCs per stream: a fifth forgets the oldest.
    for (const x of [2001, 2002, 2003]) expect(gen.bindRtx(1000, x)).to.equal(true);
    expect(gen.mediaSsrcOfRtx(2000)).to.equal(1000);
    expect(gen.bindRtx(1000, 2004)).to.equal(true);
    expect([2000, 2001, 2004].map((x) => gen.mediaSsrcOfRtx(x))).to.deep.equal([undefined, 1000, 1000]);
    expect(gen.bindRtx(1000, 2000)).to.equal(true);
    chain.unbindRemoteStream(1000);
    expect(gen.mediaSsrcOfRtx(2000)).to.equal(undefined);
    expect(gen.mediaSsrcOfRtx(2004)).to.equal(undefined);
    expect(chain.readRtp(rtxOf(3, 1))?.ssrc).to.equal(2000);
  });
});

describe('interceptors: NackResponder rewriteRtx', () => {
  it('lets the owner rewrite each RTX packet before it is sent (RtpStreamId → RepairedRtpStreamId)', () => {
    const seen: [number, number][] = [];
    const res = new NackResponder({
      rtxInitialSequence: () => 40,
      rewriteRtx: (rtx, original) => {
        seen.push([rtx.sequenceNumber, original.sequenceNumber]);
        const rid = rtx.getExtension(10)!;
        rtx.removeExtension(10);
        rtx.setExtension(11, rid);
      },
    });
    const { chain, rtp } = harness([res]);
    chain.bindLocalStream({ ...LAYER, rtxSsrc: 2000, rtxPayloadType: 97 });
    chain.writeRtp(media(1000, 5, 10, { extensions: [{ id: 10, data: Buffer.from('hi') }] }));
    chain.readRtcp([{ kind: 'nack', senderSsrc: 1, mediaSsrc: 1000, items: [{ pid: 5, blp: 0 }] }]);
    expect(seen).to.deep.equal([[40, 5]]);
    const sent = RtpPacket.parse(rtp[1]!.serialize());
    expect([sent.ssrc, sent.payloadType, sent.getExtension(10), sent.getExtension(11)?.toString()]).to.deep.equal([2000, 97, undefined, 'hi']);
    // The history keeps the original untouched.
    expect(rtp[0]!.getExtension(10)?.toString()).to.equal('hi');
  });
});

describe('interceptors: default chain — RTX the NACK generator stops still reaches the TWCC receiver', () => {
  it('padding probes and duplicate retransmissions on a bound RTX SSRC are recorded for transport-cc feedback', () => {
    const d = createDefaultInterceptors();
    const { chain } = harness(d.list);
    chain.bindRemoteStream({ ...LAYER, rtcpFeedback: ['nack', 'transport-cc'], transportCcExtensionId: 3 });
    expect(d.nackGenerator.bindRtx(1000, 2000)).to.equal(true);
    const twcc = (n: number) => [{ id: 3, data: Buffer.from([0, n]) }];
    const delivered = [
      chain.readRtp(media(1000, 1, 10, { extensions: twcc(1) })),
      chain.readRtp(media(1000, 3, 10, { extensions: twcc(2) })),
      // Chromium's bandwidth probe: padding only, on the RTX SSRC.
      chain.readRtp(new RtpPacket({ ssrc: 2000, payloadType: 97, sequenceNumber: 9, extensions: twcc(3), paddingLength: 200 })),
      chain.readRtp(RtpPacket.parse(wrapRtx(media(1000, 2, 10, { extensions: twcc(4) }), { payloadType: 97, ssrc: 2000, sequenceNumber: 10 }).serialize())),
      // The same retransmission again (answer to a second NACK): stopped, but it was on the wire.
      chain.readRtp(RtpPacket.parse(wrapRtx(media(1000, 2, 10, { extensions: twcc(5) }), { payloadType: 97, ssrc: 2000, sequenceNumber: 11 }).serialize())),
    ].map((p) => p?.sequenceNumber);
    expect(delivered).to.deep.equal([1, 3, undefined, 2, undefined]);
    expect(d.twccReceiver.counters.get('recorded')).to.equal(5);
    expect(d.nackGenerator.counters.get('rtxPaddingDropped')).to.equal(1);
    expect(d.nackGenerator.counters.get('rtxDuplicate')).to.equal(1);
    chain.close();
  });
});

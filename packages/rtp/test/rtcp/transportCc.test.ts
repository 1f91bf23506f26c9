import { expect } from 'chai';
import { parseRtcp, serializeRtcp, buildTransportCc, twccPacketResults, encodeTwccChunks, type RtcpTransportCc } from '../../src/rtcp/index.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

// Hand-assembled from draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1:
// run length (small ×3), 1-bit vector, 2-bit vector with a large negative delta, then 1 byte of zero padding.
const VECTOR = hex('8fcd0008 00000001 00000002 0005 0014 000100 02 2003 a801 e100 04080c 0102ff fffc 10 00');

// A feedback packet captured from a browser, with Wireshark's decoding as the independent reading:
// P bit set with one byte of padding, base 1, count 9, reference time 6197520, one run-length chunk
// (small delta × 9), deltas 7, 3, 11, 14, 0, 1, 0, 2, 6 ms.
const CAPTURED = hex('afcd0007 00000001 dd586eb6 0001 0009 5e9110 00 2009 1c0c2c38 00040008 18 01');

describe('transport-wide CC feedback (draft-holmer-01 §3.1)', () => {
  it('reads a captured browser feedback packet as Wireshark does', () => {
    const [fb] = parseRtcp(CAPTURED) as [RtcpTransportCc];
    expect(fb.senderSsrc).to.equal(1);
    expect(fb.mediaSsrc).to.equal(0xdd586eb6);
    expect([fb.baseSequenceNumber, fb.packetStatusCount, fb.referenceTime, fb.feedbackPacketCount]).to.deep.equal([1, 9, 6197520, 0]);
    expect(fb.chunks).to.deep.equal([{ type: 'runLength', status: 1, runLength: 9 }]);
    expect(fb.recvDeltas.map((d) => d / 4)).to.deep.equal([7, 3, 11, 14, 0, 1, 0, 2, 6]);
    const t0 = 6197520 * 64000;
    expect(twccPacketResults(fb).map((r) => (r.receivedAtUs! - t0) / 1000)).to.deep.equal([7, 10, 21, 35, 35, 36, 36, 38, 44]);
    // We write the same content with zero padding inside the packet instead of the P bit.
    expect(serializeRtcp([fb]).toString('hex')).to.equal('8fcd000700000001dd586eb6000100095e91100020091c0c2c380004000818' + '00');
  });

  it('parses all three chunk kinds and small/large deltas, and writes the same bytes', () => {
    const [fb] = parseRtcp(VECTOR) as [RtcpTransportCc];
    expect(fb).to.deep.equal({
      kind: 'twcc',
      senderSsrc: 1,
      mediaSsrc: 2,
      baseSequenceNumber: 5,
      packetStatusCount: 20,
      referenceTime: 256,
      feedbackPacketCount: 2,
      chunks: [
        { type: 'runLength', status: 1, runLength: 3 },
        { type: 'statusVector', symbolSize: 1, symbols: [1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1] },
        { type: 'statusVector', symbolSize: 2, symbols: [2, 0, 1, 0, 0, 0, 0] },
      ],
      recvDeltas: [4, 8, 12, 1, 2, 255, -4, 16],
    });
    expect(serializeRtcp([fb]).toString('hex')).to.equal(VECTOR.toString('hex'));
  });

  it('reads the chunk examples of draft §3.1.3 and §3.1.4', () => {
    // 0x00DD: 221 not received; 0x6018: 24 received without delta; 0x9F1C and 0xCD50: the vector examples.
    const bytes = hex('8fcd0009 00000001 00000002 0000 010a 000000 00 00dd 6018 9f1c cd50 0102030405060708 090a0b 00');
    const [fb] = parseRtcp(bytes) as [RtcpTransportCc];
    expect(fb.chunks).to.deep.equal([
      { type: 'runLength', status: 0, runLength: 221 },
      { type: 'runLength', status: 3, runLength: 24 },
      { type: 'statusVector', symbolSize: 1, symbols: [0, 1, 1, 1, 1, 1, 0, 0, 0, 1, 1, 1, 0, 0] },
      { type: 'statusVector', symbolSize: 2, symbols: [0, 3, 1, 1, 1, 0, 0] },
    ]);
    expect(fb.recvDeltas).to.deep.equal([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    const res = twccPacketResults(fb);
    expect(res.length).to.equal(266);
    expect(res.filter((r) => r.received).length).to.equal(24 + 8 + 1 + 3);
    expect(res[221]).to.deep.equal({ sequenceNumber: 221, received: true }); // received, no delta
    expect(serializeRtcp([fb]).toString('hex')).to.equal(bytes.toString('hex'));
  });

  it('expands to per-packet results with absolute arrival times', () => {
    const [fb] = parseRtcp(VECTOR) as [RtcpTransportCc];
    const res = twccPacketResults(fb);
    expect(res.length).to.equal(20);
    const got = res.filter((r) => r.received).map((r) => [r.sequenceNumber, r.receivedAtUs]);
    expect(got).to.deep.equal([
      [5, 16385000], [6, 16387000], [7, 16390000], [8, 16390250], [10, 16390750],
      [21, 16454500], [22, 16453500], [24, 16457500],
    ]);
    expect(res.filter((r) => !r.received).map((r) => r.sequenceNumber)).to.deep.equal([9, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 23]);
  });

  it('builds feedback from arrival times and reads them back within 250 µs without drift', () => {
    const arrivals: Array<number | undefined> = [];
    let t = 1_000_123;
    for (let i = 0; i < 300; i++) {
      t += (i * 7919) % 3 === 0 ? 333 : 90_000 * ((i % 50) === 0 ? 1 : 0) + 17;
      arrivals.push(i % 11 === 3 ? undefined : t);
    }
    arrivals[150] = arrivals[149]! - 5000; // reordered arrival → negative (large) delta
    const fb = buildTransportCc({ senderSsrc: 9, mediaSsrc: 10, baseSequenceNumber: 65500, feedbackPacketCount: 7, arrivalsUs: arrivals });
    expect(fb.referenceTime).to.equal(Math.floor(1_000_456 / 64000));
    const [back] = parseRtcp(serializeRtcp([fb])) as [RtcpTransportCc];
    expect(back).to.deep.equal(fb);
    const res = twccPacketResults(back);
    for (let i = 0; i < arrivals.length; i++) {
      expect(res[i]!.sequenceNumber).to.equal((65500 + i) & 0xffff);
      if (arrivals[i] === undefined) expect(res[i]!.received).to.equal(false);
      else expect(Math.abs(res[i]!.receivedAtUs! - arrivals[i]!)).to.be.at.most(125);
    }
    expect(back.chunks.some((c) => c.type === 'runLength')).to.equal(true);
    expect(back.chunks.some((c) => c.type === 'statusVector' && c.symbolSize === 2)).to.equal(true);
  });

  it('encodes chunks greedily', () => {
    expect(encodeTwccChunks([1, 1, 1, 1, 1, 1, 1, 1])).to.deep.equal([{ type: 'runLength', status: 1, runLength: 8 }]);
    expect(encodeTwccChunks([1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 2])).to.deep.equal([
      { type: 'statusVector', symbolSize: 1, symbols: [1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0] },
      { type: 'runLength', status: 2, runLength: 1 },
    ]);
    expect(encodeTwccChunks([2, 1, 0])).to.deep.equal([{ type: 'statusVector', symbolSize: 2, symbols: [2, 1, 0, 0, 0, 0, 0] }]);
  });

  it('refuses inconsistent feedback', () => {
    const fb = parseRtcp(VECTOR)[0] as RtcpTransportCc;
    expect(() => serializeRtcp([{ ...fb, recvDeltas: [1] }])).to.throw(/need 8 receive deltas, got 1/);
    expect(() => serializeRtcp([{ ...fb, packetStatusCount: 30 }])).to.throw(/describe 24 packets but packetStatusCount is 30/);
    expect(() => buildTransportCc({ senderSsrc: 0, mediaSsrc: 0, baseSequenceNumber: 0, feedbackPacketCount: 0, arrivalsUs: [0, 10_000_000] })).to.throw(/split/);
  });
});

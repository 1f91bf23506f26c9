import { expect } from 'chai';
import { Counters, ParseError } from '@rivulet/common';
import {
  parseRtcp,
  tryParseRtcp,
  serializeRtcp,
  isFullCompound,
  nackSequenceNumbers,
  nackItemsFromSequenceNumbers,
  rembExpMantissa,
  SdesItemType,
  type RtcpPacket,
} from '../../src/rtcp/index.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

function roundTrip(bytes: Buffer, expected: RtcpPacket[]): void {
  const parsed = parseRtcp(bytes);
  expect(parsed).to.deep.equal(expected);
  expect(serializeRtcp(parsed).toString('hex')).to.equal(bytes.toString('hex'));
}

describe('RTCP packets', () => {
  it('SR with one report block, negative cumulative loss (RFC 3550 §6.4.1)', () => {
    const bytes = hex(
      '81c8000c' + '11111111' + 'e1b2c3d4a5b6c7d8' + '00010000' + '00000064' + '00002710' +
        '22222222' + '40' + 'fffffe' + '0001ffff' + '00000010' + 'c3d4a5b6' + '00018000',
    );
    roundTrip(bytes, [
      {
        kind: 'sr',
        ssrc: 0x11111111,
        ntpTimestamp: 0xe1b2c3d4a5b6c7d8n,
        rtpTimestamp: 0x10000,
        packetCount: 100,
        octetCount: 10000,
        reports: [
          { ssrc: 0x22222222, fractionLost: 64, packetsLost: -2, highestSequence: 0x1ffff, jitter: 16, lastSr: 0xc3d4a5b6, delaySinceLastSr: 0x18000 },
        ],
      },
    ]);
  });

  it('compound RR + SDES CNAME + BYE with reason', () => {
    const bytes = hex(
      '80c90001' + '33333333' +
        '81ca0003' + '33333333' + '0105' + Buffer.from('alice').toString('hex') + '00' + // 4+2+5+1 = 12
        '81cb0004' + '33333333' + '08' + Buffer.from('shutdown').toString('hex') + '000000',
    );
    const expected: RtcpPacket[] = [
      { kind: 'rr', ssrc: 0x33333333, reports: [] },
      { kind: 'sdes', chunks: [{ ssrc: 0x33333333, items: [{ type: 1, text: 'alice' }] }] },
      { kind: 'bye', ssrcs: [0x33333333], reason: 'shutdown' },
    ];
    roundTrip(bytes, expected);
    expect(isFullCompound(expected)).to.equal(true);
    expect(isFullCompound(expected.slice(1))).to.equal(false);
  });

  it('SDES chunk whose items end exactly on a word boundary gets a full null word', () => {
    // ssrc(4) + item 01 02 'ab' (4) = 8 → needs 4 more bytes of nulls
    roundTrip(hex('81ca0003 00000001 01026162 00000000'), [{ kind: 'sdes', chunks: [{ ssrc: 1, items: [{ type: 1, text: 'ab' }] }] }]);
  });

  it('accepts a last SDES chunk without its null terminator (as werift-rtp writes it)', () => {
    expect(parseRtcp(hex('81ca0002 00000001 02026162'))).to.deep.equal([{ kind: 'sdes', chunks: [{ ssrc: 1, items: [{ type: 2, text: 'ab' }] }] }]);
  });

  it('APP (RFC 3550 §6.7)', () => {
    roundTrip(hex('85cc0003 00000009 74657374 01020304'), [
      { kind: 'app', subtype: 5, ssrc: 9, name: 'test', data: hex('01020304') },
    ]);
  });

  it('Generic NACK (RFC 4585 §6.2.1) and its helpers', () => {
    roundTrip(hex('81cd0003 00000001 00000002 0064 8001'), [{ kind: 'nack', senderSsrc: 1, mediaSsrc: 2, items: [{ pid: 100, blp: 0x8001 }] }]);
    expect(nackSequenceNumbers([{ pid: 100, blp: 0x8001 }])).to.deep.equal([100, 101, 116]);
    expect(nackSequenceNumbers([{ pid: 65535, blp: 1 }])).to.deep.equal([65535, 0]);
    expect(nackItemsFromSequenceNumbers([65534, 65535, 0, 10, 17, 40])).to.deep.equal([
      { pid: 65534, blp: 0b100000000011 },
      { pid: 17, blp: 0 },
      { pid: 40, blp: 0 },
    ]);
  });

  it('PLI, FIR (RFC 5104 §4.3.1), REMB', () => {
    roundTrip(hex('81ce0002 00000001 00000002'), [{ kind: 'pli', senderSsrc: 1, mediaSsrc: 2 }]);
    roundTrip(hex('84ce0004 00000001 00000000 00000005 07000000'), [
      { kind: 'fir', senderSsrc: 1, mediaSsrc: 0, entries: [{ ssrc: 5, sequenceNumber: 7 }] },
    ]);
    // REMB: 1 SSRC, exp 3, mantissa 0x3ffff → 262143 * 8 = 2097144 bps
    roundTrip(hex('8fce0005 00000001 00000000 52454d42 010fffff 0000abcd'), [
      { kind: 'remb', senderSsrc: 1, mediaSsrc: 0, bitrate: 2097144, ssrcs: [0xabcd] },
    ]);
    expect(rembExpMantissa(1_000_000)).to.deep.equal({ exp: 2, mantissa: 250000 });
    expect(rembExpMantissa(262143)).to.deep.equal({ exp: 0, mantissa: 262143 });
    expect(rembExpMantissa(262144)).to.deep.equal({ exp: 1, mantissa: 131072 });
  });

  it('XR with RRT, DLRR and an unknown block (RFC 3611 §4.4, §4.5)', () => {
    roundTrip(hex('80cf000a 00000007 04000002 0102030405060708 05000003 00000008 aabbccdd 00010000 09ff0001 cafebabe'), [
      {
        kind: 'xr',
        ssrc: 7,
        blocks: [
          { type: 'rrt', ntpTimestamp: 0x0102030405060708n },
          { type: 'dlrr', items: [{ ssrc: 8, lastRr: 0xaabbccdd, delaySinceLastRr: 0x10000 }] },
          { type: 'unknown', blockType: 9, typeSpecific: 0xff, data: hex('cafebabe') },
        ],
      },
    ]);
  });

  it('keeps unknown packet types and unknown feedback FMTs raw', () => {
    roundTrip(hex('83d00001 deadbeef'), [{ kind: 'unknown', packetType: 208, count: 3, body: hex('deadbeef') }]);
    roundTrip(hex('82ce0003 00000001 00000002 01020304'), [
      { kind: 'feedback', packetType: 206, fmt: 2, senderSsrc: 1, mediaSsrc: 2, fci: hex('01020304') },
    ]);
  });

  it('strips RTCP padding of the last packet', () => {
    const p = parseRtcp(hex('81ce0003 00000001 00000002 00000004'));
    expect(p).to.deep.equal([{ kind: 'pli', senderSsrc: 1, mediaSsrc: 2 }]);
    // a PADDED packet type bit: 0xa1
    expect(parseRtcp(hex('a1ce0003 00000001 00000002 00000004'))).to.deep.equal([{ kind: 'pli', senderSsrc: 1, mediaSsrc: 2 }]);
  });

  it('rejects malformed compound packets', () => {
    const bad = [
      hex('80c9'), // short
      hex('40c90001 00000001'), // version 1
      hex('80c90002 00000001'), // length overruns
      hex('81c90001 00000001'), // RR count 1 without block
      hex('80c90001 00000001 80'), // trailing byte
      hex('a0c90001 00000000'), // padding count 0
      hex('81cd0002 00000001 00000002'), // NACK without FCI
      hex('8fcd0003 00000001 00000002 00010005'), // TWCC truncated
    ];
    const counters = new Counters<'rtcpMalformed'>();
    for (const b of bad) {
      expect(() => parseRtcp(b), b.toString('hex')).to.throw(ParseError);
      expect(tryParseRtcp(b, counters)).to.equal(undefined);
    }
    expect(counters.get('rtcpMalformed')).to.equal(bad.length);
  });

  it('reports API misuse with the field and value', () => {
    expect(() => serializeRtcp([{ kind: 'pli', senderSsrc: -1, mediaSsrc: 0 }])).to.throw(/PLI senderSsrc must be an integer 0..4294967295, got -1/);
    expect(() => serializeRtcp([{ kind: 'app', subtype: 0, ssrc: 0, name: 'toolong', data: Buffer.alloc(0) }])).to.throw(/APP name/);
    expect(() => serializeRtcp([{ kind: 'nack', senderSsrc: 0, mediaSsrc: 0, items: [] }])).to.throw(/at least one item/);
    expect(() => serializeRtcp([])).to.throw(/at least one packet/);
    expect(() =>
      serializeRtcp([{ kind: 'rr', ssrc: 0, reports: [{ ssrc: 0, fractionLost: 0, packetsLost: 0x800000, highestSequence: 0, jitter: 0, lastSr: 0, delaySinceLastSr: 0 }] }]),
    ).to.throw(/packetsLost must be an integer -8388608..8388607, got 8388608/);
  });
});

describe('SDES item types', () => {
  it('match the IANA registry (RFC 3550 §6.5, RFC 8852, RFC 8843)', () => {
    expect([SdesItemType.CNAME, SdesItemType.PRIV, SdesItemType.RTP_STREAM_ID, SdesItemType.REPAIRED_RTP_STREAM_ID, SdesItemType.MID]).to.deep.equal([1, 8, 12, 13, 15]);
    const p = parseRtcp(serializeRtcp([{ kind: 'sdes', chunks: [{ ssrc: 1, items: [{ type: SdesItemType.MID, text: '0' }, { type: SdesItemType.RTP_STREAM_ID, text: 'hi' }] }] }]));
    expect(p).to.deep.equal([{ kind: 'sdes', chunks: [{ ssrc: 1, items: [{ type: 15, text: '0' }, { type: 12, text: 'hi' }] }] }]);
  });
});

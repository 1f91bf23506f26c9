import { expect } from 'chai';
import { ParseError } from '@rivulet/common';
import { parseChunk, serializeChunk } from '../src/chunks/chunk.js';
import { forwardTsnSupportedParam, peerExtensions, screenParams, stateCookieParam, supportedExtensionsParam, unrecognizedParam } from '../src/chunks/init.js';
import { describeCauses, userInitiatedAbortCause } from '../src/chunks/error.js';
import type { Chunk } from '../src/chunks/types.js';
import { parseDcep, serializeDcep } from '../src/dcep.js';

const samples: Chunk[] = [
  { type: 0, unordered: true, beginning: true, ending: false, immediate: true, tsn: 0xfffffffe, streamId: 3, ssn: 65535, ppid: 53, userData: Buffer.from('abcde') },
  { type: 1, initiateTag: 0x01020304, aRwnd: 131072, outboundStreams: 1024, inboundStreams: 2048, initialTsn: 77, params: [forwardTsnSupportedParam(), supportedExtensionsParam([130, 192])] },
  { type: 2, initiateTag: 9, aRwnd: 1, outboundStreams: 1, inboundStreams: 1, initialTsn: 0, params: [stateCookieParam(Buffer.from('cookie!'))] },
  { type: 3, cumTsnAck: 100, aRwnd: 5000, gapBlocks: [{ start: 2, end: 3 }, { start: 5, end: 9 }], duplicateTsns: [99, 98] },
  { type: 4, info: Buffer.from('hb-info-xyz') },
  { type: 5, info: Buffer.from('hb') },
  { type: 6, reflected: true, causes: [userInitiatedAbortCause('bye')] },
  { type: 7, cumTsnAck: 0x80000000 },
  { type: 8 },
  { type: 9, causes: [{ type: 1, value: Buffer.from([0, 5, 0, 0]) }] },
  { type: 10, cookie: Buffer.from('0123456789') },
  { type: 11 },
  { type: 14, reflected: false },
  { type: 192, newCumulativeTsn: 12345, streams: [{ streamId: 1, ssn: 2 }, { streamId: 7, ssn: 65535 }] },
  {
    type: 130,
    params: [
      { type: 13, requestSeq: 10, responseSeq: 20, senderLastTsn: 30, streams: [1, 2, 3] },
      { type: 16, responseSeq: 5, result: 1, senderNextTsn: 6, receiverNextTsn: 7 },
    ],
  },
  { type: 130, params: [{ type: 14, requestSeq: 4, streams: [] }] },
  { type: 'unknown', code: 0xc1, flags: 7, value: Buffer.from([1, 2, 3]) },
];

describe('chunk codecs (RFC 9260 §3.3, RFC 3758, RFC 6525)', () => {
  for (const c of samples) {
    it(`round-trips ${c.type === 'unknown' ? 'an unknown chunk' : `chunk type ${c.type}`}`, () => {
      const wire = serializeChunk(c);
      expect(wire.length % 4).to.equal(0);
      expect(parseChunk(wire)).to.deep.equal(c);
    });
  }

  it('writes DATA exactly as the RFC lays it out', () => {
    const wire = serializeChunk(samples[0]!);
    // type 0, flags I|U|B = 0x0e, length 21, TSN, stream 3, SSN 65535, PPID 53, data, 3 bytes padding
    expect(wire.toString('hex')).to.equal('000e0015fffffffe0003ffff000000356162636465000000');
  });

  it('writes SACK with gap blocks and duplicates in order', () => {
    expect(serializeChunk(samples[3]!).toString('hex')).to.equal(
      '03000020' + '00000064' + '00001388' + '0002' + '0002' + '00020003' + '00050009' + '00000063' + '00000062',
    );
  });

  it('excludes the last parameter padding from the chunk length (RFC 9260 §3.2)', () => {
    const init = serializeChunk(samples[2]!);
    // 4 header + 16 fixed + 4 TLV header + 7 cookie bytes = 31; one pad byte follows.
    expect(init.readUInt16BE(2)).to.equal(31);
    expect(init.length).to.equal(32);
  });

  it('reads the peer extensions from INIT parameters', () => {
    expect(peerExtensions(samples[1] as Extract<Chunk, { type: 1 | 2 }>)).to.deep.equal({ forwardTsn: true, reconfig: true, zeroChecksum: false });
    expect(peerExtensions(samples[2] as Extract<Chunk, { type: 1 | 2 }>)).to.deep.equal({ forwardTsn: false, reconfig: false, zeroChecksum: false });
  });

  it('screens unknown INIT parameters by their two high bits (RFC 9260 §3.2.1)', () => {
    const skipReport = { type: 0xc123, value: Buffer.from([1, 2, 3]) };
    const skipSilent = { type: 0x8123, value: Buffer.alloc(0) }; // (0x8001 is RFC 9653's, known to us)
    const stop = { type: 0x0123, value: Buffer.alloc(0) };
    const { usable, report } = screenParams([skipReport, skipSilent, forwardTsnSupportedParam(), stop, supportedExtensionsParam([130])]);
    expect(usable.map((t) => t.type)).to.deep.equal([0xc000]); // everything after the 00-type stop is ignored
    expect(report).to.deep.equal([skipReport]);
    expect(unrecognizedParam(skipReport)).to.deep.equal({ type: 8, value: Buffer.from('c1230007010203', 'hex') });
  });

  it('rejects malformed chunks with ParseError', () => {
    const bad = [
      '00030004', // DATA with length 4 (no header fields)
      '000000100000000100000000000000', // length beyond buffer
      '0300001000000064000013880005000000000000', // SACK announcing 5 gap blocks
      '0100001400000000000100000001000100000000', // INIT with initiate tag 0
      'c000000700000000', // FORWARD TSN with 3 value bytes
      '8200000c000d000800000001', // RE-CONFIG outgoing reset request too short
      '0400000800010003', // HEARTBEAT whose info parameter has length 3
    ];
    for (const hex of bad) expect(() => parseChunk(Buffer.from(hex, 'hex')), hex).to.throw(ParseError);
  });

  it('describes error causes for humans', () => {
    expect(describeCauses([userInitiatedAbortCause('bye'), { type: 3, value: Buffer.alloc(4) }])).to.equal('user-initiated abort: bye; stale cookie');
  });
});

describe('DCEP messages (RFC 8832 §5)', () => {
  it('round-trips DATA_CHANNEL_OPEN and ACK with exact bytes', () => {
    const open = { type: 'open' as const, channelType: 0x82, priority: 256, reliabilityParameter: 1500, label: 'lbl', protocol: 'p' };
    const wire = serializeDcep(open);
    expect(wire.toString('hex')).to.equal('038201000000' + '05dc' + '0003' + '0001' + '6c626c' + '70');
    expect(parseDcep(wire)).to.deep.equal(open);
    expect(serializeDcep({ type: 'ack' }).toString('hex')).to.equal('02');
    expect(parseDcep(Buffer.from([2]))).to.deep.equal({ type: 'ack' });
  });

  it('rejects truncated, unknown and non-UTF-8 messages', () => {
    for (const hex of ['', '05', '0300', '03000100000000000005000061', '03000100000000000001000' + '0ff', '03050100000000000000000000']) {
      expect(() => parseDcep(Buffer.from(hex, 'hex')), hex).to.throw(ParseError);
    }
  });
});

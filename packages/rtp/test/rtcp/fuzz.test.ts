import { expect } from 'chai';
import { ParseError } from '@rivulet/common';
import { parseRtcp, tryParseRtcp, serializeRtcp, buildTransportCc, nackItemsFromSequenceNumbers, type RtcpPacket } from '../../src/rtcp/index.js';
import { Prng } from '../rtp/prng.js';

// Hostile input for the RTCP parser: only ParseError may escape parseRtcp; tryParseRtcp never throws.

function validCompound(r: Prng): Buffer {
  const packets: RtcpPacket[] = [
    { kind: 'rr', ssrc: r.u32(), reports: [{ ssrc: 1, fractionLost: 2, packetsLost: -3, highestSequence: 4, jitter: 5, lastSr: 6, delaySinceLastSr: 7 }] },
    { kind: 'sdes', chunks: [{ ssrc: 1, items: [{ type: 1, text: 'x'.repeat(r.int(1, 9)) }] }] },
  ];
  const extra = r.pick(['nack', 'twcc', 'pli', 'fir', 'remb', 'xr', 'bye', 'app', 'sr'] as const);
  if (extra === 'nack') packets.push({ kind: 'nack', senderSsrc: 1, mediaSsrc: 2, items: nackItemsFromSequenceNumbers([r.int(0, 65535), r.int(0, 65535)]) });
  if (extra === 'twcc') {
    const arrivals = Array.from({ length: r.int(1, 40) }, (_, i) => (r.bool(0.8) ? 100000 + i * r.int(0, 20000) : undefined));
    packets.push(buildTransportCc({ senderSsrc: 1, mediaSsrc: 2, baseSequenceNumber: r.int(0, 65535), feedbackPacketCount: 1, arrivalsUs: arrivals }));
  }
  if (extra === 'pli') packets.push({ kind: 'pli', senderSsrc: 1, mediaSsrc: 2 });
  if (extra === 'fir') packets.push({ kind: 'fir', senderSsrc: 1, mediaSsrc: 0, entries: [{ ssrc: 3, sequenceNumber: 4 }] });
  if (extra === 'remb') packets.push({ kind: 'remb', senderSsrc: 1, mediaSsrc: 0, bitrate: r.int(0, 1e9), ssrcs: [5] });
  if (extra === 'xr') packets.push({ kind: 'xr', ssrc: 1, blocks: [{ type: 'rrt', ntpTimestamp: 5n }, { type: 'dlrr', items: [{ ssrc: 1, lastRr: 2, delaySinceLastRr: 3 }] }] });
  if (extra === 'bye') packets.push({ kind: 'bye', ssrcs: [1, 2], reason: 'bye' });
  if (extra === 'app') packets.push({ kind: 'app', subtype: 1, ssrc: 1, name: 'abcd', data: r.bytes(8) });
  if (extra === 'sr') packets.unshift({ kind: 'sr', ssrc: 1, ntpTimestamp: 2n, rtpTimestamp: 3, packetCount: 4, octetCount: 5, reports: [] });
  return serializeRtcp(packets);
}

function mutate(r: Prng, b: Buffer): Buffer {
  const m = Buffer.from(b);
  switch (r.int(0, 3)) {
    case 0:
      for (let i = r.int(1, 4); i > 0; i--) m[r.int(0, m.length - 1)] = r.int(0, 255);
      return m;
    case 1:
      return m.subarray(0, r.int(0, m.length));
    case 2: {
      const at = r.int(0, m.length - 1);
      m[at] = m[at]! ^ (1 << r.int(0, 7));
      return m;
    }
    default:
      return Buffer.concat([m, r.bytes(r.int(1, 8))]);
  }
}

function exercise(b: Buffer): 'ok' | 'dropped' {
  let ok = false;
  try {
    parseRtcp(b);
    ok = true;
  } catch (e) {
    expect(e, b.toString('hex')).to.be.instanceOf(ParseError);
  }
  expect(tryParseRtcp(b) !== undefined).to.equal(ok);
  return ok ? 'ok' : 'dropped';
}

describe('RTCP fuzz', function () {
  this.timeout(30000);

  it('random bytes (5000, seed 31)', () => {
    const r = new Prng(31);
    const seen = { ok: 0, dropped: 0 };
    for (let i = 0; i < 5000; i++) {
      const b = r.bytes(r.int(0, 64));
      if (b.length > 3 && r.bool(0.7)) {
        b[0] = 0x80 | (b[0]! & 0x1f);
        b[1] = r.int(200, 207);
        b.writeUInt16BE(Math.floor(b.length / 4) - 1, 2);
      }
      seen[exercise(b)]++;
    }
    expect(seen.ok).to.be.greaterThan(100);
    expect(seen.dropped).to.be.greaterThan(100);
  });

  it('mutated valid compound packets (5000, seed 32)', () => {
    const r = new Prng(32);
    const seen = { ok: 0, dropped: 0 };
    for (let i = 0; i < 5000; i++) seen[exercise(mutate(r, validCompound(r)))]++;
    expect(seen.ok).to.be.greaterThan(1000);
    expect(seen.dropped).to.be.greaterThan(500);
  });
});

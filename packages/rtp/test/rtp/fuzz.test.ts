import { expect } from 'chai';
import { ParseError } from '@rivulet/common';
import {
  RtpPacket,
  parseRtp,
  tryParseRtp,
  rtpHeaderLayout,
  findRtpHeaderExtension,
  setRtpHeaderExtension,
  rewriteRtpHeader,
} from '../../src/rtp/index.js';
import { Prng } from './prng.js';

// Hostile input: random and mutated packets. Parsers may only throw ParseError;
// the try* and raw SFU entry points never throw on input bytes.

function validPacket(r: Prng): Buffer {
  const twoByte = r.bool(0.3);
  const ids = r.distinct(r.int(0, 4), 1, twoByte ? 255 : 14);
  return new RtpPacket({
    marker: r.bool(),
    payloadType: r.int(0, 127),
    sequenceNumber: r.int(0, 0xffff),
    timestamp: r.u32(),
    ssrc: r.u32(),
    csrcs: Array.from({ length: r.int(0, 3) }, () => r.u32()),
    extensionProfile: ids.length === 0 ? undefined : twoByte ? 0x1000 : 0xbede,
    extensions: ids.map((id) => ({ id, data: r.bytes(r.int(twoByte ? 0 : 1, 16)) })),
    payload: r.bytes(r.int(0, 100)),
    paddingLength: r.bool(0.2) ? r.int(1, 20) : 0,
  }).serialize();
}

function mutate(r: Prng, b: Buffer): Buffer {
  const m = Buffer.from(b);
  const op = r.int(0, 3);
  if (op === 0 && m.length > 0) {
    for (let i = r.int(1, 4); i > 0; i--) m[r.int(0, m.length - 1)] = r.int(0, 255);
    return m;
  }
  if (op === 1) return m.subarray(0, r.int(0, m.length));
  if (op === 2 && m.length > 0) {
    const at = r.int(0, m.length - 1);
    m[at] = m[at]! ^ (1 << r.int(0, 7));
    return m;
  }
  return Buffer.concat([m, r.bytes(r.int(1, 8))]);
}

function exercise(buf: Buffer, r: Prng): 'ok' | 'dropped' {
  let parsed: RtpPacket | undefined;
  try {
    parsed = parseRtp(buf);
  } catch (e) {
    expect(e, buf.toString('hex')).to.be.instanceOf(ParseError);
  }
  const safe = tryParseRtp(buf);
  expect(safe === undefined).to.equal(parsed === undefined);
  // The raw SFU path must not throw on any input bytes.
  rtpHeaderLayout(buf);
  findRtpHeaderExtension(buf, r.int(1, 255));
  setRtpHeaderExtension(buf, r.int(1, 14), r.bytes(r.int(1, 4)));
  rewriteRtpHeader(Buffer.from(buf), { ssrc: 1, sequenceNumber: 2, payloadType: 3 });
  if (!parsed) return 'dropped';
  // Whatever parses re-serializes and parses to the same fields.
  const again = parseRtp(parsed.serialize());
  expect([again.payloadType, again.sequenceNumber, again.ssrc, again.paddingLength]).to.deep.equal([parsed.payloadType, parsed.sequenceNumber, parsed.ssrc, parsed.paddingLength]);
  expect(again.payload.equals(parsed.payload)).to.equal(true);
  expect(again.extensions.map((e) => [e.id, e.data.toString('hex')])).to.deep.equal(parsed.extensions.map((e) => [e.id, e.data.toString('hex')]));
  return 'ok';
}

describe('RTP fuzz', function () {
  this.timeout(30000);

  it('random bytes (5000, seed 21)', () => {
    const r = new Prng(21);
    const seen = { ok: 0, dropped: 0 };
    for (let i = 0; i < 5000; i++) {
      const b = r.bytes(r.int(0, 80));
      if (r.bool()) b[0] = 0x80 | (b[0]! & 0x3f); // bias towards version 2
      seen[exercise(b, r)]++;
    }
    expect(seen.ok).to.be.greaterThan(100);
    expect(seen.dropped).to.be.greaterThan(100);
  });

  it('mutated valid packets (5000, seed 22)', () => {
    const r = new Prng(22);
    const seen = { ok: 0, dropped: 0 };
    for (let i = 0; i < 5000; i++) seen[exercise(mutate(r, validPacket(r)), r)]++;
    expect(seen.ok).to.be.greaterThan(1000);
    expect(seen.dropped).to.be.greaterThan(200);
  });
});

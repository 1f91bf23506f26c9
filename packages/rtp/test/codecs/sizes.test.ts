import { expect } from 'chai';
import { Av1Depayloader, Av1Payloader } from '../../src/codecs/av1.js';
import { leb128Size, writeLeb128 } from '../../src/codecs/bits.js';
import { H264Payloader } from '../../src/codecs/h264.js';
import { H264Depayloader } from '../../src/codecs/h264Depayloader.js';
import { joinAnnexB } from '../../src/codecs/h264Nal.js';
import type { Depayloader, Payloader } from '../../src/codecs/types.js';
import { Vp8Depayloader, Vp8Payloader } from '../../src/codecs/vp8.js';
import { Vp9Depayloader, Vp9Payloader } from '../../src/codecs/vp9.js';
import { prng } from '../fixtures/harness.js';

/**
 * Boundary sweep: every MTU from the smallest allowed upward against frames
 * whose units land just under, on and just over packet boundaries. Each
 * frame must come back byte-exact with no payload over the MTU.
 */
function roundTrip(payloader: Payloader, depayloader: Depayloader, frame: Buffer, expected = frame): void {
  const out = payloader.payload(frame);
  for (const p of out) expect(p.payload.length).to.be.at.most(payloader.maxPayloadSize);
  expect(out.filter((p) => p.marker)).to.have.length(1);
  const back = depayloader.depayload(out.map((p, i) => ({ sequenceNumber: i, timestamp: 0, marker: p.marker, payload: p.payload })));
  expect(back, `mtu ${payloader.maxPayloadSize}, frame ${frame.length} bytes: ${JSON.stringify(depayloader.counters.toJSON())}`).to.not.equal(undefined);
  expect(back!.data.equals(expected), `mtu ${payloader.maxPayloadSize}, frame ${frame.length} bytes`).to.equal(true);
}

function obu(type: number, payloadLength: number, fill: number): Buffer {
  const size = Buffer.alloc(leb128Size(payloadLength));
  writeLeb128(size, 0, payloadLength);
  return Buffer.concat([Buffer.from([(type << 3) | 0x02]), size, Buffer.alloc(payloadLength, fill)]);
}

describe('codecs: packet-boundary sweep (every MTU, units around every boundary)', function () {
  this.timeout(20_000);
  const rand = prng(2024);

  it('AV1: OBU elements of every size around the MTU', () => {
    for (let mtu = 4; mtu <= 140; mtu++) {
      const p = new Av1Payloader({ maxPayloadSize: mtu });
      const d = new Av1Depayloader();
      for (const len of [mtu - 3, mtu - 2, mtu - 1, mtu, mtu + 1, 2 * mtu - 2, 2 * mtu + 1].filter((n) => n >= 1)) {
        const tu = Buffer.concat([Buffer.from([0x12, 0x00]), obu(6, len, 0x10)]);
        roundTrip(p, d, tu);
        const three = Buffer.concat([Buffer.from([0x12, 0x00]), obu(5, Math.floor(rand() * 20), 1), obu(5, Math.floor(rand() * 40), 2), obu(6, len, 0x10)]);
        roundTrip(p, d, three);
        const many = Buffer.concat([Buffer.from([0x12, 0x00]), ...Array.from({ length: 5 }, (_, i) => obu(5, Math.floor(rand() * mtu), i)), obu(6, len, 0x10)]);
        roundTrip(p, d, many);
      }
    }
  });

  it('H.264: NAL units of every size around the MTU, alone and aggregated', () => {
    for (let mtu = 3; mtu <= 140; mtu++) {
      const p = new H264Payloader({ maxPayloadSize: mtu, insertParameterSets: false });
      const d = new H264Depayloader();
      for (const len of [mtu - 5, mtu - 3, mtu - 2, mtu - 1, mtu, mtu + 1, 3 * mtu].filter((n) => n >= 2)) {
        const nal = (n: number, t = 0x41) => Buffer.concat([Buffer.from([t]), Buffer.alloc(n - 1, 0x5a)]);
        const nals = [nal(2, 0x06), nal(len), nal(Math.max(2, Math.floor(rand() * mtu))), nal(2, 0x0c)];
        roundTrip(p, d, joinAnnexB(nals));
      }
    }
  });

  it('VP8 and VP9: frames of every size around the MTU', () => {
    for (let mtu = 9; mtu <= 80; mtu++) {
      const pairs: [Payloader, Depayloader][] = [
        [new Vp8Payloader({ maxPayloadSize: mtu }), new Vp8Depayloader()],
        [new Vp9Payloader({ maxPayloadSize: mtu }), new Vp9Depayloader()],
      ];
      for (const [p, d] of pairs) {
        for (const len of [1, mtu - 4, mtu - 3, mtu, mtu + 1, 2 * mtu - 6, 5 * mtu].filter((n) => n >= 1)) {
          roundTrip(p, d, Buffer.alloc(len, 0x33));
        }
      }
    }
  });
});

import { expect } from 'chai';
import { Av1Depayloader, Av1Payloader, parseAv1Packet } from '../../src/codecs/av1.js';
import { av1StartsCodedVideoSequence, splitAv1Obus } from '../../src/codecs/av1Obu.js';
import { leb128Size, readLeb128, writeLeb128 } from '../../src/codecs/bits.js';

/** An OBU with obu_has_size_field=1 (low-overhead format). */
function obu(type: number, payloadLength: number, fill = 0x11): Buffer {
  const size = Buffer.alloc(leb128Size(payloadLength));
  writeLeb128(size, 0, payloadLength);
  return Buffer.concat([Buffer.from([(type << 3) | 0x02]), size, Buffer.alloc(payloadLength, fill)]);
}

const TD = Buffer.from([0x12, 0x00]);

describe('codecs: AV1 RTP payload', () => {
  it('LEB128 matches the AV1 spec encoding', () => {
    const cases: [number, number[]][] = [[0, [0]], [127, [0x7f]], [128, [0x80, 0x01]], [300, [0xac, 0x02]], [16384, [0x80, 0x80, 0x01]]];
    for (const [v, bytes] of cases) {
      const b = Buffer.alloc(bytes.length);
      expect(writeLeb128(b, 0, v)).to.equal(bytes.length);
      expect([...b]).to.deep.equal(bytes);
      expect(readLeb128(Buffer.from(bytes), 0)).to.deep.equal({ value: v, length: bytes.length });
    }
    expect(readLeb128(Buffer.from([0x80]), 0)).to.equal(undefined);
  });

  it('drops the temporal delimiter, strips size fields, sets N for a sequence header and fragments with Y/Z', () => {
    const tu = Buffer.concat([TD, obu(1, 10), obu(6, 2000, 0x10)]); // frame_type KEY_FRAME
    const out = new Av1Payloader({ maxPayloadSize: 1200 }).payload(tu);
    expect(out).to.have.length(2);
    const a = parseAv1Packet(out[0]!.payload)!;
    const b = parseAv1Packet(out[1]!.payload)!;
    expect([a.z, a.y, a.n, b.z, b.y, b.n]).to.deep.equal([false, true, true, true, false, false]);
    // W=2: the sequence header with a length, then the frame fragment running to the end.
    expect(out[0]!.payload[0]).to.equal(0x40 | 0x20 | 0x08);
    expect(a.elements[0]![0]).to.equal(1 << 3); // size field bit cleared
    expect(a.elements[0]!.length).to.equal(11);
    expect(a.elements[1]!.length + b.elements[0]!.length).to.equal(2001);
    expect(out[0]!.payload.length).to.equal(1200);
    expect(out.map((o) => o.marker)).to.deep.equal([false, true]);
    const back = new Av1Depayloader().depayload(
      out.map((o, i) => ({ sequenceNumber: i, timestamp: 5, marker: o.marker, payload: o.payload })),
    )!;
    expect(back.keyframe).to.equal(true);
    expect(back.data.equals(tu)).to.equal(true);
  });

  it('N / keyframe needs a sequence header and a KEY_FRAME (§5.9.2 frame_type)', () => {
    const starts = (...parts: Buffer[]) => av1StartsCodedVideoSequence(splitAv1Obus(Buffer.concat(parts))!);
    expect(starts(TD, obu(1, 4), obu(6, 8, 0x10))).to.equal(true); // show_existing 0, frame_type 0
    expect(starts(TD, obu(1, 4), obu(6, 8, 0x30))).to.equal(false); // frame_type 1 (INTER): a repeated sequence header
    expect(starts(TD, obu(6, 8, 0x10))).to.equal(false); // key frame without its sequence header
    expect(starts(TD, obu(1, 4), obu(3, 8, 0x90))).to.equal(false); // show_existing_frame
    expect(starts(TD, obu(1, 4, 0x08), obu(6, 8, 0xff))).to.equal(true); // reduced_still_picture_header
    const inter = new Av1Payloader().payload(Buffer.concat([TD, obu(1, 4), obu(6, 8, 0x30)]));
    expect(parseAv1Packet(inter[0]!.payload)!.n).to.equal(false);
  });

  it('uses W=0 with every element length-prefixed when more than three OBUs share a packet', () => {
    const tu = Buffer.concat([TD, obu(5, 3), obu(5, 4), obu(5, 5), obu(6, 6)]);
    const out = new Av1Payloader().payload(tu);
    expect(out).to.have.length(1);
    expect(out[0]!.payload[0]).to.equal(0x00);
    expect(parseAv1Packet(out[0]!.payload)!.elements.map((e) => e.length)).to.deep.equal([4, 5, 6, 7]);
    expect(splitAv1Obus(tu)!.map((o) => o.type)).to.deep.equal([2, 5, 5, 5, 6]);
  });

  it('drops and counts inconsistent fragmentation', () => {
    const d = new Av1Depayloader();
    const pk = (bytes: number[], marker = true) => ({ sequenceNumber: 0, timestamp: 0, marker, payload: Buffer.from(bytes) });
    expect(d.depayload([pk([0x90, 0x30, 1])])).to.equal(undefined); // Z=1 with nothing to continue
    expect(d.depayload([pk([0x50, 0x30, 1])])).to.equal(undefined); // Y=1 but the TU ends
    expect(d.depayload([pk([0x50, 0x30, 1], false), pk([0x10, 0x30, 1])])).to.equal(undefined); // Y then Z=0
    expect(d.depayload([pk([0x20, 0x05, 0x30])])).to.equal(undefined); // W=2 but length overruns
    expect(d.depayload([pk([0x10, 0xb0, 1])])).to.equal(undefined); // forbidden bit
    expect(d.counters.toJSON()).to.deep.equal({ malformedFrame: 4, malformedPacket: 1 });
    expect(d.inspect(Buffer.from([0x98, 0x30]))).to.deep.equal({ frameStart: false, keyframe: true });
  });

  it('accepts an element that kept its size field and can omit the temporal delimiter', () => {
    const d = new Av1Depayloader({ temporalDelimiter: false });
    const el = obu(6, 3);
    const out = d.depayload([{ sequenceNumber: 0, timestamp: 0, marker: true, payload: Buffer.concat([Buffer.from([0x10]), el]) }])!;
    expect(out.data.equals(el)).to.equal(true);
    expect(out.keyframe).to.equal(false);
  });
});

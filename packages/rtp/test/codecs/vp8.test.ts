import { expect } from 'chai';
import { Vp8Depayloader, Vp8Payloader, parseVp8Descriptor } from '../../src/codecs/vp8.js';

const pkt = (payload: number[], marker = false, seq = 0) => ({
  sequenceNumber: seq,
  timestamp: 90_000,
  marker,
  payload: Buffer.from(payload),
});

describe('codecs: VP8 (RFC 7741)', () => {
  it('parses a descriptor with a 15-bit PictureID', () => {
    const d = parseVp8Descriptor(Buffer.from([0x90, 0x80, 0x92, 0x34, 0xaa]))!;
    expect(d).to.include({ start: true, partitionIndex: 0, pictureId: 0x1234, headerLength: 4, nonReference: false });
  });

  it('parses a 7-bit PictureID, TL0PICIDX, TID/Y/KEYIDX and N', () => {
    const d = parseVp8Descriptor(Buffer.from([0xa3, 0xf0, 0x11, 0x22, 0xe5, 0xaa]))!;
    expect(d).to.include({
      nonReference: true,
      start: false,
      partitionIndex: 3,
      pictureId: 0x11,
      tl0PicIdx: 0x22,
      temporalId: 3,
      keyIdx: 5,
      headerLength: 5,
    });
  });

  it('rejects truncated descriptors and descriptors with no data after them', () => {
    for (const bytes of [[], [0x90], [0x90, 0x80], [0x90, 0x80, 0x92], [0x90, 0x80, 0x92, 0x34], [0x80, 0x40]]) {
      expect(parseVp8Descriptor(Buffer.from(bytes)), JSON.stringify(bytes)).to.equal(undefined);
    }
  });

  it('splits a frame to the MTU with S on the first packet, marker on the last, PictureID per frame', () => {
    const p = new Vp8Payloader({ maxPayloadSize: 300, initialPictureId: 0x7fff });
    const frame = Buffer.alloc(1000, 7);
    frame[0] = 0x10; // P=0: keyframe
    const out = p.payload(frame);
    expect(out.map((o) => o.payload.length)).to.deep.equal([300, 300, 300, 1000 - 3 * 296 + 4]);
    expect(out.map((o) => o.marker)).to.deep.equal([false, false, false, true]);
    expect([...out[0]!.payload.subarray(0, 4)]).to.deep.equal([0x90, 0x80, 0xff, 0xff]);
    expect([...out[1]!.payload.subarray(0, 4)]).to.deep.equal([0x80, 0x80, 0xff, 0xff]);
    // PictureID wraps at 15 bits.
    expect([...p.payload(Buffer.from([1, 2, 3]))[0]!.payload.subarray(0, 4)]).to.deep.equal([0x90, 0x80, 0x80, 0x00]);
    expect(Buffer.concat(out.map((o) => o.payload.subarray(4))).equals(frame)).to.equal(true);
  });

  it('rejects a bad maxPayloadSize with the value in the message', () => {
    expect(() => new Vp8Payloader({ maxPayloadSize: 4 })).to.throw(RangeError, /maxPayloadSize .* got 4/);
    expect(() => new Vp8Payloader({ maxPayloadSize: 1.5 })).to.throw(RangeError, /got 1.5/);
  });

  it('depayloads and flags keyframes from the payload header P bit', () => {
    const d = new Vp8Depayloader();
    const key = d.depayload([pkt([0x90, 0x80, 0x80, 0x01, 0x10, 0x02]), pkt([0x80, 0x80, 0x80, 0x01, 0x03], true, 1)])!;
    expect([...key.data]).to.deep.equal([0x10, 0x02, 0x03]);
    expect(key.keyframe).to.equal(true);
    const delta = d.depayload([pkt([0x10, 0x11, 0x02, 0x03], true)])!;
    expect(delta.keyframe).to.equal(false);
    expect(d.inspect(Buffer.from([0x90, 0x80, 0x80, 0x01, 0x10, 0, 0]))).to.deep.equal({ frameStart: true, keyframe: true });
    expect(d.inspect(Buffer.from([0x00, 0x05]))).to.deep.equal({ frameStart: false, keyframe: false });
    expect(d.inspect(Buffer.from([0x80, 0x00]))).to.equal(undefined); // X byte but no data
  });

  it('drops and counts a frame that does not begin at partition 0 start', () => {
    const d = new Vp8Depayloader();
    expect(d.depayload([pkt([0x80, 0x80, 0x80, 0x01, 0x03], true)])).to.equal(undefined);
    expect(d.depayload([pkt([0x90])])).to.equal(undefined);
    expect(d.counters.toJSON()).to.deep.equal({ malformedFrame: 1, malformedPacket: 1 });
  });
});

import { expect } from 'chai';
import { Vp9Depayloader, Vp9Payloader, parseVp9Descriptor, parseVp9FrameHeader, superframeIndex } from '../../src/codecs/vp9.js';

/** Builds bytes from [value, bitCount] pairs, MSB first. */
function bits(fields: [number, number][]): Buffer {
  let s = '';
  for (const [v, n] of fields) s += v.toString(2).padStart(n, '0');
  s = s.padEnd(Math.ceil(s.length / 8) * 8, '0');
  return Buffer.from(s.match(/.{8}/g)!.map((b) => parseInt(b, 2)));
}

/** VP9 §6.2 profile-0 keyframe uncompressed header for width x height. */
function keyframeHeader(width: number, height: number): Buffer {
  return bits([
    [2, 2], [0, 1], [0, 1], [0, 1], [0, 1], [1, 1], [0, 1], // marker, profile 0, !show_existing, KEY_FRAME, show, !error_res
    [0x498342, 24], [2, 3], [0, 1], // sync code, color_space BT.709, studio range
    [width - 1, 16], [height - 1, 16],
  ]);
}

describe('codecs: VP9 (RFC 9628)', () => {
  it('reads frame type and size from the uncompressed header', () => {
    expect(parseVp9FrameHeader(keyframeHeader(320, 240))).to.deep.equal({
      profile: 0,
      showExistingFrame: false,
      keyframe: true,
      width: 320,
      height: 240,
    });
    const inter = bits([[2, 2], [0, 2], [0, 1], [1, 1], [1, 1], [0, 1]]);
    expect(parseVp9FrameHeader(inter)?.keyframe).to.equal(false);
    expect(parseVp9FrameHeader(Buffer.from([0x00]))).to.equal(undefined); // bad frame_marker
  });

  it('payloads a keyframe with P=0 and a scalability structure carrying the size', () => {
    const p = new Vp9Payloader({ maxPayloadSize: 100, initialPictureId: 0x0123 });
    const frame = Buffer.concat([keyframeHeader(320, 240), Buffer.alloc(200, 0x55)]);
    const out = p.payload(frame);
    // first: I|B|V, PictureID, SS (N_S=0,Y=1) 320x240
    expect([...out[0]!.payload.subarray(0, 8)]).to.deep.equal([0x8a, 0x81, 0x23, 0x10, 0x01, 0x40, 0x00, 0xf0]);
    expect(out[1]!.payload[0]).to.equal(0x80);
    expect(out[out.length - 1]!.payload[0]).to.equal(0x84); // E
    expect(out.map((o) => o.marker)).to.deep.equal(out.map((_, i) => i === out.length - 1));
    for (const o of out) expect(o.payload.length).to.be.at.most(100);
    const d = new Vp9Depayloader();
    const back = d.depayload(out.map((o, i) => ({ sequenceNumber: i, timestamp: 0, marker: o.marker, payload: o.payload })))!;
    expect(back.keyframe).to.equal(true);
    expect(back.data.equals(frame)).to.equal(true);
    // An inter frame: P=1, B|E, no SS.
    const inter = p.payload(Buffer.concat([bits([[2, 2], [0, 2], [0, 1], [1, 1], [1, 1], [0, 1]]), Buffer.alloc(10)]));
    expect([...inter[0]!.payload.subarray(0, 3)]).to.deep.equal([0xcc, 0x81, 0x24]);
  });

  it('parses flexible mode with layer indices and reference diffs', () => {
    // I P L F B, 15-bit PictureID 0x0123, TID=2 U=1 SID=1 D=0, P_DIFF 1 (N=1), P_DIFF 2 (N=0)
    const d = parseVp9Descriptor(Buffer.from([0xf8, 0x81, 0x23, 0x52, 0x03, 0x04, 0xaa]))!;
    expect(d).to.include({ flexible: true, pictureId: 0x123, temporalId: 2, spatialId: 1, headerLength: 6 });
    expect(d.beginningOfFrame).to.equal(true);
    // More than 3 P_DIFFs is malformed.
    expect(parseVp9Descriptor(Buffer.from([0xd8, 0x01, 0x03, 0x03, 0x03, 0xaa]))).to.equal(undefined);
  });

  it('parses a scalability structure with a picture group', () => {
    // B|V, non-flexible; SS: N_S=1 (2 layers) Y=1 G=1; 2 sizes; N_G=1; TID=0 U=0 R=1 + 1 P_DIFF
    const d = parseVp9Descriptor(
      Buffer.from([0x0a, 0x38, 0x00, 0xa0, 0x00, 0x78, 0x01, 0x40, 0x00, 0xf0, 0x01, 0x04, 0x01, 0xaa]),
    )!;
    expect(d.resolutions).to.deep.equal([{ width: 160, height: 120 }, { width: 320, height: 240 }]);
    expect(d.headerLength).to.equal(13);
  });

  it('joins the spatial-layer frames of one picture into a superframe with an index (VP9 Annex B)', () => {
    const d = new Vp9Depayloader();
    const pk = (seq: number, bytes: number[], marker = false) => ({ sequenceNumber: seq, timestamp: 9, marker, payload: Buffer.from(bytes) });
    // L=1 non-flexible: TID/U/SID/D byte then TL0PICIDX. SID 0: B, 2 packets; SID 1: B|E, 1 packet.
    const frame = d.depayload([
      pk(1, [0x28, 0x00, 0x00, 0xa1, 0xa2]),
      pk(2, [0x20, 0x00, 0x00, 0xa3]),
      pk(3, [0x2c, 0x02, 0x00, 0xb1, 0xb2], true),
    ])!;
    expect([...frame.data]).to.deep.equal([0xa1, 0xa2, 0xa3, 0xb1, 0xb2, 0xc1, 3, 2, 0xc1]);
    expect([...superframeIndex([0x1234, 5, 6])]).to.deep.equal([0xca, 0x34, 0x12, 5, 0, 6, 0, 0xca]);
    // A single layer frame gets no index.
    expect([...d.depayload([pk(1, [0x2c, 0x00, 0x00, 0xa1], true)])!.data]).to.deep.equal([0xa1]);
  });

  it('keyframe only when P=0 on the base layer', () => {
    const d = new Vp9Depayloader();
    expect(d.inspect(Buffer.from([0x28, 0x00, 0x00, 0xaa]))).to.deep.equal({ frameStart: true, keyframe: true }); // L, SID 0
    expect(d.inspect(Buffer.from([0x28, 0x02, 0x00, 0xaa]))).to.deep.equal({ frameStart: true, keyframe: false }); // SID 1
    expect(d.inspect(Buffer.from([0x48, 0xaa]))).to.deep.equal({ frameStart: true, keyframe: false }); // P=1
    expect(d.inspect(Buffer.from([0x80]))).to.equal(undefined);
    expect(d.counters.get('malformedPacket')).to.equal(1);
  });
});

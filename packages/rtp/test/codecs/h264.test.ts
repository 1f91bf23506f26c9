import { expect } from 'chai';
import { H264Payloader } from '../../src/codecs/h264.js';
import { H264Depayloader } from '../../src/codecs/h264Depayloader.js';
import { joinAnnexB, splitAnnexB } from '../../src/codecs/h264Nal.js';
import type { RtpPacketLike } from '../../src/codecs/types.js';

const SPS = Buffer.from([0x67, 0x42, 0xc0, 0x0d, 0xda, 0x05, 0x07, 0xec, 0x04, 0x40]);
const PPS = Buffer.from([0x68, 0xce, 0x0f, 0xc8]);
const idr = (n: number) => Buffer.concat([Buffer.from([0x65, 0x88]), Buffer.alloc(n - 2, 0x5a)]);
const slice = (n: number) => Buffer.concat([Buffer.from([0x41, 0x9a]), Buffer.alloc(n - 2, 0x33)]);

const asPackets = (payloads: { payload: Buffer; marker: boolean }[]): RtpPacketLike[] =>
  payloads.map((p, i) => ({ sequenceNumber: i, timestamp: 1000, marker: p.marker, payload: p.payload }));

describe('codecs: H.264 (RFC 6184, packetization-mode 1)', () => {
  it('splits Annex B with 3- and 4-byte start codes and trailing zeros', () => {
    const nals = splitAnnexB(Buffer.from([0, 0, 0, 1, 0x67, 1, 2, 0, 0, 1, 0x68, 3, 0, 0, 0, 0, 1, 0x65, 4, 0]));
    expect(nals.map((n) => [...n])).to.deep.equal([[0x67, 1, 2], [0x68, 3], [0x65, 4]]);
  });

  it('aggregates SPS+PPS into a STAP-A and fragments a large IDR into FU-A', () => {
    const p = new H264Payloader({ maxPayloadSize: 1200 });
    const out = p.payloadNalUnits([SPS, PPS, idr(3000)]);
    expect(out).to.have.length(4);
    const stap = out[0]!.payload;
    // STAP-A header: F=0, NRI=3 (max of units), type 24; then 16-bit sizes.
    expect([...stap.subarray(0, 3)]).to.deep.equal([0x78, 0x00, 10]);
    expect(stap.subarray(3, 13).equals(SPS)).to.equal(true);
    expect([...stap.subarray(13, 15)]).to.deep.equal([0x00, 4]);
    expect(stap.length).to.equal(1 + 2 + 10 + 2 + 4);
    // FU-A: indicator F|NRI|28, header S/E|type 5; 2999 bytes after the NAL header in 1198-byte pieces.
    expect(out.slice(1).map((o) => [o.payload[0], o.payload[1], o.payload.length])).to.deep.equal([
      [0x7c, 0x85, 1200],
      [0x7c, 0x05, 1200],
      [0x7c, 0x45, 2999 - 2 * 1198 + 2],
    ]);
    expect(out.map((o) => o.marker)).to.deep.equal([false, false, false, true]);
  });

  it('sends a NAL unit that fits alone as a single NAL unit packet', () => {
    const out = new H264Payloader({ maxPayloadSize: 100 }).payloadNalUnits([slice(100), slice(60), slice(50)]);
    expect(out.map((o) => o.payload.length)).to.deep.equal([100, 60, 50]);
    expect(out[0]!.payload.equals(slice(100))).to.equal(true);
  });

  it('packetization-mode 0 sends single NAL units only and drops (counted) one over the MTU', () => {
    const p = new H264Payloader({ maxPayloadSize: 100, packetizationMode: 0 });
    const out = p.payloadNalUnits([SPS, PPS, idr(100), idr(101)]);
    expect(out.map((o) => o.payload.length)).to.deep.equal([10, 4, 100]);
    expect(out.map((o) => o.marker)).to.deep.equal([false, false, true]);
    expect(p.counters.get('nalUnitTooLargeForMode0')).to.equal(1);
    expect(() => new H264Payloader({ packetizationMode: 2 as 0 })).to.throw(RangeError, /packetizationMode must be 0 or 1 .* got 2/);
  });

  it('inserts the cached SPS/PPS ahead of an IDR without them, and counts an IDR with none cached', () => {
    const p = new H264Payloader();
    p.payloadNalUnits([idr(50)]);
    expect(p.counters.get('idrWithoutParameterSets')).to.equal(1);
    p.payloadNalUnits([SPS, PPS, idr(50)]);
    p.payloadNalUnits([slice(40)]);
    const out = p.payloadNalUnits([Buffer.from([0x06, 0x05, 0x01, 0x80]), idr(50)]); // SEI + IDR
    expect(p.counters.get('parameterSetsInserted')).to.equal(1);
    const d = new H264Depayloader();
    const frame = d.depayload(asPackets(out))!;
    expect(frame.data.equals(joinAnnexB([Buffer.from([0x06, 0x05, 0x01, 0x80]), SPS, PPS, idr(50)]))).to.equal(true);
    expect(frame.keyframe).to.equal(true);
    const off = new H264Payloader({ insertParameterSets: false });
    off.payloadNalUnits([SPS, PPS, idr(50)]);
    expect(off.payloadNalUnits([idr(50)])).to.have.length(1);
  });

  it('depayloads to Annex B and flags a keyframe only when SPS and PPS are known', () => {
    const d = new H264Depayloader();
    const idrOnly = d.depayload(asPackets(new H264Payloader({ insertParameterSets: false }).payloadNalUnits([idr(3000)])))!;
    expect(idrOnly.data.equals(joinAnnexB([idr(3000)]))).to.equal(true);
    expect(idrOnly.keyframe).to.equal(false);
    const full = d.depayload(asPackets(new H264Payloader().payloadNalUnits([SPS, PPS, idr(3000)])))!;
    expect(full.keyframe).to.equal(true);
    expect(d.depayload(asPackets(new H264Payloader().payloadNalUnits([idr(30)])))!.keyframe).to.equal(true);
    expect(d.depayload(asPackets(new H264Payloader().payloadNalUnits([slice(30)])))!.keyframe).to.equal(false);
  });

  it('optionally inserts SPS/PPS (seen before or from SDP sprop-parameter-sets) ahead of a bare IDR', () => {
    const bare = asPackets(new H264Payloader({ insertParameterSets: false }).payloadNalUnits([idr(3000)]));
    const d = new H264Depayloader({ insertParameterSets: true });
    expect(d.depayload(bare)!.keyframe).to.equal(false);
    d.setParameterSets(SPS, PPS); // e.g. sprop-parameter-sets=Z0LADdoFB+wEQA==,aM4PyA==
    const withSets = d.depayload(bare)!;
    expect(withSets.keyframe).to.equal(true);
    expect(withSets.data.equals(joinAnnexB([SPS, PPS, idr(3000)]))).to.equal(true);
    const delta = asPackets(new H264Payloader().payloadNalUnits([slice(40)]));
    expect(d.depayload(delta)!.data.equals(joinAnnexB([slice(40)]))).to.equal(true);
    expect(() => d.setParameterSets(PPS, PPS)).to.throw(/sps must be an SPS NAL unit \(type 7\), got first byte 0x68/);
    expect(() => d.setParameterSets(SPS, Buffer.alloc(0))).to.throw(/pps must be a PPS NAL unit/);
    // Default: output exactly what was sent.
    const plain = new H264Depayloader();
    plain.setParameterSets(SPS, PPS);
    const out = plain.depayload(bare)!;
    expect(out.data.equals(joinAnnexB([idr(3000)]))).to.equal(true);
    expect(out.keyframe).to.equal(true);
  });

  it('inspect: FU-A continuation is not a frame start; STAP-A with SPS is a keyframe start', () => {
    const d = new H264Depayloader();
    expect(d.inspect(Buffer.from([0x7c, 0x05, 1]))).to.deep.equal({ frameStart: false, keyframe: false });
    expect(d.inspect(Buffer.from([0x7c, 0x85, 1]))).to.deep.equal({ frameStart: true, keyframe: true });
    expect(d.inspect(Buffer.from([0x78, 0, 2, 0x67, 1, 0, 1, 0x68]))).to.deep.equal({ frameStart: true, keyframe: true });
    expect(d.inspect(Buffer.from([0x41, 1]))).to.deep.equal({ frameStart: true, keyframe: false });
  });

  it('drops and counts broken fragments, bad aggregates and interleaved-mode packets', () => {
    const d = new H264Depayloader();
    const pk = (bytes: number[], marker = true) => ({ sequenceNumber: 0, timestamp: 0, marker, payload: Buffer.from(bytes) });
    expect(d.depayload([pk([0x7c, 0x05, 1])])).to.equal(undefined); // FU-A middle without start
    expect(d.depayload([pk([0x7c, 0x85, 1])])).to.equal(undefined); // FU-A never ended
    expect(d.depayload([pk([0x7c, 0x85, 1]), pk([0x41, 1])])).to.equal(undefined); // FU-A cut by another NAL
    expect(d.depayload([pk([0x78, 0, 9, 0x67])])).to.equal(undefined); // STAP-A size overruns
    expect(d.depayload([pk([0x79, 0, 0, 1, 0x67])])).to.equal(undefined); // STAP-B
    expect(d.depayload([pk([0x1e, 0])])).to.equal(undefined); // type 30
    expect(d.counters.toJSON()).to.deep.equal({ malformedFrame: 3, malformedPacket: 2, unsupportedPacket: 1 });
    // FU-A start then end (no middle) is a whole NAL unit.
    const ok = d.depayload([pk([0x7c, 0x85, 1], false), pk([0x7c, 0x45, 2])])!;
    expect([...ok.data]).to.deep.equal([0, 0, 0, 1, 0x65, 1, 2]);
  });
});

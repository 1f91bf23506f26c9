import { expect } from 'chai';
import { RtpHeader, RtpPacket, dePacketizeRtpPackets, type DepacketizerCodec } from 'werift-rtp';
import { Av1Payloader } from '../../src/codecs/av1.js';
import { Av1ObuType, splitAv1Obus } from '../../src/codecs/av1Obu.js';
import { H264AccessUnitSplitter } from '../../src/codecs/containers/annexB.js';
import { IvfReader } from '../../src/codecs/containers/ivf.js';
import { OggOpusReader } from '../../src/codecs/containers/ogg.js';
import { H264Payloader } from '../../src/codecs/h264.js';
import { joinAnnexB } from '../../src/codecs/h264Nal.js';
import { OpusPayloader } from '../../src/codecs/opus.js';
import type { Payloader } from '../../src/codecs/types.js';
import { Vp8Payloader, isVp8KeyframeData } from '../../src/codecs/vp8.js';
import { Vp9Payloader, parseVp9FrameHeader } from '../../src/codecs/vp9.js';
import { requireMedia, type MediaKind } from '../fixtures/media.js';

/**
 * Differential check: a second implementation (werift-rtp's depacketizers,
 * dev dependency) reads our payloaders' packets back to the source frames.
 */
interface Source {
  data: Buffer;
  keyframe: boolean;
}

const ivf = (file: Buffer, key: (f: Buffer) => boolean): Source[] =>
  new IvfReader().push(file).map((f) => ({ data: f.data, keyframe: key(f.data) }));

/** The OBUs of a temporal unit, without temporal delimiters, each re-serialized as type byte + payload. */
function obuDigest(tu: Buffer): Buffer {
  const obus = splitAv1Obus(tu);
  expect(obus, 'parsable OBU stream').to.not.equal(undefined);
  return Buffer.concat(
    obus!.filter((o) => o.type !== Av1ObuType.TemporalDelimiter).flatMap((o) => [Buffer.from([o.type]), o.payload]),
  );
}

interface Case {
  kind: MediaKind;
  codec: DepacketizerCodec;
  payloader: () => Payloader;
  source: (file: Buffer) => Source[];
  expected: (s: Source) => Buffer;
  actual?: (data: Buffer) => Buffer;
}

const CASES: Case[] = [
  { kind: 'vp8', codec: 'VP8', payloader: () => new Vp8Payloader(), source: (f) => ivf(f, isVp8KeyframeData), expected: (s) => s.data },
  {
    kind: 'vp9',
    codec: 'VP9',
    payloader: () => new Vp9Payloader(),
    source: (f) => ivf(f, (d) => parseVp9FrameHeader(d)?.keyframe === true),
    expected: (s) => s.data,
  },
  {
    kind: 'h264',
    codec: 'MPEG4/ISO/AVC',
    payloader: () => new H264Payloader(),
    source: (f) => {
      const s = new H264AccessUnitSplitter();
      return [...s.push(f), ...s.flush()].map((au) => ({ data: joinAnnexB(au.nalUnits), keyframe: au.keyframe }));
    },
    expected: (s) => s.data,
  },
  {
    kind: 'av1',
    codec: 'AV1',
    payloader: () => new Av1Payloader(),
    source: (f) => ivf(f, (d) => splitAv1Obus(d)!.some((o) => o.type === Av1ObuType.SequenceHeader)),
    // werift rebuilds the OBUs differently (no temporal delimiter, last OBU without a size field):
    // compare the OBU sequence, type and payload, on both sides.
    expected: (s) => obuDigest(s.data),
    actual: obuDigest,
  },
  {
    kind: 'opus',
    codec: 'OPUS',
    payloader: () => new OpusPayloader(),
    source: (f) => new OggOpusReader().push(f).map((p) => ({ data: p.data, keyframe: true })),
    expected: (s) => s.data,
  },
];

describe('codecs: werift-rtp depacketizers read our payloaders (differential)', function () {
  this.timeout(20_000);
  for (const c of CASES) {
    it(`${c.kind}: every frame byte-exact${c.kind === 'opus' ? '' : ', keyframes agree'}`, function () {
      const source = c.source(requireMedia(this, c.kind));
      const payloader = c.payloader();
      let seq = 100;
      source.forEach((frame, i) => {
        const packets = payloader.payload(frame.data).map(
          (p) =>
            new RtpPacket(
              new RtpHeader({ payloadType: 96, sequenceNumber: seq++ & 0xffff, timestamp: i * 3000, marker: p.marker, ssrc: 1 }),
              p.payload,
            ),
        );
        const out = dePacketizeRtpPackets(c.codec, packets);
        const actual = c.actual ? c.actual(out.data) : out.data;
        expect(actual.equals(c.expected(frame)), `frame ${i}`).to.equal(true);
        if (c.kind !== 'opus') expect(out.isKeyframe, `frame ${i} keyframe`).to.equal(frame.keyframe);
      });
    });
  }
});

import { expect } from 'chai';
import { Av1Depayloader, Av1Payloader } from '../../src/codecs/av1.js';
import { Av1ObuType, splitAv1Obus } from '../../src/codecs/av1Obu.js';
import { H264AccessUnitSplitter } from '../../src/codecs/containers/annexB.js';
import { IvfReader } from '../../src/codecs/containers/ivf.js';
import { OggOpusReader } from '../../src/codecs/containers/ogg.js';
import { H264Payloader } from '../../src/codecs/h264.js';
import { H264Depayloader } from '../../src/codecs/h264Depayloader.js';
import { joinAnnexB } from '../../src/codecs/h264Nal.js';
import { OpusDepayloader, OpusPayloader } from '../../src/codecs/opus.js';
import type { Depayloader, Payloader } from '../../src/codecs/types.js';
import { Vp8Depayloader, Vp8Payloader, isVp8KeyframeData } from '../../src/codecs/vp8.js';
import { Vp9Depayloader, Vp9Payloader, parseVp9FrameHeader } from '../../src/codecs/vp9.js';
import { isKeyframe } from '../../src/codecs/keyframes.js';
import { packetize, prng, runJitter, shuffleWithin } from '../fixtures/harness.js';
import { requireMedia, type MediaKind } from '../fixtures/media.js';

/** A source frame as read from the ffmpeg output, and the bytes the depayloader must give back. */
interface SourceFrame {
  input: Buffer;
  expected: Buffer;
  keyframe: boolean;
}

/** Feeds a file to a streaming reader in fixed chunks, as ffmpeg's stdout would. */
function chunks(data: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < data.length; i += size) out.push(data.subarray(i, i + size));
  return out;
}

function ivfFrames(file: Buffer, keyframe: (f: Buffer) => boolean): SourceFrame[] {
  const reader = new IvfReader();
  const frames = chunks(file, 1000).flatMap((c) => reader.push(c));
  expect(reader.bufferedBytes).to.equal(0);
  expect(frames.length).to.equal(reader.header!.frameCount);
  return frames.map((f) => ({ input: f.data, expected: f.data, keyframe: keyframe(f.data) }));
}

interface Case {
  kind: MediaKind;
  payloader: (mtu: number) => Payloader;
  depayloader: () => Depayloader;
  frames: (file: Buffer) => SourceFrame[];
  tsStep: (i: number, frames: SourceFrame[]) => number;
}

const CASES: Case[] = [
  {
    kind: 'vp8',
    payloader: (mtu) => new Vp8Payloader({ maxPayloadSize: mtu }),
    depayloader: () => new Vp8Depayloader(),
    frames: (file) => ivfFrames(file, isVp8KeyframeData),
    tsStep: () => 3000,
  },
  {
    kind: 'vp9',
    payloader: (mtu) => new Vp9Payloader({ maxPayloadSize: mtu }),
    depayloader: () => new Vp9Depayloader(),
    frames: (file) => ivfFrames(file, (f) => parseVp9FrameHeader(f)?.keyframe === true),
    tsStep: () => 3000,
  },
  {
    kind: 'h264',
    payloader: (mtu) => new H264Payloader({ maxPayloadSize: mtu }),
    depayloader: () => new H264Depayloader(),
    frames: (file) => {
      const splitter = new H264AccessUnitSplitter();
      const aus = [...chunks(file, 4096).flatMap((c) => splitter.push(c)), ...splitter.flush()];
      return aus.map((au) => {
        const annexB = joinAnnexB(au.nalUnits);
        return { input: annexB, expected: annexB, keyframe: au.keyframe };
      });
    },
    tsStep: () => 3000,
  },
  {
    kind: 'av1',
    payloader: (mtu) => new Av1Payloader({ maxPayloadSize: mtu }),
    depayloader: () => new Av1Depayloader(),
    frames: (file) =>
      ivfFrames(file, (f) => splitAv1Obus(f)!.some((o) => o.type === Av1ObuType.SequenceHeader)),
    tsStep: () => 3000,
  },
  {
    kind: 'opus',
    payloader: (mtu) => new OpusPayloader({ maxPayloadSize: mtu }),
    depayloader: () => new OpusDepayloader(),
    frames: (file) => {
      const reader = new OggOpusReader();
      const packets = chunks(file, 500).flatMap((c) => reader.push(c));
      expect(reader.head?.channels).to.equal(1);
      expect(reader.counters.toJSON()).to.deep.equal({});
      return packets.map((p) => ({ input: p.data, expected: p.data, keyframe: true }));
    },
    tsStep: () => 960,
  },
];

describe('codecs: round trip of real ffmpeg media through payloader, shuffle, jitter buffer, depayloader', function () {
  this.timeout(30_000);

  for (const c of CASES) {
    describe(c.kind, () => {
      let frames: SourceFrame[];
      before(function () {
        frames = c.frames(requireMedia(this, c.kind));
        expect(frames.length).to.be.greaterThan(40);
      });

      it('isKeyframe() on the encoded frames finds the keyframes the encoder made (keyint 30 → frames 0 and 30)', () => {
        const keys = frames.flatMap((f, i) => (isKeyframe(c.kind, f.input) ? [i] : []));
        expect(keys).to.deep.equal(c.kind === 'opus' ? frames.map((_, i) => i) : [0, 30]);
      });

      for (const mtu of [1200, 300]) {
        it(`is byte-exact with nothing lost (maxPayloadSize ${mtu}, shuffled within 8, 5% duplicated)`, () => {
          const { packets } = packetize(c.payloader(mtu), frames.map((f) => f.input), { tsStep: c.tsStep(0, frames) });
          for (const p of packets) expect(p.payload.length).to.be.at.most(mtu);
          expect(packets.length).to.be.greaterThan(frames.length - 1);
          const rand = prng(mtu);
          const withDuplicates = packets.flatMap((p) => (rand() < 0.05 ? [p, p] : [p]));
          const out = runJitter(c.depayloader(), shuffleWithin(withDuplicates, 8, rand));
          const duplicates = withDuplicates.length - packets.length;
          expect(duplicates).to.be.greaterThan(0);
          expect(out.jitter.counters.get('packetsDuplicate') + out.jitter.counters.get('packetsLate')).to.equal(duplicates);
          expect(out.losses).to.deep.equal([]);
          expect(out.keyframeRequests).to.deep.equal([]);
          expect(out.frames.length).to.equal(frames.length);
          out.frames.forEach((f, i) => {
            expect(f.timestamp).to.equal((0xffff_f000 + i * c.tsStep(i, frames)) >>> 0);
            expect(f.keyframe, `frame ${i} keyframe`).to.equal(frames[i]!.keyframe);
            expect(f.data.equals(frames[i]!.expected), `frame ${i} bytes`).to.equal(true);
          });
          expect(out.jitter.size).to.equal(0);
        });
      }

      it('reports a dropped packet and, for video, asks for a keyframe and resumes at the next one', () => {
        const { packets, frameOf } = packetize(c.payloader(1200), frames.map((f) => f.input), {
          tsStep: c.tsStep(0, frames),
        });
        const lostFrame = 10;
        const indices = frameOf.flatMap((f, i) => (f === lostFrame ? [i] : []));
        const dropIndex = indices[Math.floor(indices.length / 2)]!;
        const dropped = packets[dropIndex]!;
        const kept = packets.filter((_, i) => i !== dropIndex);
        const out = runJitter(c.depayloader(), shuffleWithin(kept, 8, prng(7)));
        expect(out.losses).to.deep.equal([{ firstSequenceNumber: dropped.sequenceNumber, count: 1 }]);
        const delivered = out.frames.map((f) => frames.findIndex((s) => s.expected.equals(f.data)));
        let expected: number[];
        if (c.kind === 'opus') {
          expect(out.keyframeRequests).to.deep.equal([]);
          expected = frames.map((_, i) => i).filter((i) => i !== lostFrame);
        } else {
          expect(out.keyframeRequests[0]).to.equal('loss');
          const nextKey = frames.findIndex((f, i) => i > lostFrame && f.keyframe);
          expect(nextKey).to.be.greaterThan(lostFrame);
          expected = frames.map((_, i) => i).filter((i) => i < lostFrame || i >= nextKey);
          expect(out.jitter.counters.get('framesDroppedWaitingForKeyframe')).to.equal(nextKey - lostFrame - 1);
          expect(out.jitter.needsKeyframe).to.equal(false);
        }
        expect(delivered).to.deep.equal(expected);
      });
    });
  }

  it('h264: re-inserts the cached SPS/PPS ahead of an IDR sent without them', function () {
    const frames = CASES[2]!.frames(requireMedia(this, 'h264'));
    const idrIndex = frames.findIndex((f, i) => i > 0 && f.keyframe);
    expect(idrIndex).to.be.greaterThan(0);
    const payloader = new H264Payloader({ maxPayloadSize: 1200 });
    // Strip SPS (7) and PPS (8) from the second IDR's access unit: a sender that only sent them once.
    const stripped = frames.map((f, i) => {
      if (i !== idrIndex) return f.input;
      const nals = splitNals(f.input).filter((n) => ![7, 8].includes(n[0]! & 0x1f));
      expect(nals.length).to.be.lessThan(splitNals(f.input).length);
      return joinAnnexB(nals);
    });
    const { packets, frameOf } = packetize(payloader, stripped);
    expect(payloader.counters.get('parameterSetsInserted')).to.equal(1);
    // A receiver that joins at the second IDR decodes it: it gets SPS+PPS+IDR, byte-exact to the original.
    const late = packets.filter((_, i) => frameOf[i]! >= idrIndex);
    const out = runJitter(new H264Depayloader(), late);
    expect(out.frames[0]!.keyframe).to.equal(true);
    expect(out.frames[0]!.data.equals(frames[idrIndex]!.expected)).to.equal(true);
    expect(out.keyframeRequests).to.deep.equal([]);
  });
});

function splitNals(annexB: Buffer): Buffer[] {
  const splitter = new H264AccessUnitSplitter();
  return [...splitter.push(annexB), ...splitter.flush()].flatMap((au) => au.nalUnits);
}


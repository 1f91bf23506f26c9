import { expect } from 'chai';
import { FakeClock } from '@rivulet/common';
import { Av1Depayloader, Av1Payloader } from '../../src/codecs/av1.js';
import { H264AccessUnitSplitter } from '../../src/codecs/containers/annexB.js';
import { IvfReader } from '../../src/codecs/containers/ivf.js';
import { H264Payloader } from '../../src/codecs/h264.js';
import { H264Depayloader } from '../../src/codecs/h264Depayloader.js';
import { joinAnnexB } from '../../src/codecs/h264Nal.js';
import { isKeyframe } from '../../src/codecs/keyframes.js';
import type { Depayloader, Payloader } from '../../src/codecs/types.js';
import { Vp8Depayloader, Vp8Payloader } from '../../src/codecs/vp8.js';
import { JitterBuffer, type JitterFrame } from '../../src/jitter/jitterBuffer.js';
import { packetize, prng } from '../fixtures/harness.js';
import { requireMedia, type MediaKind } from '../fixtures/media.js';

/**
 * Property test over real media and a random network: 1 % loss, 0..30 ms
 * jitter (so heavy reordering), one packet sent per millisecond, maxLatencyMs
 * 50 (more than any delay, so nothing that arrives is given up early).
 * Invariants: frames come out in order, at most once, each byte-exact (or,
 * where a codec cannot tell a frame's first packet after a loss — H.264, AV1 —
 * a keyframe that is an exact tail of its source frame); and every frame whose
 * packets all arrived, and whose references back to its keyframe all arrived,
 * comes out.
 */
const CASES: { kind: MediaKind; payloader: () => Payloader; depayloader: () => Depayloader; frames: (f: Buffer) => Buffer[] }[] = [
  { kind: 'vp8', payloader: () => new Vp8Payloader({ maxPayloadSize: 1000 }), depayloader: () => new Vp8Depayloader(), frames: (f) => new IvfReader().push(f).map((x) => x.data) },
  {
    kind: 'h264',
    payloader: () => new H264Payloader({ maxPayloadSize: 1000 }),
    depayloader: () => new H264Depayloader(),
    frames: (f) => {
      const s = new H264AccessUnitSplitter();
      return [...s.push(f), ...s.flush()].map((au) => joinAnnexB(au.nalUnits));
    },
  },
  { kind: 'av1', payloader: () => new Av1Payloader({ maxPayloadSize: 1000 }), depayloader: () => new Av1Depayloader(), frames: (f) => new IvfReader().push(f).map((x) => x.data) },
];

describe('jitter: random loss and reordering over real media (property test)', function () {
  this.timeout(30_000);
  for (const c of CASES) {
    it(`${c.kind}: in order, exact, and complete whenever the reference chain is intact (6 seeds)`, function () {
      const frames = c.frames(requireMedia(this, c.kind));
      const keyframes = frames.map((f) => isKeyframe(c.kind, f));
      const { packets, frameOf } = packetize(c.payloader(), frames, { tsStep: 3000 });
      let emittedTotal = 0;
      for (let seed = 1; seed <= 6; seed++) {
        const rand = prng(seed * 1009);
        const arrivals = packets
          .map((p, i) => ({ p, i, at: i + rand() * 30, lost: rand() < 0.01 }))
          .filter((a) => !a.lost)
          .sort((a, b) => a.at - b.at);
        const delivered = new Set(arrivals.map((a) => a.i));
        const complete = frames.map((_, f) => frameOf.every((ff, i) => ff !== f || delivered.has(i)));
        const expected: number[] = [];
        let chainOk = false;
        frames.forEach((_, f) => {
          if (keyframes[f]) chainOk = true;
          chainOk &&= complete[f]!;
          if (chainOk) expected.push(f);
        });

        const clock = new FakeClock();
        const jb = new JitterBuffer({ clock, depayloader: c.depayloader(), maxLatencyMs: 50, initialDelayMs: 30 });
        const out: JitterFrame[] = [];
        jb.on('frame', (f) => out.push(f));
        for (const a of arrivals) {
          clock.advance(a.at - clock.now());
          jb.insert(a.p);
        }
        clock.advance(1000);

        const indices = out.map((f) => ((f.timestamp - 0xffff_f000) >>> 0) / 3000);
        for (let k = 1; k < indices.length; k++) expect(indices[k]!, `seed ${seed}: order`).to.be.greaterThan(indices[k - 1]!);
        out.forEach((f, k) => {
          const src = frames[indices[k]!]!;
          const data = c.kind === 'av1' ? f.data.subarray(2) : f.data; // our temporal delimiter
          const body = c.kind === 'av1' ? src.subarray(2) : src;
          if (data.equals(body)) {
            expect(expected, `seed ${seed}: frame ${indices[k]} delivered with its chain broken`).to.include(indices[k]);
            return;
          }
          expect(c.kind, `seed ${seed}: frame ${indices[k]} differs from its source`).to.not.equal('vp8');
          expect(f.keyframe, `seed ${seed}: inexact frame ${indices[k]} must be a keyframe`).to.equal(true);
          expect(body.subarray(body.length - data.length).equals(data), `seed ${seed}: frame ${indices[k]} is a tail`).to.equal(true);
        });
        const missing = expected.filter((f) => !indices.includes(f));
        expect(missing, `seed ${seed}: decodable frames not delivered`).to.deep.equal([]);
        if (arrivals.length < packets.length) expect(jb.counters.get('keyframeRequests'), `seed ${seed}`).to.be.greaterThan(0);
        emittedTotal += out.length;
      }
      expect(emittedTotal).to.be.greaterThan(60);
    });
  }
});

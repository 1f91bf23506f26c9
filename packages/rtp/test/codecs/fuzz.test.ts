import { expect } from 'chai';
import { FakeClock } from '@rivulet/common';
import { AnnexBSplitter, H264AccessUnitSplitter } from '../../src/codecs/containers/annexB.js';
import { IvfReader } from '../../src/codecs/containers/ivf.js';
import { OggOpusReader } from '../../src/codecs/containers/ogg.js';
import { createDepayloader, createPayloader } from '../../src/codecs/registry.js';
import type { RtpPacketLike } from '../../src/codecs/types.js';
import { JitterBuffer } from '../../src/jitter/jitterBuffer.js';
import { prng } from '../fixtures/harness.js';
import { oggPage } from '../fixtures/ogg.js';

const CODECS = ['vp8', 'vp9', 'h264', 'av1', 'opus', 'pcmu'] as const;
const ITERATIONS = 3000;

function randomBytes(rand: () => number, max: number): Buffer {
  const b = Buffer.alloc(Math.floor(rand() * max));
  for (let i = 0; i < b.length; i++) b[i] = Math.floor(rand() * 256);
  return b;
}

/** Flips, truncates, extends or overwrites a valid payload. */
function mutate(src: Buffer, rand: () => number): Buffer {
  const b = Buffer.from(src);
  switch (Math.floor(rand() * 4)) {
    case 0:
      for (let i = 0; i < 3; i++) if (b.length) b[Math.floor(rand() * b.length)] ^= 1 << Math.floor(rand() * 8);
      return b;
    case 1:
      return b.subarray(0, Math.floor(rand() * b.length));
    case 2:
      return Buffer.concat([b, randomBytes(rand, 8)]);
    default:
      if (b.length) b[Math.floor(rand() * Math.min(4, b.length))] = Math.floor(rand() * 256);
      return b;
  }
}

/** A plausible frame for each codec so mutations start from valid packets. */
function sampleFrame(codec: string, rand: () => number): Buffer {
  const body = randomBytes(rand, 2500);
  switch (codec) {
    case 'h264':
      return Buffer.concat([Buffer.from([0, 0, 0, 1, 0x67, 0x42, 0, 0, 0, 1, 0x68, 0xce, 0, 0, 1, 0x65]), body, Buffer.from([0x80])]);
    case 'av1':
      return Buffer.concat([Buffer.from([0x12, 0x00, 0x0a, 0x02, 0x00, 0x00, 0x32, 0x05, 1, 2, 3, 4, 5, 0x30]), body]);
    case 'opus':
      return Buffer.concat([Buffer.from([0xf8]), body.subarray(0, 300)]);
    default:
      return Buffer.concat([Buffer.from([0x82, 0x49, 0x83, 0x42, 0x00, 0x13, 0xf0, 0x0e, 0xf0]), body]);
  }
}

describe('codecs: fuzz (random and mutated input is dropped and counted, never thrown)', function () {
  this.timeout(20_000);

  for (const codec of CODECS) {
    it(`${codec} depayloader and jitter buffer`, () => {
      const rand = prng(codec.length * 7919);
      const depayloader = createDepayloader(codec);
      const payloader = createPayloader(codec, { maxPayloadSize: 500 });
      const clock = new FakeClock();
      const jitter = new JitterBuffer({ clock, depayloader, maxLatencyMs: 30, maxPackets: 200 });
      let emitted = 0;
      jitter.on('frame', () => emitted++);
      const deadline = Date.now() + 4000;
      let valid = 0;
      for (let i = 0; i < ITERATIONS && Date.now() < deadline; i++) {
        const payloads = payloader.payload(sampleFrame(codec, rand));
        valid += payloads.length;
        const packets: RtpPacketLike[] = payloads.map((p, k) => ({
          sequenceNumber: (i * 8 + k) & 0xffff,
          timestamp: (i * 3000) >>> 0,
          marker: rand() < 0.1 ? !p.marker : p.marker,
          payload: rand() < 0.5 ? mutate(p.payload, rand) : rand() < 0.2 ? randomBytes(rand, 40) : p.payload,
        }));
        for (const p of packets) {
          depayloader.inspect(p.payload);
          if (rand() < 0.1) p.sequenceNumber = Math.floor(rand() * 65536);
          jitter.insert(p);
        }
        depayloader.depayload(packets);
        depayloader.depayload(packets.slice(1));
        clock.advance(5);
      }
      clock.advance(1000);
      const dropped = Object.values(depayloader.counters.toJSON()).reduce((a, b) => a + b, 0);
      expect(valid).to.be.greaterThan(100);
      if (codec === 'opus' || codec === 'pcmu') {
        expect(emitted).to.be.greaterThan(100);
      } else {
        expect(dropped, JSON.stringify(depayloader.counters.toJSON())).to.be.greaterThan(10);
      }
      expect(jitter.counters.get('packetsReceived')).to.be.greaterThan(100);
      expect(jitter.size).to.be.at.most(200);
    });
  }

  it('payloaders given garbage frames never throw and never exceed the MTU', () => {
    const rand = prng(99);
    for (const codec of ['vp8', 'vp9', 'h264', 'av1', 'pcmu'] as const) {
      const p = createPayloader(codec, { maxPayloadSize: 64 });
      for (let i = 0; i < 500; i++) {
        const frame = rand() < 0.5 ? randomBytes(rand, 600) : mutate(sampleFrame(codec, rand), rand);
        for (const out of p.payload(frame)) expect(out.payload.length).to.be.at.most(64);
      }
    }
  });

  it('container readers survive random and mutated streams', () => {
    const rand = prng(42);
    const deadline = Date.now() + 4000;
    const validOgg = Buffer.concat([
      oggPage({ type: 2, seq: 0, granule: 0n, laces: [19], body: Buffer.concat([Buffer.from('OpusHead'), Buffer.from([1, 1, 0, 0, 0x80, 0xbb, 0, 0, 0, 0, 0])]) }),
      oggPage({ seq: 1, laces: [255, 10], body: Buffer.alloc(265, 0xf8) }),
    ]);
    const validIvf = Buffer.concat([Buffer.from('DKIF'), Buffer.from([0, 0, 32, 0]), Buffer.from('VP80'), Buffer.alloc(20), Buffer.from([3, 0, 0, 0]), Buffer.alloc(8), Buffer.from([1, 2, 3])]);
    const validH264 = Buffer.from([0, 0, 0, 1, 0x67, 1, 0, 0, 1, 0x65, 0x88, 2, 0, 0, 1, 0x41, 0x9a]);
    let ivfFailures = 0;
    let oggDrops = 0;
    for (let i = 0; i < 1500 && Date.now() < deadline; i++) {
      const ogg = new OggOpusReader();
      const ivf = new IvfReader();
      const annexB = new AnnexBSplitter();
      const aus = new H264AccessUnitSplitter();
      const inputs = [randomBytes(rand, 200), mutate(validOgg, rand), mutate(validIvf, rand), mutate(validH264, rand)];
      for (const input of inputs) {
        for (let off = 0; off < input.length; off += 1 + Math.floor(rand() * 64)) {
          const chunk = input.subarray(off, off + 1 + Math.floor(rand() * 64));
          ogg.push(chunk);
          ivf.push(chunk);
          annexB.push(chunk);
          aus.push(chunk);
        }
      }
      annexB.flush();
      aus.flush();
      if (ivf.failed) ivfFailures++;
      oggDrops += Object.values(ogg.counters.toJSON()).reduce((a, b) => a + b, 0);
    }
    expect(ivfFailures).to.be.greaterThan(100);
    expect(oggDrops).to.be.greaterThan(100);
  });
});

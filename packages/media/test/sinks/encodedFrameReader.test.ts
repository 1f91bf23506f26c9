import { expect } from 'chai';
import { FakeClock } from '@rivulet/common';
import { H264Payloader, RtpPacket, Vp8Payloader } from '@rivulet/rtp';
import { MediaStreamTrackSource, type MediaStreamTrack } from '@rivulet/webrtc';
import { EncodedFrameReader, type NegotiatedCodec, type ReceivedFrame } from '@rivulet/media';

const VP8: NegotiatedCodec = { payloadType: 96, mimeType: 'video/VP8', clockRate: 90000 };
const VP8_RTX: NegotiatedCodec = { payloadType: 97, mimeType: 'video/rtx', clockRate: 90000, sdpFmtpLine: 'apt=96' };
const H264: NegotiatedCodec = { payloadType: 102, mimeType: 'video/H264', clockRate: 90000, sdpFmtpLine: 'packetization-mode=1;profile-level-id=42e01f' };
const SSRC = 0x11223344;

/** A synthetic VP8 frame: byte 0 bit 0 is the inverse key-frame flag (RFC 6386 §9.1); the rest is a per-frame pattern. */
function vp8Frame(index: number, key: boolean, size = 250): Buffer {
  const f = Buffer.alloc(size);
  for (let i = 0; i < size; i++) f[i] = (i * 7 + index * 13) & 0xff;
  f[0] = key ? 0x10 : 0x11;
  return f;
}

interface Harness {
  clock: FakeClock;
  source: MediaStreamTrackSource;
  track: MediaStreamTrack;
  reader: EncodedFrameReader;
  frames: ReceivedFrame[];
  requests: number[];
  /** The RTP packets (serialized) of frame `index`, 3 per 250-byte frame at maxPayloadSize 100. */
  packetsOf(index: number, key: boolean, opts?: { pt?: number; tsBase?: number }): Buffer[];
  write(bytes: Uint8Array): void;
}

function harness(codecs: NegotiatedCodec[] = [VP8, VP8_RTX, H264], options: { tsBase?: number } = {}): Harness {
  const clock = new FakeClock();
  const source = new MediaStreamTrackSource({ kind: 'video' });
  const track = source.createTrack();
  const requests: number[] = [];
  source.onKeyframeRequest(() => requests.push(clock.now()));
  const reader = new EncodedFrameReader(track, { getParameters: () => ({ codecs }) }, { clock, maxLatencyMs: 100 });
  const frames: ReceivedFrame[] = [];
  reader.on('frame', (f) => frames.push(f));
  const payloader = new Vp8Payloader({ maxPayloadSize: 100, initialPictureId: 0 });
  let seq = 65530; // crosses the 16-bit wrap within the first frames
  return {
    clock, source, track, reader, frames, requests,
    packetsOf(index, key, opts = {}) {
      const payloads = payloader.payload(vp8Frame(index, key));
      return payloads.map((p) => new RtpPacket({
        payloadType: opts.pt ?? 96, sequenceNumber: (seq++) & 0xffff, ssrc: SSRC, marker: p.marker,
        timestamp: ((opts.tsBase ?? options.tsBase ?? 1000) + index * 3000) >>> 0, payload: p.payload,
      }).serialize());
    },
    write(bytes) { source.writeRtp(bytes); },
  };
}

describe('EncodedFrameReader (synthetic RTP, FakeClock)', () => {
  it('assembles frames in order with exact data, µs timestamps from the 90 kHz clock, key flags and codec', () => {
    const h = harness();
    for (let i = 0; i < 5; i++) for (const p of h.packetsOf(i, i === 0)) h.write(p);
    expect(h.frames.map((f) => f.timestamp)).to.deep.equal([0, 33333, 66667, 100000, 133333]);
    expect(h.frames.map((f) => f.rtpTimestamp)).to.deep.equal([1000, 4000, 7000, 10000, 13000]);
    expect(h.frames.map((f) => f.keyframe)).to.deep.equal([true, false, false, false, false]);
    h.frames.forEach((f, i) => expect(f.data.equals(vp8Frame(i, i === 0)), `frame ${i} bytes`).to.equal(true));
    expect(h.frames[0]).to.include({ codec: 'video/VP8', clockRate: 90000, payloadType: 96, ssrc: SSRC });
    expect(h.reader.counters.toJSON()).to.deep.include({ packets: 15, frames: 5, keyframes: 1 });
    expect(h.reader.counters.get('packetsLost')).to.equal(0);
    expect(h.requests).to.deep.equal([]);
  });

  it('reorders packets within and across frames without loss or key-frame requests', () => {
    const h = harness();
    const all = [0, 1, 2, 3].flatMap((i) => h.packetsOf(i, i === 0));
    // 0..11 → swap pairs, and move frame 1's first packet after frame 2's packets
    const order = [1, 0, 2, 4, 3, 6, 7, 8, 5, 9, 11, 10];
    for (const k of order) h.write(all[k]!);
    expect(h.frames.map((f) => f.rtpTimestamp)).to.deep.equal([1000, 4000, 7000, 10000]);
    h.frames.forEach((f, i) => expect(f.data.equals(vp8Frame(i, i === 0))).to.equal(true));
    expect(h.reader.counters.get('packetsLost')).to.equal(0);
    expect(h.requests).to.deep.equal([]);
  });

  it('a lost packet: loss reported with its sequence number, one key-frame request, delta frames dropped until the next key frame', () => {
    const h = harness();
    const losses: { firstSequenceNumber: number; count: number }[] = [];
    h.reader.on('loss', (l) => losses.push(l));
    const f = [0, 1, 2, 3, 4, 5, 6].map((i) => h.packetsOf(i, i === 0 || i === 5));
    for (const p of [...f[0]!, ...f[1]!]) h.write(p);
    const lostSeq = RtpPacket.parse(f[2]![1]!).sequenceNumber;
    h.write(f[2]![0]!);
    h.write(f[2]![2]!); // at t = 0 this packet shows the hole
    h.clock.advance(10);
    for (const p of [...f[3]!, ...f[4]!]) h.write(p);
    h.clock.advance(89);
    expect(h.frames).to.have.length(2);
    expect(h.requests).to.deep.equal([]);
    h.clock.advance(1); // maxLatencyMs (100) after the hole showed: frame 2 given up
    expect(losses).to.deep.equal([{ firstSequenceNumber: lostSeq, count: 1 }]);
    expect(h.requests).to.deep.equal([100]);
    for (const p of [...f[5]!, ...f[6]!]) h.write(p);
    expect(h.frames.map((x) => x.rtpTimestamp)).to.deep.equal([1000, 4000, 16000, 19000]);
    expect(h.frames.map((x) => x.keyframe)).to.deep.equal([true, false, true, false]);
    expect(h.reader.counters.toJSON()).to.deep.include({ packetsLost: 1, keyframeRequests: 1, frames: 4, keyframes: 2 });
  });

  it('throttles key-frame requests to one per 500 ms and sends a held request when the throttle expires', () => {
    const h = harness();
    // The stream starts on a delta frame: the jitter buffer asks at once ('noKeyframeYet').
    const reasons: string[] = [];
    h.reader.on('keyframeRequested', (r) => reasons.push(r));
    for (const p of h.packetsOf(0, false)) h.write(p);
    expect(h.requests).to.deep.equal([0]);
    // Application asks again at 100 ms and 200 ms: throttled, one request held for t = 500.
    h.clock.advance(100);
    expect(h.reader.requestKeyframe()).to.equal(false);
    h.clock.advance(100);
    expect(h.reader.requestKeyframe()).to.equal(false);
    expect(h.reader.counters.get('keyframeRequestsThrottled')).to.equal(2);
    h.clock.advance(299);
    expect(h.requests).to.deep.equal([0]);
    h.clock.advance(1);
    expect(h.requests).to.deep.equal([0, 500]);
    // Once a key frame arrives a held request is not sent.
    h.clock.advance(100);
    expect(h.reader.requestKeyframe()).to.equal(false);
    for (const p of h.packetsOf(1, true)) h.write(p);
    h.clock.advance(1000);
    expect(h.requests).to.deep.equal([0, 500]);
    expect(reasons).to.deep.equal(['noKeyframeYet', 'noKeyframeYet']);
    expect(h.frames.map((f) => f.keyframe)).to.deep.equal([true]);
    expect(h.frames[0]!.timestamp).to.equal(0); // the first delivered frame is time zero
  });

  it('unwraps the 32-bit RTP timestamp', () => {
    const h = harness(undefined, { tsBase: 0xffffffff - 4000 });
    for (let i = 0; i < 4; i++) for (const p of h.packetsOf(i, i === 0)) h.write(p);
    expect(h.frames.map((f) => f.rtpTimestamp)).to.deep.equal([4294963295, 4294966295, 1999, 4999]);
    expect(h.frames.map((f) => f.timestamp)).to.deep.equal([0, 33333, 66667, 100000]);
  });

  it('drops and counts malformed, RTX and unknown payload types; rebuilds the pipeline when the codec changes', () => {
    const h = harness();
    for (const p of h.packetsOf(0, true)) h.write(p);
    h.write(new Uint8Array([0x90, 96, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1])); // X bit set, but no extension header follows
    h.write(h.packetsOf(1, false, { pt: 97 })[0]!); // RTX
    h.write(h.packetsOf(1, false, { pt: 111 })[0]!); // not negotiated
    expect(h.reader.counters.toJSON()).to.deep.include({ packetsMalformed: 1, packetsRepair: 1, packetsUnknownPayloadType: 1, frames: 1 });
    // The sender switches to H.264 (payload type 102): new depayloader, new jitter buffer.
    const sps = Buffer.from([0x67, 0x42, 0xc0, 0x1f, 0xda]);
    const pps = Buffer.from([0x68, 0xce, 0x3c, 0x80]);
    const idr = Buffer.concat([Buffer.from([0x65, 0x88]), Buffer.alloc(300, 0x5a)]);
    const au = Buffer.concat([Buffer.from([0, 0, 0, 1]), sps, Buffer.from([0, 0, 0, 1]), pps, Buffer.from([0, 0, 0, 1]), idr]);
    const payloads = new H264Payloader({ maxPayloadSize: 200 }).payload(au);
    payloads.forEach((p, i) => h.write(new RtpPacket({ payloadType: 102, sequenceNumber: 100 + i, timestamp: 91000, ssrc: SSRC, marker: p.marker, payload: p.payload }).serialize()));
    expect(h.reader.counters.get('pipelineRebuilds')).to.equal(1);
    expect(h.frames).to.have.length(2);
    expect(h.frames[1]).to.include({ codec: 'video/H264', payloadType: 102, keyframe: true, rtpTimestamp: 91000, timestamp: 1_000_000 });
    expect(h.frames[1]!.data.equals(au)).to.equal(true);
    expect(h.reader.codec?.mimeType).to.equal('video/H264');
  });

  it('a second SSRC is ignored while the first sends, and takes over after 1000 ms of silence', () => {
    const h = harness();
    const other = (seq: number, ts: number, key: boolean) => {
      const [p] = new Vp8Payloader({ maxPayloadSize: 1000, initialPictureId: 0 }).payload(vp8Frame(50 + seq, key));
      return new RtpPacket({ payloadType: 96, sequenceNumber: seq, timestamp: ts, ssrc: 0xbbbb, marker: true, payload: p!.payload }).serialize();
    };
    for (const p of h.packetsOf(0, true)) h.write(p);
    h.write(other(1, 500, true)); // a simulcast layer interleaved: dropped, no rebuild
    for (const p of h.packetsOf(1, false)) h.write(p);
    h.clock.advance(999);
    h.write(other(2, 3500, true));
    expect(h.reader.counters.toJSON()).to.deep.include({ packetsOtherSsrc: 2, frames: 2 });
    expect(h.reader.counters.get('pipelineRebuilds')).to.equal(0);
    h.clock.advance(1);
    h.write(other(3, 6500, true)); // the first SSRC has been silent for 1000 ms: switch
    expect(h.reader.counters.get('pipelineRebuilds')).to.equal(1);
    expect(h.frames.map((f) => [f.ssrc, f.keyframe])).to.deep.equal([[SSRC, true], [SSRC, false], [0xbbbb, true]]);
    expect(h.frames[2]!.data.equals(vp8Frame(53, true))).to.equal(true);
    // The new SSRC's timestamps have their own origin: the timeline continues by wall time (1000 ms).
    expect(h.frames.map((f) => f.timestamp)).to.deep.equal([0, 33333, 1_033_333]);
  });

  it('async iterator yields frames in order and ends when the track ends', async () => {
    const h = harness();
    const got: number[] = [];
    const done = (async () => {
      for await (const f of h.reader) got.push(f.rtpTimestamp);
    })();
    for (let i = 0; i < 3; i++) for (const p of h.packetsOf(i, i === 0)) h.write(p);
    h.source.end(); // the remote side ended the track (fires 'ended')
    await done;
    expect(got).to.deep.equal([1000, 4000, 7000]);
    expect(h.reader.closed).to.equal(true);
    for (const p of h.packetsOf(3, false)) h.write(p);
    expect(h.reader.counters.get('packets')).to.equal(9);
  });

  it('a slow iterator keeps at most maxQueuedFrames, dropping the oldest (counted)', async () => {
    const clock = new FakeClock();
    const source = new MediaStreamTrackSource({ kind: 'video' });
    const reader = new EncodedFrameReader(source.createTrack(), { getParameters: () => ({ codecs: [VP8] }) }, { clock, maxQueuedFrames: 2 });
    const it = reader[Symbol.asyncIterator]();
    const payloader = new Vp8Payloader({ maxPayloadSize: 1000, initialPictureId: 0 });
    for (let i = 0; i < 4; i++) {
      const [p] = payloader.payload(vp8Frame(i, i === 0));
      source.writeRtp(new RtpPacket({ payloadType: 96, sequenceNumber: i, timestamp: i * 3000, ssrc: 1, marker: true, payload: p!.payload }).serialize());
    }
    expect(reader.counters.get('framesDroppedQueueFull')).to.equal(2);
    expect((await it.next()).value?.rtpTimestamp).to.equal(6000);
    expect((await it.next()).value?.rtpTimestamp).to.equal(9000);
    reader.close();
    expect((await it.next()).done).to.equal(true);
  });

  it('rejects bad arguments with messages naming the value', () => {
    const source = new MediaStreamTrackSource({ kind: 'video' });
    const track = source.createTrack();
    const receiver = { getParameters: () => ({ codecs: [VP8] }) };
    expect(() => new EncodedFrameReader(track, receiver, { maxLatencyMs: 0 })).to.throw(RangeError, 'maxLatencyMs must be a positive number, got 0');
    expect(() => new EncodedFrameReader(track, receiver, { keyframeRequestIntervalMs: -1 })).to.throw(RangeError, 'keyframeRequestIntervalMs must be a positive number, got -1');
    expect(() => new EncodedFrameReader(track, {} as never)).to.throw(TypeError, 'receiver must be');
    expect(() => new EncodedFrameReader(null as never, receiver)).to.throw(TypeError, 'track must be a MediaStreamTrack');
  });
});

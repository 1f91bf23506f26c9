import { expect } from 'chai';
import { FakeClock } from '@rivulet/common';
import { OpusDepayloader } from '../../src/codecs/opus.js';
import type { RtpPacketLike } from '../../src/codecs/types.js';
import { Vp8Depayloader } from '../../src/codecs/vp8.js';
import { JitterBuffer, type JitterBufferOptions, type JitterFrame } from '../../src/jitter/jitterBuffer.js';

/** VP8 packets of one frame: the first starts partition 0 (payload header P bit = !key), the rest continue. */
function vp8Frame(seq: number, ts: number, kind: 'key' | 'delta', count: number): RtpPacketLike[] {
  return Array.from({ length: count }, (_, i) => ({
    sequenceNumber: (seq + i) & 0xffff,
    timestamp: ts >>> 0,
    marker: i === count - 1,
    payload: Buffer.from(i === 0 ? [0x10, kind === 'key' ? 0x00 : 0x01, 0x9d, seq & 0xff] : [0x00, i, seq & 0xff]),
  }));
}

function setup(options: Partial<JitterBufferOptions> = {}) {
  const clock = new FakeClock();
  const jb = new JitterBuffer({ clock, depayloader: new Vp8Depayloader(), maxLatencyMs: 200, ...options });
  const frames: JitterFrame[] = [];
  const requests: string[] = [];
  const losses: { firstSequenceNumber: number; count: number }[] = [];
  jb.on('frame', (f) => frames.push(f));
  jb.on('keyframeNeeded', (r) => requests.push(r));
  jb.on('loss', (l) => losses.push(l));
  const summary = () => frames.map((f) => `${f.timestamp}${f.keyframe ? 'K' : ''}:${f.packets.map((p) => p.sequenceNumber).join(',')}`);
  return { clock, jb, frames, requests, losses, summary };
}

describe('jitter: JitterBuffer', () => {
  it('emits frames in order across the 16-bit sequence wrap', () => {
    const t = setup();
    const packets = [...vp8Frame(65533, 0xffffff00, 'key', 2), ...vp8Frame(65535, 0xffffff00 + 3000, 'delta', 3), ...vp8Frame(2, 5000, 'delta', 1)];
    packets.forEach((p) => t.jb.insert(p));
    expect(t.summary()).to.deep.equal([`${0xffffff00}K:65533,65534`, '2744:65535,0,1', '5000:2']);
    expect(t.requests).to.deep.equal([]);
    expect(t.jb.size).to.equal(0);
    expect([...t.frames[1]!.data]).to.deep.equal([0x01, 0x9d, 0xff, 1, 0xff, 2, 0xff]);
  });

  it('reorders within and across frames without reporting loss', () => {
    const t = setup();
    const [k0, k1, d0, d1, d2, e0] = [...vp8Frame(100, 0, 'key', 2), ...vp8Frame(102, 3000, 'delta', 3), ...vp8Frame(105, 6000, 'delta', 1)];
    for (const p of [k1!, d2!, k0!, e0!, d0!, d1!]) t.jb.insert(p);
    expect(t.summary()).to.deep.equal(['0K:100,101', '3000:102,103,104', '6000:105']);
    expect(t.losses).to.deep.equal([]);
  });

  it('counts duplicates and packets arriving after their frame left', () => {
    const t = setup();
    const [a, b] = vp8Frame(10, 0, 'key', 2);
    t.jb.insert(a!);
    t.jb.insert(a!);
    t.jb.insert(b!);
    t.jb.insert(b!);
    expect(t.frames).to.have.length(1);
    expect(t.jb.counters.toJSON()).to.deep.include({ packetsReceived: 4, packetsDuplicate: 1, packetsLate: 1, framesEmitted: 1 });
  });

  it('gives up an incomplete frame exactly at maxLatencyMs, reports the loss and drops frames until a keyframe', () => {
    const t = setup();
    const all = [...vp8Frame(0, 0, 'key', 2), ...vp8Frame(2, 3000, 'delta', 3), ...vp8Frame(5, 6000, 'delta', 1), ...vp8Frame(6, 9000, 'key', 2)];
    all.filter((p) => p.sequenceNumber !== 3).forEach((p) => t.jb.insert(p));
    expect(t.summary()).to.deep.equal(['0K:0,1']);
    t.clock.advance(199);
    expect(t.frames).to.have.length(1);
    expect(t.losses).to.deep.equal([]);
    t.clock.advance(1);
    expect(t.losses).to.deep.equal([{ firstSequenceNumber: 3, count: 1 }]);
    expect(t.requests).to.deep.equal(['loss']);
    expect(t.summary()).to.deep.equal(['0K:0,1', '9000K:6,7']);
    expect(t.jb.counters.toJSON()).to.deep.include({ framesIncomplete: 1, framesDroppedWaitingForKeyframe: 1, packetsLost: 1 });
    expect(t.jb.needsKeyframe).to.equal(false);
    t.jb.insert(all[3]!); // the lost packet finally arrives
    expect(t.jb.counters.get('packetsLate')).to.equal(1);
    expect(t.frames).to.have.length(2);
  });

  it('waits for a paced frame that keeps arriving, however long it takes', () => {
    const t = setup();
    for (const p of vp8Frame(0, 0, 'key', 10)) {
      t.jb.insert(p);
      t.clock.advance(150);
    }
    expect(t.summary()).to.deep.equal(['0K:0,1,2,3,4,5,6,7,8,9']);
    expect(t.losses).to.deep.equal([]);
    // Emitted when the 10th packet came, 9 x 150 ms after the first.
    expect(t.jb.delayStats).to.deep.equal({ emittedCount: 1, totalDelayMs: 1350 });
  });

  it('gives a reordered packet maxLatencyMs from when a later packet showed it missing', () => {
    const t = setup();
    const [a, b, c] = vp8Frame(0, 0, 'key', 3);
    t.jb.insert(a!);
    t.clock.advance(100);
    t.jb.insert(c!); // seq 1 now known missing
    t.clock.advance(199);
    t.jb.insert(b!); // 299 ms after the frame's first packet, 199 ms after the hole showed
    expect(t.summary()).to.deep.equal(['0K:0,1,2']);
    expect(t.losses).to.deep.equal([]);
  });

  it('gives up a frame whose tail was lost when nothing follows, maxLatencyMs after the last packet', () => {
    const t = setup();
    const [a, b] = vp8Frame(0, 0, 'key', 3);
    t.jb.insert(a!);
    t.clock.advance(50);
    t.jb.insert(b!);
    t.clock.advance(199);
    expect(t.jb.counters.get('framesIncomplete')).to.equal(0);
    t.clock.advance(1);
    expect(t.jb.counters.get('framesIncomplete')).to.equal(1);
    expect(t.requests).to.deep.equal(['loss']);
    expect(t.jb.size).to.equal(0);
  });

  it('skips a frame whose first packet is lost and restarts at the next frame start', () => {
    const t = setup();
    const all = [...vp8Frame(0, 0, 'key', 2), ...vp8Frame(2, 3000, 'delta', 3), ...vp8Frame(5, 6000, 'key', 1)];
    all.filter((p) => p.sequenceNumber !== 2).forEach((p) => t.jb.insert(p));
    t.clock.advance(200);
    expect(t.summary()).to.deep.equal(['0K:0,1', '6000K:5']);
    expect(t.losses).to.deep.equal([{ firstSequenceNumber: 2, count: 1 }]);
    expect(t.requests).to.deep.equal(['loss']);
  });

  it('joining mid-frame: gives the partial head maxLatencyMs for earlier packets, then starts at the next frame', () => {
    const t = setup();
    const all = [...vp8Frame(0, 0, 'key', 3), ...vp8Frame(3, 3000, 'delta', 1), ...vp8Frame(4, 6000, 'key', 2)];
    for (const p of all.slice(1)) {
      t.jb.insert(p); // seq 0 (the frame start) never comes; packets keep flowing
      t.clock.advance(30);
    }
    t.clock.advance(49); // t = 199
    expect(t.summary()).to.deep.equal([]);
    t.clock.advance(1);
    expect(t.summary()).to.deep.equal(['6000K:4,5']);
    expect(t.requests[0]).to.equal('loss');
    expect(t.jb.counters.get('framesIncomplete')).to.equal(1);
  });

  it('asks for a keyframe when the stream starts mid-GOP, and again after the request interval', () => {
    const t = setup({ keyframeRequestIntervalMs: 500 });
    vp8Frame(0, 0, 'delta', 1).forEach((p) => t.jb.insert(p));
    t.clock.advance(100);
    vp8Frame(1, 3000, 'delta', 1).forEach((p) => t.jb.insert(p));
    expect(t.requests).to.deep.equal(['noKeyframeYet']);
    t.clock.advance(400);
    vp8Frame(2, 6000, 'delta', 1).forEach((p) => t.jb.insert(p));
    expect(t.requests).to.deep.equal(['noKeyframeYet', 'stillWaiting']);
    vp8Frame(3, 9000, 'key', 1).forEach((p) => t.jb.insert(p));
    expect(t.summary()).to.deep.equal(['9000K:3']);
    expect(t.jb.counters.get('framesDroppedWaitingForKeyframe')).to.equal(3);
  });

  it('passes undecodable frames through when dropUntilKeyframe is false', () => {
    const t = setup({ dropUntilKeyframe: false });
    vp8Frame(0, 0, 'delta', 1).forEach((p) => t.jb.insert(p));
    expect(t.summary()).to.deep.equal(['0:0']);
    expect(t.requests).to.deep.equal(['noKeyframeYet']);
  });

  it('audio: a gap is reported as loss without a keyframe request', () => {
    const clock = new FakeClock();
    const jb = new JitterBuffer({ clock, depayloader: new OpusDepayloader(), maxLatencyMs: 60 });
    const out: number[] = [];
    const requests: string[] = [];
    jb.on('frame', (f) => out.push(f.timestamp));
    jb.on('keyframeNeeded', (r) => requests.push(r));
    for (const seq of [0, 1, 3, 4]) jb.insert({ sequenceNumber: seq, timestamp: seq * 960, marker: false, payload: Buffer.from([0xf8]) });
    expect(out).to.deep.equal([0, 960]);
    clock.advance(60);
    expect(out).to.deep.equal([0, 960, 2880, 3840]);
    expect(requests).to.deep.equal([]);
    expect(jb.counters.get('packetsLost')).to.equal(1);
  });

  it('holds the first frame for initialDelayMs so an earlier packet can still arrive', () => {
    const clock = new FakeClock();
    const jb = new JitterBuffer({ clock, depayloader: new OpusDepayloader(), initialDelayMs: 20 });
    const out: number[] = [];
    jb.on('frame', (f) => out.push(f.packets[0]!.sequenceNumber));
    jb.insert({ sequenceNumber: 11, timestamp: 960, marker: false, payload: Buffer.from([0xf8]) });
    clock.advance(19);
    jb.insert({ sequenceNumber: 10, timestamp: 0, marker: false, payload: Buffer.from([0xf8]) });
    expect(out).to.deep.equal([]);
    clock.advance(1);
    expect(out).to.deep.equal([10, 11]);
  });

  it('gives up the oldest frame at once when more than maxPackets are held', () => {
    const t = setup({ maxPackets: 4 });
    vp8Frame(0, 0, 'key', 1).forEach((p) => t.jb.insert(p));
    // seq 1 lost; 2..6 are 1-packet keyframes.
    for (let s = 2; s <= 6; s++) vp8Frame(s, s * 3000, 'key', 1).forEach((p) => t.jb.insert(p));
    expect(t.summary()).to.deep.equal(['0K:0', '6000K:2', '9000K:3', '12000K:4', '15000K:5', '18000K:6']);
    expect(t.losses).to.deep.equal([{ firstSequenceNumber: 1, count: 1 }]);
  });

  it('resets on a sequence jump larger than 8192 and maxPackets', () => {
    const t = setup({ maxPackets: 100 });
    vp8Frame(0, 0, 'key', 1).forEach((p) => t.jb.insert(p));
    vp8Frame(30_000, 90_000, 'key', 1).forEach((p) => t.jb.insert(p));
    expect(t.summary()).to.deep.equal(['0K:0', '90000K:30000']);
    expect(t.jb.counters.get('resets')).to.equal(1);
  });

  it('drops and counts malformed packets; close() stops everything', () => {
    const t = setup();
    t.jb.insert({ sequenceNumber: 1, timestamp: 0, marker: true, payload: Buffer.alloc(0) });
    expect(t.jb.counters.get('packetsMalformed')).to.equal(1);
    vp8Frame(5, 0, 'key', 2).slice(0, 1).forEach((p) => t.jb.insert(p));
    expect(t.clock.pendingTimers).to.equal(1);
    t.jb.close();
    t.clock.advance(1000);
    expect(t.frames).to.deep.equal([]);
  });

  it('rejects bad options with the value in the message', () => {
    const clock = new FakeClock();
    const depayloader = new Vp8Depayloader();
    expect(() => new JitterBuffer({ clock, depayloader, maxLatencyMs: 0 })).to.throw(RangeError, /maxLatencyMs .* got 0/);
    expect(() => new JitterBuffer({ clock, depayloader, maxLatencyMs: 50, initialDelayMs: 50 })).to.throw(RangeError, /initialDelayMs .* got 50/);
  });
});

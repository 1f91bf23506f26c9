import { expect } from 'chai';
import { MediaStreamTrackSource, readTrack, requestKeyframe, type MediaStreamTrack } from '@rivulet/webrtc';
import { LayerSwitcher, UPSTREAM_KEYFRAME_INTERVAL_MS } from '../src/layerSwitch.js';
import { vp8 } from './rtp.js';

/** Two simulcast layers as local sources (what simulcastLayerTrack gives an SFU), counting key-frame requests. */
function layers() {
  const sources = { q: new MediaStreamTrackSource({ kind: 'video' }), h: new MediaStreamTrackSource({ kind: 'video' }) };
  const asked = { q: 0, h: 0 };
  sources.q.onKeyframeRequest(() => asked.q++);
  sources.h.onKeyframeRequest(() => asked.h++);
  const tracks = new Map<string, MediaStreamTrack>();
  const layerTrack = (rid: string) => {
    if (rid !== 'q' && rid !== 'h') throw new Error(`no layer ${rid}`);
    let t = tracks.get(rid);
    if (!t) tracks.set(rid, (t = sources[rid].createTrack()));
    return t;
  };
  return { sources, asked, layerTrack };
}

const seqOf = (p: Buffer) => p.readUInt16BE(2);
const tsOf = (p: Buffer) => p.readUInt32BE(4);
const pidOf = (p: Buffer) => ((p[14]! & 0x7f) << 8) | p[15]!;

describe('LayerSwitcher: per-subscriber simulcast forwarding (examples/sfu)', () => {
  it('starts at a key frame, switches at the new layer\'s key frame, and keeps one continuous stream', () => {
    const { sources, asked, layerTrack } = layers();
    const sw = new LayerSwitcher({ layerTrack, mimeType: () => 'video/VP8', clockRate: 90000, label: 'test', rids: ['q', 'h'] });
    const out: Buffer[] = [];
    readTrack(sw.track, { rtp: (p) => out.push(Buffer.from(p)) });

    sw.select('q');
    expect(asked).to.deep.equal({ q: 1, h: 0 }); // a key frame is requested at once
    sources.q.writeRtp(vp8({ seq: 99, ts: 6000, ssrc: 0xa, pid: 49, tl0: 3, start: true, key: false }));
    expect(out).to.have.length(0); // a delta frame is useless to a decoder that has nothing
    sources.q.writeRtp(vp8({ seq: 100, ts: 9000, ssrc: 0xa, pid: 50, tl0: 4, start: true, key: true }));
    sources.q.writeRtp(vp8({ seq: 101, ts: 9000, ssrc: 0xa, pid: 50, tl0: 4, start: false, key: true, marker: true }));
    sources.q.writeRtp(vp8({ seq: 102, ts: 12000, ssrc: 0xa, pid: 51, tl0: 5, start: true, key: false }));
    expect(out.map(seqOf)).to.deep.equal([1, 2, 3]);
    expect(out.map(tsOf)).to.deep.equal([0, 0, 3000]);
    expect(out.map(pidOf)).to.deep.equal([50, 50, 51]);
    expect(out.every((p) => p.readUInt32BE(8) === out[0]!.readUInt32BE(8))).to.equal(true);
    expect(out[1]![1]! & 0x80).to.equal(0x80); // marker kept
    expect(sw.stats).to.include({ rid: 'q', pendingRid: null, switches: 1, packetsForwarded: 3 });

    sw.select('h');
    expect(asked).to.deep.equal({ q: 1, h: 1 });
    expect(sw.stats.pendingRid).to.equal('h');
    sources.h.writeRtp(vp8({ seq: 5000, ts: 700000, ssrc: 0xb, pid: 20000, tl0: 90, start: true, key: false }));
    sources.q.writeRtp(vp8({ seq: 103, ts: 15000, ssrc: 0xa, pid: 52, tl0: 6, start: true, key: false }));
    expect(out.map(seqOf)).to.deep.equal([1, 2, 3, 4]); // still q until h's key frame
    sources.h.writeRtp(vp8({ seq: 5001, ts: 703000, ssrc: 0xb, pid: 20001, tl0: 91, start: true, key: true }));
    sources.q.writeRtp(vp8({ seq: 104, ts: 18000, ssrc: 0xa, pid: 53, tl0: 7, start: true, key: false }));
    sources.h.writeRtp(vp8({ seq: 5002, ts: 706000, ssrc: 0xb, pid: 20002, tl0: 92, start: true, key: false }));
    expect(out.map(seqOf)).to.deep.equal([1, 2, 3, 4, 5, 6]);
    expect(out.slice(4).map(pidOf)).to.deep.equal([53, 54]); // continues q's 52
    const step = (tsOf(out[4]!) - tsOf(out[3]!)) >>> 0;
    expect(step).to.be.within(1, 90_000); // wall clock since the last packet, at 90 kHz
    expect((tsOf(out[5]!) - tsOf(out[4]!)) >>> 0).to.equal(3000); // h's own spacing kept
    expect(sw.stats).to.include({ rid: 'h', pendingRid: null, switches: 2, packetsForwarded: 6 });
    sw.close();
    expect(sw.track.readyState).to.equal('ended');
  });

  it('forwards a repaired (late) packet with its neighbours\' numbering; a switch continues after the newest; late packets from before the switch are dropped', () => {
    const { sources, layerTrack } = layers();
    const sw = new LayerSwitcher({ layerTrack, mimeType: () => 'video/VP8', clockRate: 90000, label: 'test', rids: ['q', 'h'] });
    const out: Buffer[] = [];
    readTrack(sw.track, { rtp: (p) => out.push(Buffer.from(p)) });
    sw.select('q');
    sources.q.writeRtp(vp8({ seq: 100, ts: 9000, ssrc: 0xa, pid: 50, tl0: 4, start: true, key: true, marker: true }));
    sources.q.writeRtp(vp8({ seq: 102, ts: 15000, ssrc: 0xa, pid: 52, tl0: 6, start: true, key: false, marker: true }));
    // 101 was lost upstream; the SFU's receiver recovered it (NACK + RTX) and it arrives now.
    sources.q.writeRtp(vp8({ seq: 101, ts: 12000, ssrc: 0xa, pid: 51, tl0: 5, start: true, key: false, marker: true }));
    expect(out.map(seqOf)).to.deep.equal([1, 3, 2]);
    expect(out.map(tsOf)).to.deep.equal([0, 6000, 3000]);
    expect(out.map(pidOf)).to.deep.equal([50, 52, 51]);
    sw.select('h');
    sources.h.writeRtp(vp8({ seq: 5001, ts: 703000, ssrc: 0xb, pid: 20001, tl0: 91, start: true, key: true, marker: true }));
    // h's packet before its key frame, repaired late: its number would collide with q's; dropped.
    sources.h.writeRtp(vp8({ seq: 5000, ts: 700000, ssrc: 0xb, pid: 20000, tl0: 90, start: true, key: false, marker: true }));
    sources.h.writeRtp(vp8({ seq: 5003, ts: 709000, ssrc: 0xb, pid: 20003, tl0: 93, start: true, key: false, marker: true }));
    sources.h.writeRtp(vp8({ seq: 5002, ts: 706000, ssrc: 0xb, pid: 20002, tl0: 92, start: true, key: false, marker: true }));
    // The switch continues after q's newest (seq 3, PictureID 52), not after the late one.
    expect(out.slice(3).map(seqOf)).to.deep.equal([4, 6, 5]);
    expect(out.slice(3).map(pidOf)).to.deep.equal([53, 55, 54]);
    expect(sw.stats).to.include({ rid: 'h', packetsForwarded: 6, packetsLate: 2, packetsBeforeSwitch: 1 });
    sw.close();
  });

  it('a key frame whose first packet was repaired late: the switch happens at it and the rest of the frame, already here, follows in order', () => {
    const { sources, layerTrack } = layers();
    const sw = new LayerSwitcher({ layerTrack, mimeType: () => 'video/VP8', clockRate: 90000, label: 'test', rids: ['q', 'h'] });
    const out: Buffer[] = [];
    readTrack(sw.track, { rtp: (p) => out.push(Buffer.from(p)) });
    sw.select('q');
    sources.q.writeRtp(vp8({ seq: 10, ts: 0, ssrc: 0xa, pid: 1, tl0: 1, start: true, key: true, marker: true }));
    sw.select('h');
    sources.h.writeRtp(vp8({ seq: 4999, ts: 697000, ssrc: 0xb, pid: 19999, tl0: 89, start: true, key: false, marker: true })); // an older delta frame
    // h's key frame 5001..5003: 5001 (its start) was lost upstream; 5002, 5003 and the next frame arrive first.
    sources.h.writeRtp(vp8({ seq: 5003, ts: 700000, ssrc: 0xb, pid: 20001, tl0: 91, start: false, key: true, marker: true }));
    sources.h.writeRtp(vp8({ seq: 5002, ts: 700000, ssrc: 0xb, pid: 20001, tl0: 91, start: false, key: true }));
    sources.h.writeRtp(vp8({ seq: 5004, ts: 703000, ssrc: 0xb, pid: 20002, tl0: 92, start: true, key: false, marker: true }));
    sources.q.writeRtp(vp8({ seq: 11, ts: 3000, ssrc: 0xa, pid: 2, tl0: 2, start: true, key: false, marker: true }));
    expect(out.map(seqOf)).to.deep.equal([1, 2]); // still q
    sources.h.writeRtp(vp8({ seq: 5001, ts: 700000, ssrc: 0xb, pid: 20001, tl0: 91, start: true, key: true })); // the repair
    expect(out.slice(2).map(seqOf)).to.deep.equal([3, 4, 5, 6]);
    expect(out.slice(2).map(pidOf)).to.deep.equal([3, 3, 3, 4]);
    expect(sw.stats).to.include({ rid: 'h', switches: 2, packetsForwarded: 6 });
    sw.close();
  });

  it('forwards subscriber key-frame requests to the layer being sent, at most once per interval', async () => {
    const { sources, asked, layerTrack } = layers();
    const sw = new LayerSwitcher({ layerTrack, mimeType: () => 'video/VP8', clockRate: 90000, label: 'test', rids: ['q', 'h'] });
    sw.select('h');
    sources.h.writeRtp(vp8({ seq: 1, ts: 0, ssrc: 0xb, pid: 1, tl0: 1, start: true, key: true }));
    expect(asked.h).to.equal(1);
    // The subscriber's PLI arrives as a request on the switcher's own track.
    expect(requestKeyframe(sw.track)).to.equal(true);
    expect(requestKeyframe(sw.track)).to.equal(true);
    expect(asked.h).to.equal(1); // within UPSTREAM_KEYFRAME_INTERVAL_MS of the switch's own request
    expect(sw.stats).to.include({ keyframeRequestsFromSubscriber: 2, keyframeRequestsThrottled: 2, keyframeRequestsUpstream: 1 });
    await new Promise((r) => setTimeout(r, UPSTREAM_KEYFRAME_INTERVAL_MS + 20));
    requestKeyframe(sw.track);
    expect(asked).to.deep.equal({ q: 0, h: 2 });
    expect(sw.stats.keyframeRequestsUpstream).to.equal(2);
    sw.close();
  });

  it('a switch back before the other layer\'s key frame cancels it; unknown codecs switch at once', () => {
    const { sources, layerTrack } = layers();
    const sw = new LayerSwitcher({ layerTrack, mimeType: () => 'video/AV1', clockRate: 90000, label: 'test', rids: ['q', 'h'] });
    const out: Buffer[] = [];
    readTrack(sw.track, { rtp: (p) => out.push(Buffer.from(p)) });
    sw.select('q');
    sources.q.writeRtp(vp8({ seq: 7, ts: 0, ssrc: 0xa, pid: 1, tl0: 1, start: false, key: false }));
    expect(sw.stats).to.include({ rid: 'q', switches: 1, packetsForwarded: 1 }); // no detector: no wait
    sw.select('h');
    sw.select('q');
    expect(sw.stats.pendingRid).to.equal(null);
    sources.h.writeRtp(vp8({ seq: 70, ts: 0, ssrc: 0xb, pid: 1, tl0: 1, start: true, key: true }));
    expect(sw.stats).to.include({ rid: 'q', switches: 1, packetsForwarded: 1 });
    expect(() => sw.select('x')).to.throw('no layer x');
    sw.close();
  });

  it('falls back one layer when the sent layer goes silent, and returns to the preferred one at its key frame', () => {
    const { sources, layerTrack } = layers();
    let clock = 1000;
    const sw = new LayerSwitcher({ layerTrack, mimeType: () => 'video/VP8', clockRate: 90000, label: 'test', rids: ['q', 'h'], silenceMs: 1500, retryPreferredMs: 5000, now: () => clock });
    const out: Buffer[] = [];
    readTrack(sw.track, { rtp: (p) => out.push(Buffer.from(p)) });
    sw.select('h');
    sources.h.writeRtp(vp8({ seq: 10, ts: 0, ssrc: 0xb, pid: 1, tl0: 1, start: true, key: true }));
    clock += 1000;
    sw.tick();
    expect(sw.stats).to.include({ rid: 'h', pendingRid: null, fallbacks: 0 }); // not silent long enough
    clock += 600;
    sw.tick();
    expect(sw.stats).to.include({ rid: 'h', pendingRid: 'q', fallbacks: 1, preferredRid: 'h' });
    clock += 400;
    sw.tick();
    expect(sw.stats.fallbacks).to.equal(1); // q is on its way: no further step (none below q anyway)
    sources.q.writeRtp(vp8({ seq: 500, ts: 0, ssrc: 0xa, pid: 77, tl0: 9, start: true, key: true }));
    expect(sw.stats).to.include({ rid: 'q', pendingRid: null, switches: 2 });
    clock += 100;
    sw.tick();
    expect(sw.stats.pendingRid).to.equal(null); // h is retried only retryPreferredMs after the fallback
    clock += 4400; // 4,900 ms after the fallback: q flows, h not retried yet
    sources.q.writeRtp(vp8({ seq: 501, ts: 3000, ssrc: 0xa, pid: 78, tl0: 10, start: true, key: false }));
    sw.tick();
    expect(sw.stats.pendingRid).to.equal(null);
    clock += 100;
    sw.tick();
    expect(sw.stats.pendingRid).to.equal('h');
    sources.h.writeRtp(vp8({ seq: 11, ts: 3000, ssrc: 0xb, pid: 2, tl0: 2, start: true, key: true }));
    expect(sw.stats).to.include({ rid: 'h', pendingRid: null, switches: 3, fallbacks: 1 });
    expect(out.map(seqOf)).to.deep.equal([1, 2, 3, 4]); // h key, q key, q delta, h key: one stream throughout
    expect(out.map(pidOf)).to.deep.equal([1, 2, 3, 4]);
    sw.close();
  });
});

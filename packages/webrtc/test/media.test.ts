import { expect } from 'chai';
import { MediaStream, MediaStreamTrack, MediaStreamTrackSource, readTrack, type EncodedFrame } from '../src/index.js';

function video(label = 'cam') {
  return new MediaStreamTrackSource({ kind: 'video', label, settings: { width: 640, height: 360, frameRate: 30 }, capabilities: { width: { min: 1, max: 1920 } } });
}

describe('MediaStreamTrack', () => {
  it('is not constructible by applications', () => {
    expect(() => new (MediaStreamTrack as unknown as new (s: MediaStreamTrackSource) => MediaStreamTrack)(video())).to.throw(TypeError, /Illegal constructor/);
  });

  it('has every MDN member with browser defaults', async () => {
    const src = video('Fake camera');
    const t = src.createTrack();
    expect(t.id).to.match(/^[0-9a-f-]{36}$/);
    expect(t.kind).to.equal('video');
    expect(t.label).to.equal('Fake camera');
    expect(t.enabled).to.equal(true);
    expect(t.muted).to.equal(false);
    expect(t.readyState).to.equal('live');
    expect(t.contentHint).to.equal('');
    expect(t.getSettings()).to.deep.equal({ width: 640, height: 360, frameRate: 30 });
    expect(t.getCapabilities()).to.deep.equal({ width: { min: 1, max: 1920 } });
    expect(t.getConstraints()).to.deep.equal({});
    await t.applyConstraints({ width: 320 });
    expect(t.getConstraints()).to.deep.equal({ width: 320 });
    t.contentHint = 'motion';
    expect(t.contentHint).to.equal('motion');
    t.contentHint = 'music'; // audio-only hint: ignored on video
    expect(t.contentHint).to.equal('motion');
  });

  it('stop() ends the track without an ended event; the source ending fires ended', () => {
    const src = video();
    const a = src.createTrack();
    const b = src.createTrack();
    const events: string[] = [];
    a.onended = () => events.push('a');
    b.addEventListener('ended', () => events.push('b'));
    a.stop();
    expect(a.readyState).to.equal('ended');
    expect(events).to.deep.equal([]);
    src.end();
    expect(b.readyState).to.equal('ended');
    expect(events).to.deep.equal(['b']);
  });

  it('mute/unmute follow the source and fire events', () => {
    const src = video();
    const t = src.createTrack();
    const events: string[] = [];
    t.onmute = () => events.push('mute');
    t.onunmute = () => events.push('unmute');
    src.setMuted(true);
    src.setMuted(true);
    src.setMuted(false);
    expect(events).to.deep.equal(['mute', 'unmute']);
  });

  it('clone shares the source but not id, enabled or state', () => {
    const src = video();
    const t = src.createTrack();
    t.enabled = false;
    const c = t.clone();
    expect(c.id).to.not.equal(t.id);
    expect(c.enabled).to.equal(false);
    expect(c.kind).to.equal('video');
    t.stop();
    expect(c.readyState).to.equal('live');
  });

  it('delivers frames and RTP to sinks only while live and enabled', () => {
    const src = video();
    const t = src.createTrack();
    const got: (EncodedFrame | Uint8Array)[] = [];
    const off = readTrack(t, { frame: (f) => got.push(f), rtp: (p) => got.push(p) });
    const f = { data: new Uint8Array([1, 2]), timestamp: 1000, keyframe: true };
    src.writeFrame(f);
    const rtp = new Uint8Array(12); rtp[0] = 0x80;
    src.writeRtp(rtp);
    t.enabled = false;
    src.writeFrame(f);
    t.enabled = true;
    off();
    src.writeFrame(f);
    expect(got).to.deep.equal([f, rtp]);
    expect(() => src.writeRtp(new Uint8Array(3))).to.throw(TypeError, /at least 12 bytes/);
    expect(() => src.writeFrame({ data: new Uint8Array(1), timestamp: NaN })).to.throw(TypeError, /timestamp/);
  });
});

describe('MediaStream', () => {
  it('holds tracks, reports active, and fires no events on addTrack/removeTrack', () => {
    const a = new MediaStreamTrackSource({ kind: 'audio' }).createTrack();
    const v = video().createTrack();
    const s = new MediaStream([a]);
    const events: string[] = [];
    s.onaddtrack = () => events.push('add');
    s.onremovetrack = () => events.push('remove');
    s.addTrack(v);
    s.addTrack(v);
    expect(s.getTracks()).to.deep.equal([a, v]);
    expect(s.getAudioTracks()).to.deep.equal([a]);
    expect(s.getVideoTracks()).to.deep.equal([v]);
    expect(s.getTrackById(v.id)).to.equal(v);
    expect(s.getTrackById('nope')).to.equal(null);
    expect(s.active).to.equal(true);
    s.removeTrack(a);
    expect(s.getTracks()).to.deep.equal([v]);
    v.stop();
    expect(s.active).to.equal(false);
    expect(events).to.deep.equal([]);
    expect(s.id).to.match(/^[0-9a-f-]{36}$/);
  });

  it('clones with new ids and cloned tracks; copies another stream', () => {
    const v = video().createTrack();
    const s = new MediaStream([v]);
    const c = s.clone();
    expect(c.id).to.not.equal(s.id);
    expect(c.getTracks()).to.have.length(1);
    expect(c.getTracks()[0]!.id).to.not.equal(v.id);
    const copy = new MediaStream(s);
    expect(copy.getTracks()).to.deep.equal([v]);
    expect(() => new MediaStream([{} as MediaStreamTrack])).to.throw(TypeError);
  });
});

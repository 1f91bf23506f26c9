import { expect } from 'chai';
import { MediaStream, MediaStreamTrackSource, type RTCTrackEvent } from '../src/index.js';
import { createPair, flush, negotiate, until } from './helpers/peers.js';

const audio = () => new MediaStreamTrackSource({ kind: 'audio' }).createTrack();
const video = () => new MediaStreamTrackSource({ kind: 'video' }).createTrack();

describe('remote tracks and streams (webrtc-pc §4.4.1.6)', function () {
  this.timeout(10000);

  it('fires track once per new remote track, with msid streams shared across tracks', async () => {
    const { a, b, close } = createPair();
    const s = new MediaStream();
    a.addTrack(audio(), s);
    a.addTrack(video(), s);
    const events: RTCTrackEvent[] = [];
    b.ontrack = (e) => events.push(e);
    await negotiate(a, b);
    expect(events).to.have.length(2);
    expect(events.map((e) => e.track.kind)).to.deep.equal(['audio', 'video']);
    expect(events[0]!.streams).to.have.length(1);
    expect(events[0]!.streams[0]).to.equal(events[1]!.streams[0]);
    expect(events[0]!.streams[0]!.id).to.equal(s.id);
    expect(events[0]!.streams[0]!.getTracks()).to.deep.equal([events[0]!.track, events[1]!.track]);
    expect(events[0]!.transceiver.receiver).to.equal(events[0]!.receiver);
    expect(events[0]!.receiver.track).to.equal(events[0]!.track);
    // Renegotiating with nothing new fires nothing.
    a.getTransceivers()[0]!.direction = 'sendrecv';
    await negotiate(a, b);
    await negotiate(b, a);
    expect(events).to.have.length(2);
    close();
  });

  it('fires addtrack on a remote stream when renegotiation adds a track to it', async () => {
    const { a, b, close } = createPair();
    const s = new MediaStream();
    a.addTrack(audio(), s);
    let remote: MediaStream | undefined;
    b.ontrack = (e) => { remote ??= e.streams[0]; };
    await negotiate(a, b);
    const added: string[] = [];
    remote!.onaddtrack = (e) => added.push(e.track.kind);
    const order: string[] = [];
    b.addEventListener('track', () => order.push('track'));
    remote!.addEventListener('addtrack', () => order.push('addtrack'));
    a.addTrack(video(), s);
    await negotiate(a, b);
    expect(added).to.deep.equal(['video']);
    expect(remote!.getTracks().map((t) => t.kind)).to.deep.equal(['audio', 'video']);
    expect(order).to.deep.equal(['addtrack', 'track']);
    close();
  });

  it('unmutes with RTP; fires mute then removetrack when the remote stops sending; track again when it resumes', async () => {
    const { a, b, close } = createPair();
    const s = new MediaStream();
    const src = new MediaStreamTrackSource({ kind: 'audio' });
    const sender = a.addTrack(src.createTrack(), s);
    let remote: MediaStream | undefined;
    let tracks = 0;
    b.ontrack = (e) => { tracks++; remote ??= e.streams[0]; };
    await negotiate(a, b);
    await until(() => b.connectionState === 'connected', 3000, 'connected');
    const remoteTrack = b.getReceivers()[0]!.track;
    const log: string[] = [];
    remoteTrack.onunmute = () => log.push('unmute');
    remoteTrack.onmute = () => log.push('mute');
    remote!.onremovetrack = () => log.push('removetrack');
    const rtp = Buffer.alloc(20);
    rtp[0] = 0x80; rtp[1] = 111;
    src.writeRtp(rtp);
    await until(() => !remoteTrack.muted, 3000, 'unmute');
    a.removeTrack(sender);
    await negotiate(a, b);
    expect(log).to.deep.equal(['unmute', 'mute', 'removetrack']);
    expect(remoteTrack.muted).to.equal(true);
    expect(remote!.getTracks()).to.deep.equal([]);
    expect(remoteTrack.readyState).to.equal('live');
    await sender.replaceTrack(audio());
    a.getTransceivers()[0]!.direction = 'sendrecv';
    sender.setStreams(s);
    await negotiate(a, b);
    expect(tracks).to.equal(2);
    expect(remote!.getTracks()).to.deep.equal([remoteTrack]);
    close();
  });

  it('stopping the transceiver removes the track from its streams and ends it; the m-line is then reused', async () => {
    const { a, b, close } = createPair();
    const s = new MediaStream();
    const t = a.addTransceiver(audio(), { streams: [s] });
    let remote: MediaStream | undefined;
    b.ontrack = (e) => { remote ??= e.streams[0]; };
    await negotiate(a, b);
    const remoteTrack = b.getReceivers()[0]!.track;
    let ended = 0;
    remoteTrack.onended = () => ended++;
    let localEnded = 0;
    t.receiver.track.onended = () => localEnded++;
    t.stop();
    expect(t.direction).to.equal('stopped');
    expect(t.currentDirection).to.not.equal('stopped');
    expect(t.receiver.track.readyState).to.equal('ended');
    expect(localEnded).to.equal(1);
    expect(t.mid).to.equal('0');
    await negotiate(a, b);
    expect(t.currentDirection).to.equal('stopped');
    expect(remote!.getTracks()).to.deep.equal([]);
    expect(remoteTrack.readyState).to.equal('ended');
    expect(ended).to.equal(1);
    // Stopped + rejected in both descriptions → removed from the set of transceivers.
    expect(a.getTransceivers()).to.deep.equal([]);
    expect(b.getTransceivers()).to.deep.equal([]);
    expect(a.localDescription!.sdp).to.match(/m=audio 0 /);
    // A new transceiver recycles the rejected m-line (RFC 8829 §5.2.2).
    a.addTransceiver('video');
    await negotiate(a, b);
    const lines = a.localDescription!.sdp.split('\r\n').filter((l) => l.startsWith('m='));
    expect(lines).to.have.length(1);
    expect(lines[0]).to.match(/^m=video 9 /);
    expect(a.getTransceivers()[0]!.mid).to.equal('1');
    close();
  });

  it('MediaStream.removeTrack by code fires nothing; a rollback of a remote offer removes what it added', async () => {
    const { a, b, close } = createPair();
    const s = new MediaStream();
    a.addTrack(audio(), s);
    let remote: MediaStream | undefined;
    b.ontrack = (e) => { remote ??= e.streams[0]; };
    await a.setLocalDescription();
    await b.setRemoteDescription(a.localDescription!);
    expect(b.getTransceivers()).to.have.length(1);
    let events = 0;
    remote!.onremovetrack = () => events++;
    await b.setRemoteDescription({ type: 'rollback' });
    expect(events).to.equal(1);
    expect(b.getTransceivers()).to.have.length(0);
    expect(b.signalingState).to.equal('stable');
    // By code: no event.
    const t = video();
    remote!.addTrack(t);
    remote!.removeTrack(t);
    expect(events).to.equal(1);
    await flush();
    close();
  });
});

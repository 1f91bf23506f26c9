import { expect } from 'chai';
import { parseSdp, getDirection, getMid, findAttributes, getBundleMids } from '@rivulet/sdp';
import { MediaStream, MediaStreamTrackSource, RTCPeerConnection, RTCSessionDescription } from '../src/index.js';
import { createPair, flush, negotiate, until } from './helpers/peers.js';

const audioTrack = () => new MediaStreamTrackSource({ kind: 'audio' }).createTrack();
const videoTrack = () => new MediaStreamTrackSource({ kind: 'video' }).createTrack();

describe('RTCPeerConnection signaling', function () {
  this.timeout(10000);

  it('offers audio+video+data with BUNDLE, rtcp-mux, msid and our codecs', async () => {
    const { a, close } = createPair();
    const stream = new MediaStream();
    a.addTrack(audioTrack(), stream);
    a.addTrack(videoTrack(), stream);
    a.createDataChannel('chat');
    const offer = await a.createOffer();
    expect(offer.type).to.equal('offer');
    const sdp = parseSdp(offer.sdp!);
    expect(sdp.media.map((m) => m.kind)).to.deep.equal(['audio', 'video', 'application']);
    expect(getBundleMids(sdp)).to.deep.equal(['0', '1', '2']);
    for (const m of sdp.media.slice(0, 2)) {
      expect(getDirection(m)).to.equal('sendrecv');
      expect(m.attributes.some((x) => x.name === 'rtcp-mux')).to.equal(true);
      expect(findAttributes(m.attributes, 'msid').map((x) => x.streamId)).to.deep.equal([stream.id]);
      expect(findAttributes(m.attributes, 'setup')[0]!.role).to.equal('actpass');
    }
    expect(findAttributes(sdp.media[0]!.attributes, 'rtpmap').map((r) => r.encodingName)).to.include.members(['opus', 'PCMU']);
    expect(findAttributes(sdp.media[1]!.attributes, 'rtpmap').map((r) => r.encodingName)).to.include.members(['VP8', 'H264', 'rtx']);
    expect(a.signalingState).to.equal('stable');
    close();
  });

  it('runs offer/answer through the states, with signalingstatechange in order', async () => {
    const { a, b, close } = createPair();
    a.addTrack(audioTrack());
    const states: string[] = [];
    a.onsignalingstatechange = () => states.push(`a:${a.signalingState}`);
    b.onsignalingstatechange = () => states.push(`b:${b.signalingState}`);
    const offer = await a.createOffer();
    await a.setLocalDescription(offer);
    expect(a.pendingLocalDescription?.type).to.equal('offer');
    expect(a.currentLocalDescription).to.equal(null);
    await b.setRemoteDescription(offer);
    expect(b.pendingRemoteDescription?.sdp).to.equal(offer.sdp);
    // addTrack reuses the transceiver the offer created (recvonly → sendrecv).
    const sender = b.addTrack(audioTrack());
    expect(b.getTransceivers()).to.have.length(1);
    expect(b.getTransceivers()[0]!.sender).to.equal(sender);
    expect(b.getTransceivers()[0]!.direction).to.equal('sendrecv');
    const answer = await b.createAnswer();
    await b.setLocalDescription(answer);
    expect(b.currentLocalDescription?.type).to.equal('answer');
    expect(b.currentRemoteDescription?.type).to.equal('offer');
    expect(b.pendingRemoteDescription).to.equal(null);
    await a.setRemoteDescription(answer);
    expect(a.currentRemoteDescription?.sdp).to.equal(answer.sdp);
    expect(a.currentLocalDescription?.type).to.equal('offer');
    expect(states).to.deep.equal(['a:have-local-offer', 'b:have-remote-offer', 'b:stable', 'a:stable']);
    const t = a.getTransceivers()[0]!;
    expect(t.mid).to.equal('0');
    expect(t.currentDirection).to.equal('sendrecv');
    expect(b.getTransceivers()[0]!.currentDirection).to.equal('sendrecv');
    close();
  });

  it('rejects calls in the wrong state with InvalidStateError', async () => {
    const pc = new RTCPeerConnection();
    await pc.createAnswer().then(() => expect.fail('resolved'), (e: DOMException) => expect(e.name).to.equal('InvalidStateError'));
    await pc.setLocalDescription({ type: 'answer', sdp: '' }).then(() => expect.fail('resolved'), (e: DOMException) => expect(e.name).to.equal('InvalidStateError'));
    await pc.setLocalDescription({ type: 'rollback' }).then(() => expect.fail('resolved'), (e: DOMException) => expect(e.name).to.equal('InvalidStateError'));
    await pc.setRemoteDescription({ type: 'answer', sdp: 'v=0\r\n' }).then(() => expect.fail('resolved'), (e: DOMException) => expect(e.name).to.equal('InvalidStateError'));
    pc.close();
  });

  it('rejects munged SDP with InvalidModificationError and bad types with TypeError', async () => {
    const pc = new RTCPeerConnection();
    pc.addTransceiver('audio');
    const offer = await pc.createOffer();
    await pc.setLocalDescription({ type: 'offer', sdp: offer.sdp!.replace('opus', 'OPUS') })
      .then(() => expect.fail('resolved'), (e: DOMException) => expect(e.name).to.equal('InvalidModificationError'));
    await pc.setRemoteDescription({ type: 'bogus' as 'offer', sdp: '' })
      .then(() => expect.fail('resolved'), (e: Error) => expect(e).to.be.instanceOf(TypeError));
    expect(() => new RTCSessionDescription({ type: 'nope' as 'offer' })).to.throw(TypeError);
    pc.close();
  });

  it('reports SDP syntax errors as RTCError sdp-syntax-error with the line number', async () => {
    const pc = new RTCPeerConnection();
    const err = await pc.setRemoteDescription({ type: 'offer', sdp: 'v=0\r\no=- 1 1 IN IP4\r\n' }).then(() => null, (e: unknown) => e);
    expect(err).to.be.instanceOf(DOMException);
    expect((err as DOMException).name).to.equal('OperationError');
    expect((err as { errorDetail: string }).errorDetail).to.equal('sdp-syntax-error');
    expect((err as { sdpLineNumber: number }).sdpLineNumber).to.equal(2);
    pc.close();
  });

  it('rejects remote content without ICE/DTLS/rtcp-mux with InvalidAccessError', async () => {
    const { a, b, close } = createPair();
    a.addTransceiver('audio');
    const offer = await a.createOffer();
    for (const strip of [/a=fingerprint:[^\r]*\r\n/g, /a=ice-ufrag:[^\r]*\r\n/g, /a=rtcp-mux\r\n/g]) {
      const err = await b.setRemoteDescription({ type: 'offer', sdp: offer.sdp!.replace(strip, '') }).then(() => null, (e: DOMException) => e);
      expect(err?.name, String(strip)).to.equal('InvalidAccessError');
    }
    expect(b.signalingState).to.equal('stable');
    close();
  });

  it('parameterless setLocalDescription creates the offer and the answer', async () => {
    const { a, b, close } = createPair();
    a.addTransceiver('video');
    await negotiate(a, b);
    expect(a.signalingState).to.equal('stable');
    expect(b.getTransceivers()).to.have.length(1);
    expect(b.getTransceivers()[0]!.mid).to.equal(a.getTransceivers()[0]!.mid);
    expect(b.getTransceivers()[0]!.currentDirection).to.equal('recvonly');
    expect(a.getTransceivers()[0]!.currentDirection).to.equal('sendonly');
    close();
  });

  it('resolves operations in call order (the operations chain)', async () => {
    const { a, close } = createPair();
    a.addTransceiver('audio');
    const order: string[] = [];
    const p1 = a.createOffer().then(() => order.push('offer1'));
    const p2 = a.setLocalDescription().then(() => order.push('sld'));
    const p3 = a.createOffer().then(() => order.push('offer2'));
    await Promise.all([p1, p2, p3]);
    expect(order).to.deep.equal(['offer1', 'sld', 'offer2']);
    close();
  });

  it('rolls back a local offer and an implicit rollback makes glare resolvable', async () => {
    const { a, b, close } = createPair();
    a.addTransceiver('audio');
    b.addTransceiver('video');
    a.createDataChannel('rolled');
    await a.setLocalDescription();
    expect(a.sctp).to.not.equal(null);
    await a.setLocalDescription({ type: 'rollback' });
    expect(a.sctp).to.equal(null);
    expect(a.signalingState).to.equal('stable');
    expect(a.pendingLocalDescription).to.equal(null);
    expect(a.getTransceivers()[0]!.mid).to.equal(null);
    // Glare: both offer; the polite side (a) accepts b's offer with an implicit rollback.
    await a.setLocalDescription();
    await b.setLocalDescription();
    const events: string[] = [];
    a.onsignalingstatechange = () => events.push(a.signalingState);
    await a.setRemoteDescription(b.localDescription!);
    expect(events).to.deep.equal(['stable', 'have-remote-offer']);
    await a.setLocalDescription();
    await b.setRemoteDescription(a.localDescription!);
    expect(a.signalingState).to.equal('stable');
    expect(b.signalingState).to.equal('stable');
    close();
  });

  it('close() is synchronous, final and fires no events', async () => {
    const { a, close } = createPair();
    const t = a.addTransceiver('audio');
    const dc = a.createDataChannel('x');
    let events = 0;
    for (const ev of ['signalingstatechange', 'connectionstatechange', 'iceconnectionstatechange', 'negotiationneeded']) a.addEventListener(ev, () => events++);
    dc.onclose = () => events++;
    a.close();
    expect(a.signalingState).to.equal('closed');
    expect(a.connectionState).to.equal('closed');
    expect(a.iceConnectionState).to.equal('closed');
    expect(t.currentDirection).to.equal('stopped');
    expect(dc.readyState).to.equal('closed');
    await a.createOffer().then(() => expect.fail('resolved'), (e: DOMException) => expect(e.name).to.equal('InvalidStateError'));
    expect(() => a.addTransceiver('audio')).to.throw(DOMException, /closed/);
    expect(() => a.createDataChannel('y')).to.throw(DOMException, /closed/);
    await flush();
    expect(events).to.equal(0);
    a.close();
    close();
  });

  it('connects the transports and reports connection states', async () => {
    const { a, b, close } = createPair();
    a.addTransceiver('audio');
    const seen: string[] = [];
    a.onconnectionstatechange = () => seen.push(a.connectionState);
    await negotiate(a, b);
    await until(() => a.connectionState === 'connected' && b.connectionState === 'connected', 3000, 'connected');
    expect(seen).to.deep.equal(['connecting', 'connected']);
    expect(a.iceConnectionState).to.equal('connected');
    const sender = a.getSenders()[0]!;
    expect(sender.transport?.state).to.equal('connected');
    expect(sender.transport?.iceTransport.state).to.equal('connected');
    expect(sender.transport?.iceTransport.role).to.equal('controlling');
    expect(b.getReceivers()[0]!.transport?.iceTransport.role).to.equal('controlled');
    expect(sender.transport?.getRemoteCertificates()).to.have.length(1);
    expect(getMid(parseSdp(a.localDescription!.sdp).media[0]!)).to.equal('0');
    close();
  });
});

describe('DTLS role negotiation (RFC 8842)', function () {
  this.timeout(10000);

  it('answers a=setup:active with passive and still connects; actpass with active', async () => {
    const { a, b, close } = createPair();
    a.addTransceiver('audio');
    await a.setLocalDescription();
    const offer = a.localDescription!.sdp;
    await b.setRemoteDescription({ type: 'offer', sdp: offer });
    const answer = await b.createAnswer();
    expect(answer.sdp).to.include('a=setup:active');
    await b.setRemoteDescription({ type: 'rollback' });
    // A peer that insists on being the DTLS client (offers active): we must answer passive.
    const c = createPair();
    c.a.addTransceiver('audio');
    await c.a.setLocalDescription();
    await c.b.setRemoteDescription({ type: 'offer', sdp: c.a.localDescription!.sdp.replace(/a=setup:actpass/g, 'a=setup:active') });
    await c.b.setLocalDescription();
    expect(c.b.localDescription!.sdp).to.include('a=setup:passive');
    expect(c.b.localDescription!.sdp).to.not.include('a=setup:active');
    close();
    c.close();
  });
});

describe('DTLS failure', function () {
  this.timeout(10000);

  it('a wrong remote fingerprint fails DTLS: RTCErrorEvent fingerprint-failure, then connectionState failed', async () => {
    const { a, b, close } = createPair();
    a.addTransceiver('audio');
    await a.setLocalDescription();
    const forged = a.localDescription!.sdp.replace(/(a=fingerprint:sha-256 )([0-9A-F]{2})/, (_m, p: string, h: string) => p + (h === '00' ? '11' : '00'));
    await b.setRemoteDescription({ type: 'offer', sdp: forged });
    await b.setLocalDescription();
    await a.setRemoteDescription(b.localDescription!);
    const dtls = b.getReceivers()[0]!.transport!;
    const events: string[] = [];
    dtls.onerror = (e) => events.push(`error:${e.error.errorDetail}`);
    dtls.onstatechange = () => events.push(`state:${dtls.state}`);
    await until(() => b.connectionState === 'failed', 3000, 'failed');
    expect(events).to.deep.equal(['state:connecting', 'error:fingerprint-failure', 'state:failed']);
    close();
  });
});

describe('bundle-only sections (RFC 8843 §6)', function () {
  this.timeout(10000);

  it('treats port 0 + a=bundle-only as a live bundled section, not a rejected one', async () => {
    const { a, b, close } = createPair();
    a.addTransceiver('audio');
    a.addTransceiver('video');
    await a.setLocalDescription();
    const sdp = a.localDescription!.sdp;
    const video = sdp.indexOf('m=video');
    const head = sdp.slice(0, video);
    const body = sdp.slice(video)
      .replace(/^m=video 9 /, 'm=video 0 ')
      .replace(/a=(ice-ufrag|ice-pwd|ice-options|fingerprint|setup|candidate|end-of-candidates)[^\r]*\r\n/g, '')
      .replace('a=mid:1\r\n', 'a=bundle-only\r\na=mid:1\r\n');
    await b.setRemoteDescription({ type: 'offer', sdp: head + body });
    expect(b.getTransceivers().map((t) => [t.receiver.track.kind, t.mid])).to.deep.equal([['audio', '0'], ['video', '1']]);
    const answer = await b.createAnswer();
    expect(answer.sdp).to.match(/m=video 9 /);
    expect(answer.sdp).to.include('a=group:BUNDLE 0 1');
    close();
  });
});

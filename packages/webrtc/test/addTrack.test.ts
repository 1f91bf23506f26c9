import { expect } from 'chai';
import { MediaStream, MediaStreamTrackSource, RTCPeerConnection } from '../src/index.js';
import { createPair, flush, negotiate } from './helpers/peers.js';

const audio = () => new MediaStreamTrackSource({ kind: 'audio' }).createTrack();
const video = () => new MediaStreamTrackSource({ kind: 'video' }).createTrack();

function expectDomError(fn: () => unknown, name: string): void {
  try {
    fn();
  } catch (e) {
    expect(e).to.be.instanceOf(DOMException);
    expect((e as DOMException).name).to.equal(name);
    return;
  }
  expect.fail(`expected ${name}`);
}

describe('addTrack / removeTrack (webrtc-pc §5.1)', function () {
  this.timeout(10000);

  it('throws InvalidStateError when closed', () => {
    const pc = new RTCPeerConnection();
    pc.close();
    expectDomError(() => pc.addTrack(audio()), 'InvalidStateError');
  });

  it('throws InvalidAccessError when the track already has a sender here', () => {
    const pc = new RTCPeerConnection();
    const t = audio();
    pc.addTrack(t);
    expectDomError(() => pc.addTrack(t), 'InvalidAccessError');
    // Another connection may send the same track.
    const other = new RTCPeerConnection();
    expect(other.addTrack(t).track).to.equal(t);
    pc.close();
    other.close();
  });

  it('creates sender, receiver (new remote track of the same kind) and a sendrecv transceiver', () => {
    const pc = new RTCPeerConnection();
    const t = video();
    const s = new MediaStream();
    const sender = pc.addTrack(t, s);
    const [tr] = pc.getTransceivers();
    expect(tr!.sender).to.equal(sender);
    expect(tr!.direction).to.equal('sendrecv');
    expect(tr!.receiver.track.kind).to.equal('video');
    expect(tr!.receiver.track).to.not.equal(t);
    expect(tr!.receiver.track.muted).to.equal(true);
    expect(sender.track!.id).to.equal(t.id); // the track's own id is never rewritten
    expect(pc.getSenders()).to.deep.equal([sender]);
    expect(pc.getReceivers()).to.deep.equal([tr!.receiver]);
    pc.close();
  });

  it('reuses a sender only when every criterion holds, and turns recvonly→sendrecv, inactive→sendonly', () => {
    const pc = new RTCPeerConnection();
    const r = pc.addTransceiver('audio', { direction: 'recvonly' });
    const i = pc.addTransceiver('video', { direction: 'inactive' });
    const sa = pc.addTrack(audio());
    const sv = pc.addTrack(video());
    expect(sa).to.equal(r.sender);
    expect(sv).to.equal(i.sender);
    expect(r.direction).to.equal('sendrecv');
    expect(i.direction).to.equal('sendonly');
    expect(pc.getTransceivers()).to.have.length(2);
    pc.close();
  });

  it('does not reuse when the sender already has a track', () => {
    const pc = new RTCPeerConnection();
    const t = pc.addTransceiver(audio(), { direction: 'recvonly' });
    const s = pc.addTrack(audio());
    expect(s).to.not.equal(t.sender);
    expect(pc.getTransceivers()).to.have.length(2);
    pc.close();
  });

  it('does not reuse a transceiver of another kind', () => {
    const pc = new RTCPeerConnection();
    const t = pc.addTransceiver('video', { direction: 'recvonly' });
    const s = pc.addTrack(audio());
    expect(s).to.not.equal(t.sender);
    expect(t.direction).to.equal('recvonly');
    pc.close();
  });

  it('does not reuse a stopping or stopped transceiver', () => {
    const pc = new RTCPeerConnection();
    const t = pc.addTransceiver('audio', { direction: 'recvonly' });
    t.stop();
    const s = pc.addTrack(audio());
    expect(s).to.not.equal(t.sender);
    expect(t.direction).to.equal('stopped');
    pc.close();
  });

  it('does not reuse a sender that was ever negotiated to send', async () => {
    const { a, b, close } = createPair();
    const sender = a.addTrack(audio());
    await negotiate(a, b);
    expect(a.getTransceivers()[0]!.currentDirection).to.equal('sendonly');
    a.removeTrack(sender);
    await negotiate(a, b);
    expect(a.getTransceivers()[0]!.currentDirection).to.equal('inactive');
    const again = a.addTrack(audio());
    expect(again).to.not.equal(sender);
    expect(a.getTransceivers()).to.have.length(2);
    close();
  });

  it('reuse sets the streams too', async () => {
    const pc = new RTCPeerConnection();
    pc.addTransceiver('audio', { direction: 'recvonly' });
    const s = new MediaStream();
    pc.addTrack(audio(), s);
    const offer = await pc.createOffer();
    expect(offer.sdp).to.include(`a=msid:${s.id} `);
    pc.close();
  });

  it('removeTrack: InvalidStateError when closed, InvalidAccessError for a foreign sender', () => {
    const pc = new RTCPeerConnection();
    const other = new RTCPeerConnection();
    const foreign = other.addTrack(audio());
    expectDomError(() => pc.removeTrack(foreign), 'InvalidAccessError');
    const mine = pc.addTrack(audio());
    pc.close();
    expectDomError(() => pc.removeTrack(mine), 'InvalidStateError');
    other.close();
  });

  it('removeTrack keeps the sender, nulls the track and downgrades the direction', async () => {
    const pc = new RTCPeerConnection();
    const s1 = pc.addTrack(audio());
    const t2 = pc.addTransceiver(video(), { direction: 'sendonly' });
    await flush();
    let fired = 0;
    pc.onnegotiationneeded = () => fired++;
    pc.removeTrack(s1);
    pc.removeTrack(t2.sender);
    expect(s1.track).to.equal(null);
    expect(pc.getSenders()).to.deep.equal([s1, t2.sender]);
    expect(pc.getTransceivers()[0]!.direction).to.equal('recvonly');
    expect(t2.direction).to.equal('inactive');
    // Nothing happens when the track is already null.
    pc.removeTrack(s1);
    expect(pc.getTransceivers()[0]!.direction).to.equal('recvonly');
    pc.close();
  });

  it('removeTrack fires negotiationneeded after a negotiation', async () => {
    const { a, b, close } = createPair();
    const sender = a.addTrack(audio());
    await negotiate(a, b);
    await flush();
    let fired = 0;
    a.onnegotiationneeded = () => fired++;
    a.removeTrack(sender);
    await flush();
    expect(fired).to.equal(1);
    close();
  });
});

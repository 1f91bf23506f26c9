import { expect } from 'chai';
import { MediaStream, MediaStreamTrackSource, RTCPeerConnection } from '../src/index.js';
import { createPair, flush, negotiate } from './helpers/peers.js';

const audio = () => new MediaStreamTrackSource({ kind: 'audio' }).createTrack();

describe('negotiationneeded (webrtc-pc §4.7.3)', function () {
  this.timeout(10000);

  it('fires once, in a later task, for several changes made together', async () => {
    const pc = new RTCPeerConnection();
    let fired = 0;
    pc.onnegotiationneeded = () => fired++;
    pc.addTrack(audio());
    pc.addTransceiver('video');
    pc.createDataChannel('a');
    pc.createDataChannel('b');
    expect(fired).to.equal(0); // queued, not synchronous
    await flush();
    expect(fired).to.equal(1);
    pc.close();
  });

  it('does not fire again once negotiation made it unnecessary', async () => {
    const { a, b, close } = createPair();
    let fired = 0;
    a.onnegotiationneeded = () => fired++;
    a.addTransceiver('audio');
    await flush();
    expect(fired).to.equal(1);
    await negotiate(a, b);
    await flush();
    expect(fired).to.equal(1);
    close();
  });

  it('is deferred while not stable and fires after returning to stable if still needed', async () => {
    const { a, b, close } = createPair();
    a.addTransceiver('audio');
    await flush();
    let fired = 0;
    a.onnegotiationneeded = () => fired++;
    await a.setLocalDescription();
    a.addTransceiver('video'); // made during have-local-offer
    await flush();
    expect(fired).to.equal(0);
    await b.setRemoteDescription(a.localDescription!);
    await b.setLocalDescription();
    await a.setRemoteDescription(b.localDescription!);
    await flush();
    expect(fired).to.equal(1);
    close();
  });

  it('fires for a direction change and not when the direction is set back before it runs', async () => {
    const { a, b, close } = createPair();
    const t = a.addTransceiver('audio');
    await negotiate(a, b);
    await flush();
    let fired = 0;
    a.onnegotiationneeded = () => fired++;
    t.direction = 'recvonly';
    t.direction = 'sendrecv';
    await flush();
    expect(fired).to.equal(0);
    t.direction = 'inactive';
    await flush();
    expect(fired).to.equal(1);
    close();
  });

  it('fires for setStreams, restartIce and transceiver.stop()', async () => {
    const { a, b, close } = createPair();
    const t = a.addTransceiver(audio());
    await negotiate(a, b);
    await flush();
    let fired = 0;
    a.onnegotiationneeded = () => fired++;
    t.sender.setStreams(new MediaStream());
    await flush();
    expect(fired).to.equal(1);
    await negotiate(a, b);
    await flush();
    a.restartIce();
    await flush();
    expect(fired).to.equal(2);
    const ufragBefore = /a=ice-ufrag:(\S+)/.exec(a.localDescription!.sdp)![1];
    await negotiate(a, b);
    const ufragAfter = /a=ice-ufrag:(\S+)/.exec(a.localDescription!.sdp)![1];
    expect(ufragAfter).to.not.equal(ufragBefore);
    await flush();
    t.stop();
    await flush();
    expect(fired).to.equal(3);
    close();
  });

  it('is not fired by replaceTrack (no renegotiation)', async () => {
    const { a, b, close } = createPair();
    const sender = a.addTrack(audio());
    await negotiate(a, b);
    await flush();
    let fired = 0;
    a.onnegotiationneeded = () => fired++;
    const offerBefore = a.localDescription!.sdp;
    await sender.replaceTrack(audio());
    await flush();
    expect(fired).to.equal(0);
    expect(a.localDescription!.sdp).to.equal(offerBefore);
    await sender.replaceTrack(new MediaStreamTrackSource({ kind: 'video' }).createTrack())
      .then(() => expect.fail('resolved'), (e: Error) => expect(e).to.be.instanceOf(TypeError));
    close();
  });

  it('lets the perfect-negotiation pattern converge under glare', async () => {
    const { a, b, close } = createPair();
    // The pattern from webrtc-pc §10.7, verbatim in spirit: polite b, impolite a.
    const wire = (pc: RTCPeerConnection, other: () => RTCPeerConnection, polite: boolean) => {
      let makingOffer = false;
      let ignoreOffer = false;
      pc.onnegotiationneeded = async () => {
        try {
          makingOffer = true;
          await pc.setLocalDescription();
          void signal(other(), pc.localDescription!.toJSON());
        } finally {
          makingOffer = false;
        }
      };
      return async (desc: { type: 'offer' | 'answer'; sdp?: string }) => {
        const collision = desc.type === 'offer' && (makingOffer || pc.signalingState !== 'stable');
        ignoreOffer = !polite && collision;
        if (ignoreOffer) return;
        await pc.setRemoteDescription(desc);
        if (desc.type === 'offer') {
          await pc.setLocalDescription();
          void signal(other(), pc.localDescription!.toJSON());
        }
      };
    };
    const handlers = new Map<RTCPeerConnection, (d: { type: 'offer' | 'answer'; sdp?: string }) => Promise<void>>();
    const signal = async (to: RTCPeerConnection, d: { type: string; sdp?: string }) => {
      await new Promise((r) => setTimeout(r, 1));
      await handlers.get(to)!(d as { type: 'offer' | 'answer' });
    };
    handlers.set(a, wire(a, () => b, false));
    handlers.set(b, wire(b, () => a, true));
    a.addTrack(audio());
    b.addTrack(audio());
    b.createDataChannel('x');
    const end = Date.now() + 5000;
    while (Date.now() < end) {
      await new Promise((r) => setTimeout(r, 10));
      const done = a.signalingState === 'stable' && b.signalingState === 'stable' &&
        a.getTransceivers().length === 1 && b.getTransceivers().length === 1 && b.sctp !== null &&
        a.getTransceivers().every((t) => t.currentDirection === 'sendrecv') &&
        b.getTransceivers().every((t) => t.currentDirection === 'sendrecv') && a.sctp !== null;
      if (done) break;
    }
    // b's addTrack transceiver was associated with a's audio m-section (JSEP §5.10), so one each.
    expect(a.getTransceivers().map((t) => t.currentDirection)).to.deep.equal(['sendrecv']);
    expect(b.getTransceivers().map((t) => t.currentDirection)).to.deep.equal(['sendrecv']);
    expect(a.getTransceivers()[0]!.mid).to.equal(b.getTransceivers()[0]!.mid);
    // b's data channel still needed its own negotiation, which b (polite) then led.
    expect(a.sctp).to.not.equal(null);
    expect(b.sctp).to.not.equal(null);
    expect(a.signalingState).to.equal('stable');
    expect(b.signalingState).to.equal('stable');
    close();
  });
});

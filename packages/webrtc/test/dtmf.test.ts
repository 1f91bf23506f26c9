import { expect } from 'chai';
import { FakeClock } from '@rivulet/common';
import { RtpPacket } from '@rivulet/rtp';
import { MediaStream, MediaStreamTrackSource, RTCPeerConnection, readTrack } from '../src/index.js';
import { createPair, negotiate, until } from './helpers/peers.js';

describe('RTCDTMFSender (webrtc-pc §7, RFC 4733)', function () {
  this.timeout(10000);

  it('exists on audio senders only and rejects bad calls', async () => {
    const pc = new RTCPeerConnection();
    const audio = pc.addTrack(new MediaStreamTrackSource({ kind: 'audio' }).createTrack());
    const video = pc.addTrack(new MediaStreamTrackSource({ kind: 'video' }).createTrack());
    expect(video.dtmf).to.equal(null);
    const dtmf = audio.dtmf!;
    expect(audio.dtmf).to.equal(dtmf);
    expect(dtmf.canInsertDTMF).to.equal(false);
    expect(dtmf.toneBuffer).to.equal('');
    // Not negotiated yet: currentDirection is null.
    expect(() => dtmf.insertDTMF('1')).to.throw(DOMException, /does not send/);
    pc.close();
  });

  it('plays tones as telephone-event packets with tonechange events, commas pausing 2 s', async () => {
    const clock = new FakeClock();
    const { a, b, close } = createPair({ rivulet: { clock } });
    const src = new MediaStreamTrackSource({ kind: 'audio' });
    const sender = a.addTrack(src.createTrack(), new MediaStream());
    const packets: RtpPacket[] = [];
    b.ontrack = (e) => readTrack(e.track, { rtp: (p) => packets.push(RtpPacket.parse(Buffer.from(p))) });
    await negotiate(a, b);
    await until(() => a.connectionState === 'connected', 3000, 'connected');
    const dtmf = sender.dtmf!;
    expect(dtmf.canInsertDTMF).to.equal(true);
    expect(() => dtmf.insertDTMF('1x')).to.throw(DOMException, /0-9 A-D/);
    const tones: string[] = [];
    dtmf.ontonechange = (e) => tones.push(e.tone);
    dtmf.insertDTMF('1,b', 100, 70);
    expect(dtmf.toneBuffer).to.equal('1,B');
    const te = sender.getParameters().codecs.find((c) => c.mimeType === 'audio/telephone-event' && c.clockRate === 48000)!;
    for (let i = 0; i < 60 && tones[tones.length - 1] !== ''; i++) {
      await clock.advanceAsync(50, 10);
      await new Promise((r) => setImmediate(r));
    }
    await until(() => packets.length >= 6, 3000, 'packets');
    expect(tones).to.deep.equal(['1', ',', 'B', '']);
    const events = packets.filter((p) => p.payloadType === te.payloadType);
    const first = events.filter((p) => p.payload[0] === 1);
    const second = events.filter((p) => p.payload[0] === 13);
    expect(first.length).to.be.at.least(4);
    expect(first[0]!.marker).to.equal(true);
    expect(first.slice(1).every((p) => !p.marker)).to.equal(true);
    expect(new Set(first.map((p) => p.timestamp)).size).to.equal(1);
    const ends = first.filter((p) => (p.payload[1]! & 0x80) !== 0);
    expect(ends).to.have.length(3);
    expect(ends.every((p) => p.payload.readUInt16BE(2) === 4800)).to.equal(true); // 100 ms at 48 kHz
    expect(second.length).to.be.at.least(4);
    expect(second[0]!.timestamp).to.not.equal(first[0]!.timestamp);
    expect(new Set(events.map((p) => p.ssrc)).size).to.equal(1);
    close();
  });
});

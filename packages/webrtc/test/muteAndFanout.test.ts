import { expect } from 'chai';
import { FakeClock } from '@rivulet/common';
import { MediaStream, MediaStreamTrackSource, readTrack } from '../src/index.js';
import { createPair, negotiate, until } from './helpers/peers.js';

describe('receiver mute with RTP flow, and one track to many connections', function () {
  this.timeout(10000);

  it('a remote track unmutes when RTP arrives and mutes after 3 s without (FakeClock)', async () => {
    const clock = new FakeClock();
    const { a, b, close } = createPair({ rivulet: { clock } });
    const src = new MediaStreamTrackSource({ kind: 'audio' });
    a.addTrack(src.createTrack(), new MediaStream());
    await negotiate(a, b);
    await until(() => b.connectionState === 'connected', 3000, 'connected');
    const track = b.getReceivers()[0]!.track;
    const events: string[] = [];
    track.onmute = () => events.push(`mute@${clock.now()}`);
    track.onunmute = () => events.push(`unmute@${clock.now()}`);
    const rtp = Buffer.alloc(20);
    rtp[0] = 0x80; rtp[1] = 111;
    src.writeRtp(rtp);
    await until(() => !track.muted, 3000, 'unmute');
    await clock.advanceAsync(2000, 100);
    expect(track.muted).to.equal(false);
    await clock.advanceAsync(2000, 100);
    expect(track.muted).to.equal(true);
    expect(events).to.have.length(2);
    expect(events[0]).to.equal('unmute@0');
    expect(Number(events[1]!.split('@')[1])).to.be.within(3000, 4000);
    close();
  });

  it('one local track feeds two peer connections, each with its own SSRC', async () => {
    const p1 = createPair();
    const p2 = createPair();
    const src = new MediaStreamTrackSource({ kind: 'video' });
    const track = src.createTrack();
    p1.a.addTrack(track, new MediaStream());
    p2.a.addTrack(track, new MediaStream());
    const got1: number[] = [];
    const got2: number[] = [];
    p1.b.ontrack = (e) => readTrack(e.track, { rtp: (p) => got1.push(Buffer.from(p).readUInt32BE(8)) });
    p2.b.ontrack = (e) => readTrack(e.track, { rtp: (p) => got2.push(Buffer.from(p).readUInt32BE(8)) });
    await negotiate(p1.a, p1.b);
    await negotiate(p2.a, p2.b);
    await until(() => p1.a.connectionState === 'connected' && p2.a.connectionState === 'connected', 3000, 'connected');
    for (let i = 0; i < 3; i++) {
      const rtp = Buffer.alloc(20);
      rtp[0] = 0x80; rtp[1] = 96; rtp.writeUInt16BE(i, 2);
      src.writeRtp(rtp);
    }
    await until(() => got1.length === 3 && got2.length === 3, 3000, 'both connections');
    expect(new Set(got1).size).to.equal(1);
    expect(new Set(got2).size).to.equal(1);
    expect(got1[0]).to.not.equal(got2[0]);
    p1.close();
    p2.close();
  });
});

import { expect } from 'chai';
import { RTCPeerConnection as WeriftPeerConnection, MediaStreamTrack as WeriftTrack, RtpPacket as WeriftRtp, RtpHeader } from 'werift';
import { MediaStream, MediaStreamTrackSource, RTCPeerConnection, readTrack, type RTCDataChannel, type MediaStreamTrack } from '../src/index.js';
import { transportState, until } from './helpers/peers.js';

/** Interop with werift's RTCPeerConnection (a TypeScript stack we did not write). */
describe('interop with werift', function () {
  this.timeout(30000);

  async function gathered(pc: RTCPeerConnection): Promise<void> {
    await until(() => pc.iceGatheringState === 'complete', 5000, 'gathering');
  }

  it('werift offers video + data; Rivulet answers; RTP from werift reaches the remote track, data both ways', async () => {
    const w = new WeriftPeerConnection({ iceAdditionalHostAddresses: ['127.0.0.1'], iceUseIpv6: false });
    const wTrack = new WeriftTrack({ kind: 'video' });
    w.addTransceiver(wTrack, { direction: 'sendonly' });
    const wdc = w.createDataChannel('from-werift');
    const back: string[] = [];
    wdc.onMessage.subscribe((m) => back.push(String(m)));
    await w.setLocalDescription(await w.createOffer());
    const pc = new RTCPeerConnection({ rivulet: { interfaceAddresses: ['127.0.0.1'] } });
    let remoteTrack: MediaStreamTrack | undefined;
    const rtp: Uint8Array[] = [];
    pc.ontrack = (e) => { remoteTrack = e.track; readTrack(e.track, { rtp: (p) => rtp.push(p) }); };
    let dc: RTCDataChannel | undefined;
    const got: string[] = [];
    pc.ondatachannel = (e) => { dc = e.channel; dc.onmessage = (m) => got.push(m.data as string); };
    await pc.setRemoteDescription({ type: 'offer', sdp: w.localDescription!.sdp });
    await pc.setLocalDescription();
    await gathered(pc);
    await w.setRemoteDescription({ type: 'answer', sdp: pc.localDescription!.sdp });
    await until(() => dc?.readyState === 'open', 15000, 'data channel open', () => transportState(pc));
    expect(remoteTrack?.kind).to.equal('video');
    const pt = Number(/m=video \d+ \S+ (\d+)/.exec(pc.localDescription!.sdp)![1]);
    for (let i = 0; i < 10 && rtp.length < 3; i++) {
      wTrack.writeRtp(new WeriftRtp(new RtpHeader({ payloadType: pt, sequenceNumber: 10 + i, timestamp: i * 3000, ssrc: 1234, marker: true }), Buffer.alloc(50, i)));
      await new Promise((r) => setTimeout(r, 20));
    }
    await until(() => rtp.length >= 3, 5000, 'RTP from werift');
    expect(remoteTrack!.muted).to.equal(false);
    wdc.send('hello');
    await until(() => got.length === 1, 5000, 'message from werift');
    dc!.send('hi werift');
    await until(() => back.length === 1, 5000, 'message to werift');
    expect([got, back]).to.deep.equal([['hello'], ['hi werift']]);
    pc.close();
    await w.close();
  });

  it('Rivulet offers audio; werift answers and receives our RTP', async () => {
    const pc = new RTCPeerConnection({ rivulet: { interfaceAddresses: ['127.0.0.1'] } });
    const src = new MediaStreamTrackSource({ kind: 'audio' });
    pc.addTrack(src.createTrack(), new MediaStream());
    await pc.setLocalDescription();
    await gathered(pc);
    const w = new WeriftPeerConnection({ iceAdditionalHostAddresses: ['127.0.0.1'], iceUseIpv6: false });
    const received: number[] = [];
    w.onTrack.subscribe((t) => t.onReceiveRtp.subscribe((p) => received.push(p.header.sequenceNumber)));
    await w.setRemoteDescription({ type: 'offer', sdp: pc.localDescription!.sdp });
    await w.setLocalDescription(await w.createAnswer());
    await pc.setRemoteDescription({ type: 'answer', sdp: w.localDescription!.sdp });
    await until(() => pc.connectionState === 'connected', 15000, 'connected', () => transportState(pc));
    for (let i = 0; i < 20 && received.length < 5; i++) {
      src.writeFrame({ data: new Uint8Array([0xf8, 0xff, 0xfe]), timestamp: i * 20_000 });
      await new Promise((r) => setTimeout(r, 20));
    }
    await until(() => received.length >= 5, 5000, 'RTP at werift');
    for (let i = 1; i < received.length; i++) expect((received[i]! - received[i - 1]! + 65536) % 65536).to.equal(1);
    pc.close();
    await w.close();
  });
});

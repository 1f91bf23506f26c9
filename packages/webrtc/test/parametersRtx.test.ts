import { expect } from 'chai';
import { MediaStream, MediaStreamTrackSource, RTCPeerConnection } from '../src/index.js';

describe('RTCRtpParameters.codecs lists RTX entries (webrtc-pc §5.2)', () => {
  it('sender and receiver list the media codec first and its rtx with apt, as negotiated in the answer', async () => {
    const a = new RTCPeerConnection();
    const b = new RTCPeerConnection();
    try {
      const src = new MediaStreamTrackSource({ kind: 'video', mimeType: 'video/VP8' });
      a.addTransceiver(src.createTrack(), { direction: 'sendonly', streams: [new MediaStream()] });
      await a.setLocalDescription();
      await b.setRemoteDescription(a.localDescription!);
      await b.setLocalDescription();
      await a.setRemoteDescription(b.localDescription!);
      const answer = b.localDescription!.sdp;
      const vp8 = Number(/a=rtpmap:(\d+) VP8\/90000/.exec(answer)![1]);
      const rtx = Number(new RegExp(`a=fmtp:(\\d+) apt=${vp8}\\r\\n`).exec(answer)![1]);
      for (const codecs of [b.getReceivers()[0]!.getParameters().codecs, a.getSenders()[0]!.getParameters().codecs]) {
        expect(codecs[0]).to.include({ mimeType: 'video/VP8', payloadType: vp8, clockRate: 90000 });
        expect(codecs.filter((c) => c.mimeType === 'video/rtx')).to.deep.include({
          payloadType: rtx, mimeType: 'video/rtx', clockRate: 90000, sdpFmtpLine: `apt=${vp8}`,
        });
        // Every rtx entry names a media codec of the same list.
        for (const r of codecs.filter((c) => c.mimeType === 'video/rtx')) {
          expect(codecs.some((c) => `apt=${c.payloadType}` === r.sdpFmtpLine && c.mimeType !== 'video/rtx')).to.equal(true);
        }
      }
    } finally {
      a.close();
      b.close();
    }
  });
});

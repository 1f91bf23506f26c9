import { expect } from 'chai';
import { installWebRtcGlobals, RTCPeerConnection, MediaStream } from '../src/index.js';

describe('installWebRtcGlobals', () => {
  it('installs the W3C constructors on globalThis so browser-style code runs without imports', async () => {
    const g = globalThis as Record<string, unknown>;
    const before = g['RTCPeerConnection'];
    try {
      const installed = installWebRtcGlobals();
      expect(installed).to.include.members(['RTCPeerConnection', 'RTCSessionDescription', 'RTCIceCandidate', 'MediaStream']);
      expect(g['RTCPeerConnection']).to.equal(RTCPeerConnection);
      // Browser-style code: no imports.
      const Pc = g['RTCPeerConnection'] as typeof RTCPeerConnection;
      const pc = new Pc();
      pc.addTransceiver('audio');
      const offer = await pc.createOffer();
      expect(offer.sdp).to.match(/^v=0\r\n/);
      pc.close();
      expect(installWebRtcGlobals()).to.deep.equal([]); // already there: nothing overwritten
      expect(g['MediaStream']).to.equal(MediaStream);
    } finally {
      if (before === undefined) {
        for (const n of ['RTCPeerConnection', 'RTCSessionDescription', 'RTCIceCandidate', 'RTCRtpTransceiver', 'RTCRtpSender', 'RTCRtpReceiver', 'RTCDataChannel', 'RTCDataChannelEvent', 'RTCTrackEvent', 'RTCPeerConnectionIceEvent', 'RTCPeerConnectionIceErrorEvent', 'RTCError', 'RTCErrorEvent', 'RTCCertificate', 'RTCStatsReport', 'RTCIceTransport', 'RTCDtlsTransport', 'RTCSctpTransport', 'MediaStream', 'MediaStreamTrack', 'MediaStreamTrackEvent', 'RTCDTMFSender', 'RTCDTMFToneChangeEvent']) delete g[n];
      }
    }
  });
});

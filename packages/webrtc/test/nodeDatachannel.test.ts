import { expect } from 'chai';
import ndc from 'node-datachannel';
import { RTCPeerConnection, type RTCDataChannel } from '../src/index.js';
import { transportState, until } from './helpers/peers.js';

/** Interop with libdatachannel (node-datachannel, a native stack we did not write), both offer directions. */
describe('interop with node-datachannel (libdatachannel)', function () {
  this.timeout(30000);
  // No ndc.cleanup() here: it tears libdatachannel down for the whole process, and later test files
  // in the same mocha run still use it (calling into it after cleanup segfaults).

  it('libdatachannel offers a data channel; Rivulet answers; messages both ways', async () => {
    const peer = new ndc.PeerConnection('ldc-offerer', { iceServers: [], bindAddress: '127.0.0.1' });
    const pc = new RTCPeerConnection({ rivulet: { interfaceAddresses: ['127.0.0.1'] } });
    pc.onicecandidate = (e) => { if (e.candidate?.candidate) peer.addRemoteCandidate(e.candidate.candidate, e.candidate.sdpMid ?? '0'); };
    peer.onLocalCandidate((candidate, mid) => { void pc.addIceCandidate({ candidate, sdpMid: mid }).catch(() => {}); });
    peer.onLocalDescription((sdp, type) => {
      void (async () => {
        await pc.setRemoteDescription({ type: type.toLowerCase() as 'offer', sdp });
        await pc.setLocalDescription();
        peer.setRemoteDescription(pc.localDescription!.sdp, 'answer' as never);
      })();
    });
    let channel: RTCDataChannel | undefined;
    const got: string[] = [];
    pc.ondatachannel = (e) => { channel = e.channel; channel.onmessage = (m) => got.push(m.data as string); };
    const dc = peer.createDataChannel('from-ldc');
    const back: string[] = [];
    dc.onMessage((m) => back.push(String(m)));
    let ldcOpen = false;
    dc.onOpen(() => { ldcOpen = true; dc.sendMessage('hi rivulet'); });
    await until(() => channel?.readyState === 'open' && ldcOpen, 15000, 'channel open', () => transportState(pc));
    await until(() => got.length === 1, 5000, 'message from libdatachannel');
    expect(got).to.deep.equal(['hi rivulet']);
    expect(channel!.label).to.equal('from-ldc');
    channel!.send('hi libdatachannel');
    await until(() => back.length === 1, 5000, 'message to libdatachannel');
    expect(back).to.deep.equal(['hi libdatachannel']);
    dc.close();
    peer.close();
    pc.close();
  });

  it('Rivulet offers; libdatachannel answers; binary and text both ways', async () => {
    const peer = new ndc.PeerConnection('ldc-answerer', { iceServers: [], bindAddress: '127.0.0.1' });
    const pc = new RTCPeerConnection({ rivulet: { interfaceAddresses: ['127.0.0.1'] } });
    pc.onicecandidate = (e) => { if (e.candidate?.candidate) peer.addRemoteCandidate(e.candidate.candidate, e.candidate.sdpMid ?? '0'); };
    peer.onLocalCandidate((candidate, mid) => { void pc.addIceCandidate({ candidate, sdpMid: mid }).catch(() => {}); });
    peer.onLocalDescription((sdp, type) => { void pc.setRemoteDescription({ type: type.toLowerCase() as 'answer', sdp }); });
    const received: (string | Buffer | ArrayBuffer)[] = [];
    peer.onDataChannel((ch) => {
      ch.onMessage((m) => { received.push(m); if (typeof m === 'string') ch.sendMessage(`echo:${m}`); });
    });
    const dc = pc.createDataChannel('from-rivulet');
    const echoes: string[] = [];
    dc.onmessage = (m) => echoes.push(m.data as string);
    await pc.setLocalDescription();
    peer.setRemoteDescription(pc.localDescription!.sdp, 'offer' as never);
    await until(() => dc.readyState === 'open', 15000, 'channel open', () => transportState(pc));
    dc.send(new Uint8Array([7, 8, 9]));
    dc.send('ping');
    await until(() => echoes.length === 1 && received.length === 2, 5000, 'exchange');
    expect(echoes).to.deep.equal(['echo:ping']);
    expect([...new Uint8Array(received[0] as Buffer)]).to.deep.equal([7, 8, 9]);
    peer.close();
    pc.close();
  });
});

import ndc from 'node-datachannel';
import { RTCPeerConnection, type RTCDataChannel } from '@rivulet/webrtc';
import { until } from './wait.js';

// Moved to their own modules; re-exported for the node-datachannel tests that import them from here.
export { pattern, text } from './dataMessages.js';
export { until } from './wait.js';

/**
 * A Rivulet RTCPeerConnection wired to a node-datachannel (libdatachannel, usrsctp) native
 * PeerConnection in the same process on 127.0.0.1, trickling candidates both ways.
 *
 * libdatachannel refuses to create an offer without a data channel or track, so the offering
 * side opens one channel labelled 'boot' (id chosen by the stack); the pair is returned once that
 * channel is open on both sides, i.e. ICE, DTLS, SCTP and DCEP all completed. Tests then open
 * their own channels from either side on the established association.
 */
export type Offerer = 'rivulet' | 'node-datachannel';

export interface NdcPair {
  pc: RTCPeerConnection;
  peer: ndc.PeerConnection;
  /** Channels node-datachannel received from Rivulet (its onDataChannel), in arrival order. */
  peerChannels: ndc.DataChannel[];
  /** Channels Rivulet received from node-datachannel (ondatachannel), in arrival order. */
  pcChannels: RTCDataChannel[];
  close(): void;
}

export interface NdcPairOptions {
  offerer: Offerer;
  /** node-datachannel's a=max-message-size (its RtcConfig.maxMessageSize); default 262144. */
  peerMaxMessageSize?: number;
  timeoutMs?: number;
}

export async function connectNodeDatachannel(options: NdcPairOptions): Promise<NdcPair> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const pc = new RTCPeerConnection({ rivulet: { interfaceAddresses: ['127.0.0.1'] } });
  const peer = new ndc.PeerConnection('rivulet-e2e', {
    iceServers: [],
    bindAddress: '127.0.0.1',
    maxMessageSize: options.peerMaxMessageSize ?? 262144,
  });
  const peerChannels: ndc.DataChannel[] = [];
  const pcChannels: RTCDataChannel[] = [];
  const errors: unknown[] = [];
  peer.onDataChannel((dc) => peerChannels.push(dc));
  pc.ondatachannel = (e) => pcChannels.push(e.channel);
  pc.onicecandidate = (e) => {
    if (e.candidate?.candidate) peer.addRemoteCandidate(e.candidate.candidate, e.candidate.sdpMid ?? '0');
  };
  // node-datachannel delivers each callback type through its own thread-safe function, so a
  // candidate can reach us before the description it belongs to: hold them until that is applied.
  let pending: { candidate: string; sdpMid: string }[] | undefined = [];
  const addCandidate = (c: { candidate: string; sdpMid: string }): void => {
    pc.addIceCandidate(c).catch((err: unknown) => errors.push(err));
  };
  peer.onLocalCandidate((candidate, mid) => {
    if (pending) pending.push({ candidate, sdpMid: mid });
    else addCandidate({ candidate, sdpMid: mid });
  });
  peer.onLocalDescription((sdp, type) => {
    const t = type.toLowerCase();
    if (t !== 'offer' && t !== 'answer') return;
    void (async () => {
      await pc.setRemoteDescription({ sdp, type: t });
      const held = pending ?? [];
      pending = undefined;
      held.forEach(addCandidate);
      if (t === 'offer') {
        await pc.setLocalDescription();
        peer.setRemoteDescription(pc.localDescription!.sdp, 'answer');
      }
    })().catch((err: unknown) => errors.push(err));
  });
  const close = (): void => {
    pc.close();
    peer.close();
  };
  try {
    if (options.offerer === 'node-datachannel') {
      const boot = peer.createDataChannel('boot');
      let open = false;
      boot.onOpen(() => { open = true; });
      await until(() => errors.length > 0 || (open && pcChannels[0]?.readyState === 'open'), timeoutMs, 'boot channel open (node-datachannel offers)');
    } else {
      const boot = pc.createDataChannel('boot');
      await pc.setLocalDescription();
      peer.setRemoteDescription(pc.localDescription!.sdp, 'offer');
      await until(() => errors.length > 0 || (boot.readyState === 'open' && peerChannels[0]?.isOpen() === true), timeoutMs, 'boot channel open (Rivulet offers)');
    }
    if (errors.length > 0) throw errors[0];
  } catch (err) {
    close();
    throw err;
  }
  // The boot channel is not part of what the tests count.
  peerChannels.length = 0;
  pcChannels.length = 0;
  return { pc, peer, peerChannels, pcChannels, close };
}

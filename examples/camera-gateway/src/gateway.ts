import { randomUUID } from 'node:crypto';
import { RTCPeerConnection, RTCRtpReceiver, type MediaStream, type RTCConfiguration, type RTCRtpTransceiver } from '@rivulet/webrtc';

export interface ViewerSession {
  id: string;
  pc: RTCPeerConnection;
  createdAt: number;
}

/**
 * One captured stream, any number of viewers. Each viewer is a peer
 * connection that answers the viewer's WHEP offer, written exactly as
 * browser code would be: setRemoteDescription(offer), addTrack for each
 * track (which reuses the recvonly transceivers the offer created), answer.
 */
export class CameraGateway {
  readonly sessions = new Map<string, ViewerSession>();

  /**
   * @param codecs the mime types the captured tracks are encoded in (e.g.
   *   { video: 'video/H264', audio: 'audio/opus' }): the capture is encoded
   *   once, so each viewer must receive exactly that codec.
   */
  constructor(
    private readonly stream: MediaStream,
    private readonly codecs: Record<string, string>,
    private readonly configuration: RTCConfiguration = {},
    private readonly maxViewers = 32,
  ) {}

  /** Answers a WHEP offer; returns the session id and the SDP answer (all candidates included). */
  async answer(offerSdp: string): Promise<{ id: string; sdp: string }> {
    if (this.sessions.size >= this.maxViewers) throw new Error(`too many viewers (limit ${this.maxViewers})`);
    const pc = new RTCPeerConnection(this.configuration);
    const id = randomUUID();
    try {
      await pc.setRemoteDescription({ type: 'offer', sdp: offerSdp });
      for (const track of this.stream.getTracks()) pc.addTrack(track, this.stream);
      for (const t of pc.getTransceivers()) preferCodec(t, this.codecs[t.receiver.track.kind]);
      await pc.setLocalDescription(await pc.createAnswer());
      await gatheringComplete(pc, 3000);
    } catch (err) {
      pc.close();
      throw err;
    }
    this.sessions.set(id, { id, pc, createdAt: Date.now() });
    pc.addEventListener('connectionstatechange', () => {
      if (pc.connectionState === 'failed' || pc.connectionState === 'closed') this.end(id);
    });
    return { id, sdp: pc.localDescription!.sdp };
  }

  end(id: string): boolean {
    const s = this.sessions.get(id);
    if (!s) return false;
    this.sessions.delete(id);
    s.pc.close();
    return true;
  }

  close(): void {
    for (const id of [...this.sessions.keys()]) this.end(id);
  }
}

/**
 * Puts the codec our capture is encoded in (and its retransmission codec)
 * first, with the same call a browser application would use
 * (webrtc-pc §5.4 setCodecPreferences), so the answer picks it.
 */
function preferCodec(t: RTCRtpTransceiver, mimeType: string | undefined): void {
  if (!mimeType) return;
  const caps = RTCRtpReceiver.getCapabilities(t.receiver.track.kind);
  if (!caps) return;
  const wanted = caps.codecs.filter((c) => c.mimeType.toLowerCase() === mimeType.toLowerCase());
  if (wanted.length === 0) return;
  const resilience = caps.codecs.filter((c) => /\/(rtx|red|ulpfec)$/i.test(c.mimeType));
  t.setCodecPreferences([...wanted, ...resilience]);
}

function gatheringComplete(pc: RTCPeerConnection, maxMs: number): Promise<void> {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, maxMs);
    pc.addEventListener('icegatheringstatechange', () => {
      if (pc.iceGatheringState === 'complete') {
        clearTimeout(timer);
        resolve();
      }
    });
  });
}

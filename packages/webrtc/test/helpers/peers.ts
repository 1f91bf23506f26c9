import { RTCPeerConnection, type RTCConfiguration, type RTCDataChannel } from '../../src/index.js';
import { linkedFactories, type LinkedBundle } from './linkedBundles.js';

export interface Pair {
  a: RTCPeerConnection;
  b: RTCPeerConnection;
  bundles: { a?: LinkedBundle; b?: LinkedBundle };
  close(): void;
}

export function createPair(config: RTCConfiguration = {}): Pair {
  const f = linkedFactories();
  const a = new RTCPeerConnection({ ...config, rivulet: { ...(config.rivulet ?? {}), transportFactory: f.a } });
  const b = new RTCPeerConnection({ ...config, rivulet: { ...(config.rivulet ?? {}), transportFactory: f.b } });
  return { a, b, bundles: f.bundles, close: () => { a.close(); b.close(); } };
}

/** One full offer/answer from `offerer` to `answerer` with parameterless setLocalDescription. */
export async function negotiate(offerer: RTCPeerConnection, answerer: RTCPeerConnection): Promise<void> {
  await offerer.setLocalDescription();
  await answerer.setRemoteDescription(offerer.localDescription!);
  await answerer.setLocalDescription();
  await offerer.setRemoteDescription(answerer.localDescription!);
}

/** Resolves when `cond()` holds, polling every few ms; rejects after `ms`. */
export async function until(cond: () => boolean, ms = 3000, what = 'condition', diag?: () => string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}${diag ? ` (${diag()})` : ''}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** Lets queued tasks (setImmediate) run. */
export async function flush(n = 5): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
}

/** One line of transport state for timeout messages. */
export function transportState(pc: RTCPeerConnection): string {
  const t = pc.sctp?.transport ?? pc.getSenders()[0]?.transport ?? pc.getReceivers()[0]?.transport;
  return `signaling ${pc.signalingState}, ice ${pc.iceConnectionState}, gathering ${pc.iceGatheringState}, dtls ${t?.state ?? 'none'}, sctp ${pc.sctp?.state ?? 'none'}, connection ${pc.connectionState}`;
}

/**
 * Two peer connections on the real stack (127.0.0.1, trickle ICE between them) with one data
 * channel from `a`, open on both sides. Close both with `close()`.
 */
export async function openRealChannel(label = 'x'): Promise<{ a: RTCPeerConnection; b: RTCPeerConnection; dc: RTCDataChannel; remote: RTCDataChannel; close(): void }> {
  const cfg = { rivulet: { interfaceAddresses: ['127.0.0.1'] } };
  const a = new RTCPeerConnection(cfg);
  const b = new RTCPeerConnection(cfg);
  a.onicecandidate = (e) => { if (e.candidate?.candidate) void b.addIceCandidate(e.candidate); };
  b.onicecandidate = (e) => { if (e.candidate?.candidate) void a.addIceCandidate(e.candidate); };
  const dc = a.createDataChannel(label);
  let remote: RTCDataChannel | undefined;
  b.ondatachannel = (e) => { remote = e.channel; };
  const close = () => { a.close(); b.close(); };
  try {
    await a.setLocalDescription();
    await b.setRemoteDescription(a.localDescription!);
    await b.setLocalDescription();
    await a.setRemoteDescription(b.localDescription!);
    await until(() => dc.readyState === 'open' && remote?.readyState === 'open', 10000, 'open');
  } catch (err) {
    close();
    throw err;
  }
  return { a, b, dc, remote: remote!, close };
}

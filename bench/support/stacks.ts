/**
 * One small interface over the three WebRTC stacks the data-channel benchmarks compare, so each
 * benchmark runs the same steps on each:
 *
 * - rivulet: RTCPeerConnection from @rivulet/webrtc (ours), bound to 127.0.0.1.
 * - rivulet-precert: the same with a certificate made beforehand by the standard
 *   RTCPeerConnection.generateCertificate() and passed in RTCConfiguration.certificates (a fresh
 *   one per connection, generated outside the timed region: shows the cost of generation).
 * - node-datachannel: libdatachannel's native PeerConnection API (C++, usrsctp), bound to 127.0.0.1.
 * - node-datachannel-polyfill: node-datachannel's W3C RTCPeerConnection polyfill (pc-connect).
 * - werift: werift's RTCPeerConnection (pure TypeScript).
 *
 * Signalling is non-trickle for every stack: the offer and the answer are exchanged once gathering
 * is complete, as SDP strings (so they can cross a process boundary unchanged).
 */
import { RTCPeerConnection as RivuletPeerConnection, type RTCCertificate } from '@rivulet/webrtc';

export type StackName = 'rivulet' | 'rivulet-precert' | 'node-datachannel' | 'node-datachannel-polyfill' | 'werift';
export const STACKS: readonly StackName[] = ['rivulet', 'rivulet-precert', 'node-datachannel', 'node-datachannel-polyfill', 'werift'];

/** An open, ordered, reliable data channel. Received payloads are reported by byte count. */
export interface BenchChannel {
  send(data: Uint8Array): void;
  bufferedAmount(): number;
  /** Sets bufferedAmountLowThreshold and calls `cb` on each bufferedamountlow. */
  onLow(threshold: number, cb: () => void): void;
  onMessage(cb: (bytes: number) => void): void;
}

export interface BenchPeer {
  readonly stack: StackName;
  /** Offerer: creates the data channel 'bench', gathers, returns the offer SDP. */
  offer(): Promise<string>;
  /** Answerer: applies the offer, gathers, returns the answer SDP. */
  answer(offerSdp: string): Promise<string>;
  /** Offerer: applies the answer. */
  accept(answerSdp: string): Promise<void>;
  /** The data channel (created here or received), once it is open. */
  channel(): Promise<BenchChannel>;
  close(): void;
}

export async function waitFor(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 1));
  }
}

/** The W3C subset Rivulet, the node-datachannel polyfill and (mostly) werift share. */
interface W3cChannel {
  readyState: string;
  bufferedAmount: number;
  bufferedAmountLowThreshold: number;
  binaryType: string;
  send(d: Uint8Array): void;
  onopen: (() => void) | null;
  onmessage: ((e: { data: unknown }) => void) | null;
  onbufferedamountlow: (() => void) | null;
}
interface W3cPeer {
  createDataChannel(label: string): unknown;
  createOffer(): Promise<{ type: string; sdp?: string }>;
  createAnswer(): Promise<{ type: string; sdp?: string }>;
  setLocalDescription(d: { type: string; sdp?: string }): Promise<unknown>;
  setRemoteDescription(d: { type: 'offer' | 'answer'; sdp: string }): Promise<unknown>;
  readonly localDescription: { sdp: string } | null | undefined;
  readonly iceGatheringState: string;
  ondatachannel: ((e: { channel: unknown }) => void) | null;
  close(): unknown;
}

const sizeOf = (d: unknown): number =>
  typeof d === 'string' ? Buffer.byteLength(d) : d instanceof ArrayBuffer ? d.byteLength : ArrayBuffer.isView(d) ? d.byteLength : 0;

function w3cChannel(c: W3cChannel): BenchChannel {
  c.binaryType = 'arraybuffer';
  return {
    send: (d) => c.send(d),
    bufferedAmount: () => c.bufferedAmount,
    onLow: (t, cb) => {
      c.bufferedAmountLowThreshold = t;
      c.onbufferedamountlow = cb;
    },
    onMessage: (cb) => { c.onmessage = (e) => cb(sizeOf(e.data)); },
  };
}

/** Rivulet and the node-datachannel polyfill: plain W3C. */
function w3cPeer(stack: StackName, pc: W3cPeer): BenchPeer {
  let local: W3cChannel | undefined;
  let remote: W3cChannel | undefined;
  pc.ondatachannel = (e) => { remote = e.channel as W3cChannel; };
  const gathered = () => waitFor(() => pc.iceGatheringState === 'complete', 5000, `${stack} gathering`);
  return {
    stack,
    async offer() {
      local = pc.createDataChannel('bench') as W3cChannel;
      await pc.setLocalDescription(await pc.createOffer());
      await gathered();
      return pc.localDescription!.sdp;
    },
    async answer(sdp) {
      await pc.setRemoteDescription({ type: 'offer', sdp });
      await pc.setLocalDescription(await pc.createAnswer());
      await gathered();
      return pc.localDescription!.sdp;
    },
    async accept(sdp) { await pc.setRemoteDescription({ type: 'answer', sdp }); },
    async channel() {
      await waitFor(() => (local ?? remote)?.readyState === 'open', 15_000, `${stack} data channel open`);
      return w3cChannel((local ?? remote)!);
    },
    close: () => { pc.close(); },
  };
}

export function rivuletPeer(certificate?: RTCCertificate): BenchPeer {
  // RIVULET_BENCH_PLPMTUD=off: SCTP stays at its 1 200-byte base packets (RFC 8899 PLPMTUD off),
  // for measuring per-packet costs; =full: the peer (Rivulet) is configured as taking whole 2^14-byte
  // DTLS records (rivulet.sctp.peerMaxDatagram); unset: defaults, where the Rivulet peer announces the
  // same (docs/sctp.md), so both give 16 384-byte packets on loopback. The child process inherits it.
  const mode = process.env['RIVULET_BENCH_PLPMTUD'];
  const sctp = mode === 'off' ? { plpmtud: false } : mode === 'full' ? { peerMaxDatagram: 16384 + 64 } : undefined;
  const pc = new RivuletPeerConnection({
    rivulet: { interfaceAddresses: ['127.0.0.1'], ...(sctp ? { sctp } : {}) },
    ...(certificate ? { certificates: [certificate] } : {}),
  });
  return w3cPeer(certificate ? 'rivulet-precert' : 'rivulet', pc as unknown as W3cPeer);
}

/** A certificate made ahead of time (ECDSA P-256, what Rivulet generates itself). */
export function precert(): Promise<RTCCertificate> {
  return RivuletPeerConnection.generateCertificate({ name: 'ECDSA', namedCurve: 'P-256' });
}

export async function ndcPolyfillPeer(): Promise<BenchPeer> {
  const { RTCPeerConnection } = await import('node-datachannel/polyfill');
  // The polyfill's typings omit iceServers from its configuration type; it accepts the W3C field.
  const pc = new RTCPeerConnection({ iceServers: [] } as ConstructorParameters<typeof RTCPeerConnection>[0]);
  return w3cPeer('node-datachannel-polyfill', pc as unknown as W3cPeer);
}

export async function ndcNativePeer(): Promise<BenchPeer> {
  const ndc = (await import('node-datachannel')).default;
  const pc = new ndc.PeerConnection('bench', { iceServers: [], bindAddress: '127.0.0.1', maxMessageSize: 262144 });
  let dc: import('node-datachannel').DataChannel | undefined;
  let open = false;
  let gathering = 'new';
  pc.onGatheringStateChange((s) => { gathering = s; });
  pc.onDataChannel((c) => { dc = c; open = c.isOpen(); c.onOpen(() => { open = true; }); });
  const gathered = async (): Promise<string> => {
    await waitFor(() => gathering === 'complete' && pc.localDescription() !== null, 5000, 'node-datachannel gathering');
    return pc.localDescription()!.sdp;
  };
  return {
    stack: 'node-datachannel',
    async offer() {
      dc = pc.createDataChannel('bench');
      dc.onOpen(() => { open = true; });
      return gathered();
    },
    async answer(sdp) {
      pc.setRemoteDescription(sdp, 'offer');
      return gathered();
    },
    async accept(sdp) { pc.setRemoteDescription(sdp, 'answer'); },
    async channel() {
      await waitFor(() => open, 15_000, 'node-datachannel data channel open');
      const c = dc!;
      return {
        send: (d) => { c.sendMessageBinary(d); },
        bufferedAmount: () => c.bufferedAmount(),
        onLow: (t, cb) => {
          c.setBufferedAmountLowThreshold(t);
          c.onBufferedAmountLow(cb);
        },
        onMessage: (cb) => c.onMessage((m) => cb(sizeOf(m))),
      };
    },
    close: () => { pc.close(); },
  };
}

export async function weriftPeer(): Promise<BenchPeer> {
  const w = await import('werift');
  const pc = new w.RTCPeerConnection({ iceAdditionalHostAddresses: ['127.0.0.1'], iceUseIpv6: false });
  let dc: import('werift').RTCDataChannel | undefined;
  pc.onDataChannel.subscribe((c) => { dc = c; });
  const gathered = () => waitFor(() => pc.iceGatheringState === 'complete', 5000, 'werift gathering');
  return {
    stack: 'werift',
    async offer() {
      dc = pc.createDataChannel('bench');
      await pc.setLocalDescription(await pc.createOffer());
      await gathered();
      return pc.localDescription!.sdp;
    },
    async answer(sdp) {
      await pc.setRemoteDescription({ type: 'offer', sdp });
      await pc.setLocalDescription(await pc.createAnswer());
      await gathered();
      return pc.localDescription!.sdp;
    },
    async accept(sdp) { await pc.setRemoteDescription({ type: 'answer', sdp }); },
    async channel() {
      await waitFor(() => dc?.readyState === 'open', 15_000, 'werift data channel open');
      const c = dc!;
      return {
        send: (d) => c.send(Buffer.from(d.buffer, d.byteOffset, d.byteLength)),
        bufferedAmount: () => c.bufferedAmount,
        onLow: (t, cb) => {
          c.bufferedAmountLowThreshold = t;
          c.bufferedAmountLow.subscribe(cb);
        },
        onMessage: (cb) => c.onMessage.subscribe((m) => cb(sizeOf(m))),
      };
    },
    close: () => { void pc.close(); },
  };
}

export async function makePeer(stack: StackName, certificate?: RTCCertificate): Promise<BenchPeer> {
  switch (stack) {
    case 'rivulet': return rivuletPeer();
    case 'rivulet-precert': return rivuletPeer(certificate ?? (await precert()));
    case 'node-datachannel': return ndcNativePeer();
    case 'node-datachannel-polyfill': return ndcPolyfillPeer();
    case 'werift': return weriftPeer();
  }
}

/** Offer/answer between two local peers; resolves with both channels open. */
export async function connectLocal(a: BenchPeer, b: BenchPeer): Promise<{ tx: BenchChannel; rx: BenchChannel }> {
  const offer = await a.offer();
  const answer = await b.answer(offer);
  await a.accept(answer);
  const [tx, rx] = await Promise.all([a.channel(), b.channel()]);
  return { tx, rx };
}

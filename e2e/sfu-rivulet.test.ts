/**
 * The SFU example (examples/sfu) with Rivulet peers as the participants, speaking the page's
 * protocol over the WebSocket (polite side of perfect negotiation, first offer from the client):
 * forwarding, the key-frame request for a newcomer, renegotiation when the publisher leaves,
 * and malformed or wrong signaling counted and answered, never fatal. No browser needed.
 */
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import { MediaStreamTrackSource, RTCPeerConnection, readTrack, type RTCSessionDescriptionInit } from '@rivulet/webrtc';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

async function startSfu(): Promise<{ url: string; proc: ChildProcess }> {
  const proc = spawn(process.execPath, ['--conditions=rivulet-source', '--import', 'tsx', 'examples/sfu/src/main.ts', '--port', '0'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`SFU did not start within 15 s: ${out}`)), 15_000);
    const on = (d: Buffer) => {
      out += String(d);
      const m = /SFU listening: (http:\/\/\S+\/)/.exec(out);
      if (m) { clearTimeout(t); resolve(m[1]!); }
    };
    proc.stdout!.on('data', on);
    proc.stderr!.on('data', on);
    proc.once('exit', (code) => { clearTimeout(t); reject(new Error(`SFU exited with ${code}: ${out}`)); });
  });
  return { url, proc };
}

interface Msg { type: string; [k: string]: unknown }

/** A participant: what examples/sfu/public/client.js does, with Rivulet's RTCPeerConnection. */
class Participant {
  readonly pc = new RTCPeerConnection({ rivulet: { interfaceAddresses: ['127.0.0.1'] } });
  readonly ws: WebSocket;
  readonly messages: Msg[] = [];
  readonly opened: Promise<void>;
  #inbox = Promise.resolve();

  constructor(url: string, room: string) {
    this.ws = new WebSocket(`${url.replace('http', 'ws')}ws?room=${room}`);
    this.opened = new Promise((resolve, reject) => { this.ws.once('open', () => resolve()); this.ws.once('error', reject); });
    this.pc.createDataChannel('sfu'); // the client offers first
    this.pc.onnegotiationneeded = async () => {
      await this.pc.setLocalDescription();
      this.send({ type: 'description', description: this.pc.localDescription!.toJSON() });
    };
    this.pc.onicecandidate = (e) => this.send({ type: 'candidate', candidate: e.candidate ? e.candidate.toJSON() : null });
    this.ws.on('message', (data) => {
      const m = JSON.parse(String(data)) as Msg;
      this.messages.push(m);
      this.#inbox = this.#inbox.then(() => this.#handle(m));
    });
  }

  send(m: unknown): void {
    void this.opened.then(() => this.ws.send(typeof m === 'string' ? m : JSON.stringify(m)));
  }

  async #handle(m: Msg): Promise<void> {
    if (m.type === 'description') {
      const d = m['description'] as RTCSessionDescriptionInit;
      await this.pc.setRemoteDescription(d); // polite: an offer in have-local-offer rolls ours back
      if (d.type === 'offer') {
        await this.pc.setLocalDescription();
        this.send({ type: 'description', description: this.pc.localDescription!.toJSON() });
      }
    } else if (m.type === 'candidate') {
      await this.pc.addIceCandidate((m['candidate'] as never) ?? undefined).catch(() => {});
    }
  }

  close(): void {
    this.ws.close();
    this.pc.close();
  }
}

async function until(what: string, ms: number, cond: () => boolean): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A VP8 key frame start every 30th packet (RFC 7741 descriptor S=1, frame tag P=0), else deltas. */
function vp8Packet(i: number): Uint8Array {
  const p = Buffer.alloc(12 + 200);
  p[0] = 0x80;
  p[1] = 96 | 0x80;
  p.writeUInt16BE(i & 0xffff, 2);
  p.writeUInt32BE((i * 3000) >>> 0, 4);
  p.writeUInt32BE(0xabc, 8);
  p[12] = 0x10;
  p[13] = i % 30 === 0 ? 0x10 : 0x11;
  return p;
}

describe('SFU example with Rivulet participants (examples/sfu)', function () {
  this.timeout(60_000);
  let sfu: { url: string; proc: ChildProcess } | undefined;
  const people: Participant[] = [];
  let pump: NodeJS.Timeout | undefined;

  before(async () => { sfu = await startSfu(); });
  after(() => {
    clearInterval(pump);
    for (const p of people) p.close();
    sfu?.proc.kill('SIGTERM');
  });

  it('forwards a publisher to a newcomer (with a key-frame request), renegotiates it away when the publisher leaves, and counts bad signaling', async () => {
    const a = new Participant(sfu!.url, 'r1');
    people.push(a);
    const src = new MediaStreamTrackSource({ kind: 'video', mimeType: 'video/VP8' });
    let keyframeRequests = 0;
    src.onKeyframeRequest(() => keyframeRequests++);
    a.pc.addTransceiver(src.createTrack(), { direction: 'sendonly' });
    let i = 0;
    pump = setInterval(() => src.writeRtp(vp8Packet(i++)), 10);
    await until('A connected', 15_000, () => a.pc.connectionState === 'connected');
    expect(a.messages[0]).to.deep.include({ type: 'welcome', room: 'r1' });

    const b = new Participant(sfu!.url, 'r1');
    people.push(b);
    let received = 0;
    let streamId = '';
    let remoteTrack: import('@rivulet/webrtc').MediaStreamTrack | undefined;
    const track = new Promise<void>((resolve) => {
      b.pc.ontrack = (e) => {
        streamId = e.streams[0]?.id ?? '';
        remoteTrack = e.track;
        readTrack(e.track, { rtp: () => { received++; } });
        resolve();
      };
    });
    await track;
    await until('B receiving A\'s RTP through the SFU', 15_000, () => received > 30);
    const sub = b.messages.find((m) => m.type === 'subscribed')!;
    expect(sub['streamId']).to.equal(streamId); // the stream id maps the track to its publication
    expect((sub['publication'] as { kind: string; rids: string[] })).to.deep.include({ kind: 'video', rids: [] });
    expect(keyframeRequests).to.be.at.least(1); // the SFU asked A for a key frame for B

    // Bad input: dropped and counted, or answered with an error message; the session goes on.
    b.send('{not json');
    b.send({ type: 'layer', publicationId: (sub['publication'] as { id: string }).id, rid: 'h' });
    await until('error answer', 5000, () => b.messages.some((m) => m.type === 'error'));
    expect(String(b.messages.find((m) => m.type === 'error')!['message'])).to.match(/is not simulcast/);
    const stats = await (await fetch(`${sfu!.url}stats`)).json() as Record<string, { peers: { stats: { malformedMessages: number; signalingErrors: number } }[] }>;
    expect(stats['r1']!.peers.map((p) => p.stats)).to.deep.equal([
      { offersSent: 0, answersSent: 1, offersIgnored: 0, signalingErrors: 0, malformedMessages: 0 }, // data channel + video in one offer
      { offersSent: 1, answersSent: 1, offersIgnored: 0, signalingErrors: 0, malformedMessages: 1 },
    ]);
    const before = received;
    await until('B still receiving', 5000, () => received > before + 20);

    // A leaves: B's section for A is stopped by an SFU offer.
    clearInterval(pump);
    a.close();
    // webrtc-pc §4.4.1.6: a transceiver stopped by the remote is removed once the description is applied; its track ends.
    await until('B told and renegotiated', 10_000, () => b.messages.some((m) => m.type === 'unsubscribed') &&
      b.pc.signalingState === 'stable' && remoteTrack!.readyState === 'ended');
    expect(b.pc.getTransceivers()).to.have.length(0);
    expect(b.pc.connectionState).to.equal('connected');
  });
});

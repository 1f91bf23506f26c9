/**
 * Renegotiation against headless Chromium, with Rivulet as the sender of real VP8 (ffmpeg's test
 * pattern, fed frame by frame into a MediaStreamTrackSource) and Chromium decoding it. Signaling
 * goes through page.evaluate; Rivulet always offers, Chromium answers.
 *  a. removeTrack + renegotiation: Chromium's remote track fires `mute`, its stream `removetrack`.
 *  b. addTrack reuse rule (webrtc-pc §5.1 addTrack): a transceiver whose sender never sent is
 *     reused (same mid); one that has sent is not (new m-line), and Chromium decodes the new track.
 *  c. replaceTrack: no negotiationneeded on either side, same SSRC, Chromium switches resolution.
 *  d. restartIce: frames keep being decoded, the selected pair's local ufrag changes.
 */
import { expect } from 'chai';
import { FfmpegSource } from '@rivulet/media';
import { MediaStream, MediaStreamTrackSource, type MediaStreamTrack, type RTCPeerConnection } from '@rivulet/webrtc';
import { CHROMIUM_PATH, launchChromium, type ChromiumSession } from './support/chromium.js';
import { CHROMIUM_GATHERED } from './support/pageScripts.js';
import { loopbackPeer, offerToPage } from './support/signaling.js';
import { requireFfmpeg, requireTool } from './support/tools.js';
import { waitFor } from './support/wait.js';

/** The page: one answering RTCPeerConnection that records its events as strings in order. */
const PAGE = `(() => {
  window.events = [];
  window.nn = 0;
  const pc = new RTCPeerConnection();
  window.pc = pc;
  pc.onnegotiationneeded = () => { window.nn++; };
  const hooked = new Set();
  pc.ontrack = (e) => {
    const mid = e.transceiver.mid;
    window.events.push('track:' + mid);
    e.track.onmute = () => window.events.push('mute:' + mid);
    e.track.onunmute = () => window.events.push('unmute:' + mid);
    e.track.onended = () => window.events.push('ended:' + mid);
    for (const s of e.streams) {
      if (hooked.has(s)) continue;
      hooked.add(s);
      s.onremovetrack = (ev) => window.events.push('removetrack:' + (pc.getTransceivers().find((t) => t.receiver.track === ev.track) || {}).mid);
      s.onaddtrack = (ev) => window.events.push('addtrack:' + (pc.getTransceivers().find((t) => t.receiver.track === ev.track) || {}).mid);
    }
  };
  window.answer = async (offer) => {
    await pc.setRemoteDescription(offer);
    await pc.setLocalDescription();
    await window.gathered(pc);
    return pc.localDescription.toJSON();
  };
  window.video = async () => {
    const out = [];
    (await pc.getStats()).forEach((s) => {
      if (s.type === 'inbound-rtp' && s.kind === 'video') out.push({ mid: s.mid, ssrc: s.ssrc, framesDecoded: s.framesDecoded || 0, frameWidth: s.frameWidth || 0, frameHeight: s.frameHeight || 0 });
    });
    return out.sort((a, b) => Number(a.mid) - Number(b.mid));
  };
})()`;

type Inbound = { mid: string; ssrc: number; framesDecoded: number; frameWidth: number; frameHeight: number };

describe('renegotiation against Chromium: Rivulet sends ffmpeg VP8, Chromium decodes', function () {
  this.timeout(60_000);
  let chrome: ChromiumSession | undefined;
  let ffmpeg: string;
  const running: FfmpegSource[] = [];
  let pc: RTCPeerConnection | undefined;

  before(async function () {
    requireTool(this, CHROMIUM_PATH, 'chromium');
    ffmpeg = requireFfmpeg(this);
    chrome = await launchChromium();
  });
  after(async () => { await chrome?.close(); });
  beforeEach(async () => {
    await chrome!.page.reload();
    await chrome!.page.evaluate(CHROMIUM_GATHERED + PAGE);
  });
  afterEach(async () => {
    pc?.close();
    pc = undefined;
    await Promise.all(running.splice(0).map((s) => s.stop()));
  });

  /** A VP8 test-pattern track: ffmpeg frames written to a MediaStreamTrackSource. */
  function vp8Track(width: number, height: number): MediaStreamTrack {
    const source = new MediaStreamTrackSource({ kind: 'video', mimeType: 'video/VP8', settings: { width, height } });
    const ff = new FfmpegSource({ input: { type: 'test-pattern', width, height, frameRate: 15 }, video: { codec: 'VP8', frameRate: 15, bitrate: 300_000, keyframeInterval: 15 }, ffmpegPath: ffmpeg });
    ff.on('frame', (f) => source.writeFrame({ data: f.data, timestamp: f.timestampUs, keyframe: f.keyframe }));
    ff.start();
    running.push(ff);
    return source.createTrack();
  }

  function newPc(): RTCPeerConnection {
    pc = loopbackPeer();
    return pc;
  }

  /** Rivulet offers (full gathering, no trickle), Chromium answers. */
  async function negotiate(p: RTCPeerConnection): Promise<void> {
    await offerToPage(chrome!.page, p, (offer) => `window.answer(${offer})`);
    expect(p.signalingState).to.equal('stable');
  }

  const video = (): Promise<Inbound[]> => chrome!.page.evaluate<Inbound[]>('window.video()');
  const events = (): Promise<string[]> => chrome!.page.evaluate<string[]>('window.events');

  async function decodes(mid: string, atLeast: number, ms = 20_000): Promise<Inbound> {
    const v = await waitFor(`Chromium decoding ≥ ${atLeast} frames on mid ${mid}`, ms, video, (v) => (v.find((x) => x.mid === mid)?.framesDecoded ?? 0) >= atLeast);
    return v.find((x) => x.mid === mid)!;
  }

  it('a + b(case 2): removeTrack makes Chromium fire mute then removetrack; addTrack afterwards makes a new m-line that Chromium decodes', async () => {
    const p = newPc();
    const stream = new MediaStream();
    const sender = p.addTrack(vp8Track(320, 240), stream);
    await negotiate(p);
    await waitFor('connected', 20_000, () => p.connectionState, (s) => s === 'connected');
    const first = await decodes('0', 20);
    expect(first).to.include({ frameWidth: 320, frameHeight: 240 });
    expect(p.getTransceivers()[0]!.currentDirection).to.equal('sendonly');
    // Chromium's receiver track starts muted and unmutes when media arrives.
    expect(await events()).to.deep.equal(['track:0', 'unmute:0']);

    let nn = 0;
    p.onnegotiationneeded = () => { nn++; };
    p.removeTrack(sender);
    expect(sender.track).to.equal(null);
    await waitFor('negotiationneeded after removeTrack', 2000, () => nn, (n) => n === 1);
    await negotiate(p);
    expect(p.getTransceivers()[0]!.currentDirection).to.equal('inactive');
    // webrtc-pc §4.4.1.6 (set a remote description): muteTracks first, then removeList.
    await waitFor('mute and removetrack in Chromium', 5000, events, (e) => e.length >= 4);
    expect(await events()).to.deep.equal(['track:0', 'unmute:0', 'mute:0', 'removetrack:0']);

    // Case 2: the transceiver has sent (currentDirection was sendonly), so addTrack must not reuse it.
    const again = p.addTrack(vp8Track(320, 240), stream);
    const transceivers = p.getTransceivers();
    expect(transceivers).to.have.length(2);
    expect(transceivers[0]!.sender).to.not.equal(again);
    expect(transceivers[1]!.sender).to.equal(again);
    await negotiate(p);
    expect(transceivers[1]!.mid).to.equal('1');
    expect(transceivers[1]!.currentDirection).to.equal('sendonly');
    const second = await decodes('1', 20);
    expect(second.ssrc).to.not.equal(first.ssrc);
    expect(await events()).to.deep.equal(['track:0', 'unmute:0', 'mute:0', 'removetrack:0', 'track:1', 'unmute:1']);
  });

  it('b(case 1): a recvonly transceiver that never sent is reused by addTrack (same mid, sendrecv) and Chromium decodes on that mid', async () => {
    const p = newPc();
    const t = p.addTransceiver('video', { direction: 'recvonly' });
    await negotiate(p);
    expect(t.mid).to.equal('0');
    expect(t.currentDirection).to.equal('inactive'); // Chromium has nothing to send
    const sender = p.addTrack(vp8Track(320, 240), new MediaStream());
    expect(sender).to.equal(t.sender);
    expect(p.getTransceivers()).to.have.length(1);
    expect(t.direction).to.equal('sendrecv');
    await negotiate(p);
    expect(t.mid).to.equal('0');
    expect(t.currentDirection).to.equal('sendonly');
    await waitFor('connected', 20_000, () => p.connectionState, (s) => s === 'connected');
    await decodes('0', 20);
  });

  it('c: replaceTrack switches 320x240 → 640x480 without negotiationneeded on either side; same SSRC; Chromium keeps decoding', async () => {
    const p = newPc();
    const sender = p.addTrack(vp8Track(320, 240), new MediaStream());
    await negotiate(p);
    await waitFor('connected', 20_000, () => p.connectionState, (s) => s === 'connected');
    const before = await decodes('0', 15);
    expect(before).to.include({ frameWidth: 320, frameHeight: 240 });
    const outSsrc = async (): Promise<number[]> => {
      const out: number[] = [];
      (await sender.getStats()).forEach((x: { type: string; ssrc?: number }) => { if (x.type === 'outbound-rtp') out.push(x.ssrc!); });
      return out;
    };
    expect(await outSsrc()).to.deep.equal([before.ssrc]);
    let nn = 0;
    p.onnegotiationneeded = () => { nn++; };
    const pageNn = await chrome!.page.evaluate<number>('window.nn');
    await sender.replaceTrack(vp8Track(640, 480));
    const after = await waitFor('Chromium decoding 640x480', 20_000, video, (v) => v[0]!.frameWidth === 640);
    expect(after).to.have.length(1);
    expect(after[0]).to.include({ mid: '0', ssrc: before.ssrc, frameHeight: 480 });
    await decodes('0', after[0]!.framesDecoded + 15);
    expect(nn, 'Rivulet negotiationneeded').to.equal(0);
    expect(await chrome!.page.evaluate<number>('window.nn'), 'Chromium negotiationneeded').to.equal(pageNn);
    expect(await outSsrc()).to.deep.equal([before.ssrc]);
    expect(await events()).to.deep.equal(['track:0', 'unmute:0']);
  });

  it('d: restartIce keeps Chromium decoding across the restart; the selected pair\'s local ufrag changes', async () => {
    const p = newPc();
    p.addTrack(vp8Track(320, 240), new MediaStream());
    await negotiate(p);
    await waitFor('connected', 20_000, () => p.connectionState, (s) => s === 'connected');
    const ice = p.getTransceivers()[0]!.sender.transport!.iceTransport;
    const ufragBefore = ice.getSelectedCandidatePair()!.local.usernameFragment;
    expect(ufragBefore).to.equal(ice.getLocalParameters()!.usernameFragment);
    const before = await decodes('0', 15);
    let nn = 0;
    p.onnegotiationneeded = () => { nn++; };
    p.restartIce();
    await waitFor('negotiationneeded after restartIce', 2000, () => nn, (n) => n === 1);
    await negotiate(p);
    const ufragAfter = await waitFor('a pair with the new ufrag selected', 15_000, () => ice.getSelectedCandidatePair()?.local.usernameFragment, (u) => u !== ufragBefore && u !== undefined);
    expect(ufragAfter).to.equal(ice.getLocalParameters()!.usernameFragment);
    expect(p.connectionState).to.equal('connected');
    const after = await decodes('0', before.framesDecoded + 30);
    expect(after.ssrc).to.equal(before.ssrc);
    expect(await events()).to.deep.equal(['track:0', 'unmute:0']);
  });
});

import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { H264AccessUnitSplitter, joinAnnexB } from '@rivulet/rtp';
import { parseSdp, getDirection } from '@rivulet/sdp';
import { MediaStream, MediaStreamTrackSource, RTCPeerConnection, RTCRtpReceiver, readTrack, type RTCDataChannel, type RTCTrackEvent } from '../src/index.js';
import { launch, requireChromium, type Chromium } from './helpers/chromium.js';
import { transportState, until } from './helpers/peers.js';

/** A Rivulet peer gathering on 127.0.0.1 only. */
function loopbackPeer(): RTCPeerConnection {
  return new RTCPeerConnection({ rivulet: { interfaceAddresses: ['127.0.0.1'] } });
}

/**
 * A page expression: a new RTCPeerConnection as `window[pageVar]` (and `pc`), `setup`, then its
 * complete local description once the page's gathering is done: an offer, or the answer when
 * `setup` applied Rivulet's offer.
 */
function pageLocalDescription(pageVar: string, setup: string): string {
  return `(async () => {
    const pc = new RTCPeerConnection();
    window.${pageVar} = pc;
    ${setup}
    await pc.setLocalDescription();
    await window.gathered(pc);
    return pc.localDescription.toJSON();
  })()`;
}

/** Waits for our gathering to finish so the description carries the candidates (no trickle needed). */
async function gathered(pc: RTCPeerConnection): Promise<void> {
  await until(() => pc.iceGatheringState === 'complete', 5000, 'gathering complete');
}

const FFMPEG = process.env['RIVULET_FFMPEG'] ?? '/usr/bin/ffmpeg';

const PAGE_HELPERS = `
  window.gathered = (pc) => new Promise((resolve) => {
    if (pc.iceGatheringState === 'complete') return resolve();
    const t = setTimeout(resolve, 3000);
    pc.addEventListener('icegatheringstatechange', () => { if (pc.iceGatheringState === 'complete') { clearTimeout(t); resolve(); } });
  });
  window.log = [];
  // Polls pc's inbound-rtp of one kind every 100 ms, at most \`tries\` times, until \`field\` reaches
  // \`atLeast\`; resolves with its value then, or 0.
  window.inbound = async (pc, kind, field, atLeast, tries) => {
    for (let i = 0; i < tries; i++) {
      let n = 0;
      (await pc.getStats()).forEach((s) => { if (s.type === 'inbound-rtp' && s.kind === kind) n = s[field] || 0; });
      if (n >= atLeast) return n;
      await new Promise((r) => setTimeout(r, 100));
    }
    return 0;
  };
`;

describe('interop with Chromium', function () {
  this.timeout(60000);
  let chrome: Chromium;
  /** window.inbound in the page: `field` of `window[pageVar]`'s inbound-rtp of `kind` once it reaches `atLeast` (0 if it never does). */
  const inboundAtLeast = (pageVar: string, kind: 'audio' | 'video', field: 'packetsReceived' | 'framesDecoded', atLeast: number, tries: number): Promise<number> =>
    chrome.eval<number>(`window.inbound(window.${pageVar}, '${kind}', '${field}', ${atLeast}, ${tries})`);
  /** Hands Rivulet's complete local description to the page's peer `window[pageVar]`. */
  const applyInPage = (pageVar: string, pc: RTCPeerConnection): Promise<void> =>
    chrome.eval(`window.${pageVar}.setRemoteDescription(${JSON.stringify(pc.localDescription!.toJSON())})`);

  before(async function () {
    requireChromium(this);
    chrome = await launch();
    await chrome.eval(PAGE_HELPERS);
  });
  after(async () => { await chrome?.close(); });

  it('Chromium offers recvonly video + data; Rivulet answers with a track: Chromium receives our VP8 RTP, data flows both ways', async () => {
    const offer = await chrome.eval<{ type: 'offer'; sdp: string }>(pageLocalDescription('pc1', `
      pc.addTransceiver('video', { direction: 'recvonly' });
      pc.ontrack = (e) => { window.log.push('track:' + e.track.kind + ':' + e.streams.length); };
      const dc = pc.createDataChannel('to-rivulet', { protocol: 'json' });
      dc.onmessage = (m) => { window.log.push(m.data); dc.send('echo:' + m.data); };
    `));
    const pc = loopbackPeer();
    let dc: RTCDataChannel | undefined;
    pc.ondatachannel = (e) => { dc = e.channel; };
    await pc.setRemoteDescription(offer);
    const src = new MediaStreamTrackSource({ kind: 'video', mimeType: 'video/VP8' });
    const sender = pc.addTrack(src.createTrack(), new MediaStream());
    expect(pc.getTransceivers()).to.have.length(1);
    expect(pc.getTransceivers()[0]!.sender).to.equal(sender); // reused the transceiver the offer created
    await pc.setLocalDescription();
    await gathered(pc);
    expect(getDirection(parseSdp(pc.localDescription!.sdp).media[0]!)).to.equal('sendonly');
    await applyInPage('pc1', pc);
    await until(() => dc?.readyState === 'open', 20000, 'data channel open with Chromium', () => transportState(pc));
    expect(dc!.label).to.equal('to-rivulet');
    expect(dc!.protocol).to.equal('json');
    expect(pc.connectionState).to.equal('connected');
    const echoes: string[] = [];
    dc!.onmessage = (m) => echoes.push(m.data as string);
    dc!.send('ping');
    await until(() => echoes.length === 1, 5000, 'echo from Chromium');
    expect(echoes).to.deep.equal(['echo:ping']);
    // VP8 frames (payloaded by us): Chromium must count them as inbound RTP on its video receiver.
    for (let i = 0; i < 30; i++) {
      const frame = new Uint8Array(300);
      frame[0] = i === 0 ? 0x10 : 0x11;
      src.writeFrame({ data: frame, timestamp: i * 33_333, keyframe: i === 0 });
      await new Promise((r) => setTimeout(r, 10));
    }
    const inbound = await inboundAtLeast('pc1', 'video', 'packetsReceived', 1, 50);
    expect(inbound).to.be.greaterThan(0);
    const log = await chrome.eval<string[]>('window.log');
    expect(log).to.include('ping');
    expect(log).to.include('track:video:1');
    pc.close();
    await chrome.eval('window.pc1.close()');
  });

  it('Rivulet offers data + audio; Chromium answers (Chromium is the DTLS client, its ClientHello is fragmented): data both ways, Chromium receives our Opus RTP', async () => {
    const pc = loopbackPeer();
    const dc = pc.createDataChannel('rivulet', { protocol: 'json' });
    const src = new MediaStreamTrackSource({ kind: 'audio', mimeType: 'audio/opus' });
    pc.addTrack(src.createTrack(), new MediaStream());
    await pc.setLocalDescription();
    await gathered(pc);
    const answer = await chrome.eval<{ type: 'answer'; sdp: string }>(pageLocalDescription('pc0', `
      pc.ondatachannel = (e) => { e.channel.onmessage = (m) => { window.log.push(m.data); e.channel.send('echo:' + m.data); }; };
      pc.ontrack = (e) => { window.log.push('track0:' + e.track.kind); };
      await pc.setRemoteDescription(${JSON.stringify(pc.localDescription!.toJSON())});
    `));
    expect(answer.sdp).to.include('a=setup:active');
    await pc.setRemoteDescription(answer);
    const echoes: string[] = [];
    dc.onmessage = (m) => echoes.push(m.data as string);
    await until(() => dc.readyState === 'open', 20000, 'data channel open with Chromium (Rivulet offered)', () => transportState(pc));
    expect(pc.getSenders()[0]!.transport!.iceTransport.role).to.equal('controlling');
    dc.send('hello');
    await until(() => echoes.length === 1, 5000, 'echo');
    expect(echoes).to.deep.equal(['echo:hello']);
    for (let i = 0; i < 25; i++) {
      src.writeFrame({ data: new Uint8Array([0xf8, 0xff, 0xfe]), timestamp: i * 20_000 });
      await new Promise((r) => setTimeout(r, 20));
    }
    const inbound = await inboundAtLeast('pc0', 'audio', 'packetsReceived', 1, 50);
    expect(inbound).to.be.greaterThan(0);
    expect(await chrome.eval<string[]>('window.log')).to.include('track0:audio');
    pc.close();
    await chrome.eval('window.pc0.close()');
  });

  it('Chromium offers camera + microphone + data; Rivulet answers, fires track events and receives RTP', async () => {
    const offer = await chrome.eval<{ type: 'offer'; sdp: string }>(pageLocalDescription('pc2', `
      const media = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
      media.getTracks().forEach((t) => pc.addTrack(t, media));
      window.dc2 = pc.createDataChannel('from-chrome');
      window.dc2.onmessage = (m) => window.log.push('dc2:' + m.data);
      window.streamId = media.id;
    `));
    const pc = loopbackPeer();
    const tracks: RTCTrackEvent[] = [];
    const rtpCount = { audio: 0, video: 0 };
    pc.ontrack = (e) => {
      tracks.push(e);
      readTrack(e.track, { rtp: () => { rtpCount[e.track.kind]++; } });
    };
    let channel: RTCDataChannel | undefined;
    pc.ondatachannel = (e) => { channel = e.channel; };
    await pc.setRemoteDescription(offer);
    expect(tracks.map((t) => t.track.kind)).to.deep.equal(['audio', 'video']);
    const streamId = await chrome.eval<string>('window.streamId');
    expect(tracks[0]!.streams[0]!.id).to.equal(streamId);
    expect(tracks[0]!.streams[0]).to.equal(tracks[1]!.streams[0]);
    await pc.setLocalDescription();
    await gathered(pc);
    await applyInPage('pc2', pc);
    await until(() => channel?.readyState === 'open', 20000, 'Chromium data channel open', () => transportState(pc));
    expect(channel!.label).to.equal('from-chrome');
    channel!.send('hi chrome');
    await until(() => rtpCount.audio > 5 && rtpCount.video > 5, 20000, 'RTP from Chromium');
    expect(tracks[0]!.track.muted).to.equal(false);
    expect(tracks[1]!.track.muted).to.equal(false);
    const sources = tracks[1]!.receiver.getSynchronizationSources();
    expect(sources).to.have.length(1);
    const stats = await pc.getStats();
    const inbound = [...stats.values()].filter((s) => s.type === 'inbound-rtp');
    expect(inbound.map((s) => s['kind']).sort()).to.deep.equal(['audio', 'video']);
    const log = await chrome.eval<string[]>(`(async () => { for (let i = 0; i < 50 && !window.log.includes('dc2:hi chrome'); i++) await new Promise((r) => setTimeout(r, 50)); return window.log; })()`);
    expect(log).to.include('dc2:hi chrome');
    pc.close();
    await chrome.eval('window.pc2.close()');
  });

  it('SFU relay: Chromium publishes camera video, Rivulet forwards the remote track to a second Chromium peer that decodes it', async () => {
    const pubOffer = await chrome.eval<{ type: 'offer'; sdp: string }>(pageLocalDescription('pub', `
      const media = await navigator.mediaDevices.getUserMedia({ video: true });
      pc.addTransceiver(media.getVideoTracks()[0], { direction: 'sendonly', streams: [media] });
    `));
    const sfuIn = loopbackPeer();
    let remoteTrack: import('../src/index.js').MediaStreamTrack | undefined;
    sfuIn.ontrack = (e) => { remoteTrack = e.track; };
    await sfuIn.setRemoteDescription(pubOffer);
    await sfuIn.setLocalDescription();
    await gathered(sfuIn);
    await applyInPage('pub', sfuIn);
    await until(() => remoteTrack !== undefined && !remoteTrack.muted, 20000, 'publisher RTP at the SFU');

    const viewOffer = await chrome.eval<{ type: 'offer'; sdp: string }>(pageLocalDescription('view', `
      pc.addTransceiver('video', { direction: 'recvonly' });
    `));
    const sfuOut = loopbackPeer();
    await sfuOut.setRemoteDescription(viewOffer);
    sfuOut.addTrack(remoteTrack!, new MediaStream());
    // Forward in the publisher's codec: prefer what the publisher negotiated.
    const pubCodec = sfuIn.getReceivers()[0]!.getParameters().codecs[0]!;
    const caps = RTCRtpReceiver.getCapabilities('video')!.codecs;
    sfuOut.getTransceivers()[0]!.setCodecPreferences([
      ...caps.filter((c) => c.mimeType === pubCodec.mimeType && (c.sdpFmtpLine ?? '') === (pubCodec.sdpFmtpLine ?? '')),
      ...caps.filter((c) => c.mimeType === 'video/rtx'),
    ]);
    await sfuOut.setLocalDescription();
    await gathered(sfuOut);
    await applyInPage('view', sfuOut);
    const decoded = await inboundAtLeast('view', 'video', 'framesDecoded', 10, 150);
    expect(decoded, 'frames decoded by the viewer').to.be.at.least(10);
    sfuIn.close();
    sfuOut.close();
    await chrome.eval('window.pub.close(); window.view.close()');
  });

  it('frame path: ffmpeg H.264 access units written to a track are payloaded by Rivulet and decoded by Chromium', async function () {
    if (!existsSync(FFMPEG)) {
      const message = `${FFMPEG} not found: install it with \`apt-get install ffmpeg\``;
      if (process.env['CI'] === 'true') throw new Error(message);
      console.warn(`      skipped: ${message}`);
      this.skip();
    }
    const offer = await chrome.eval<{ type: 'offer'; sdp: string }>(pageLocalDescription('h264', `
      pc.addTransceiver('video', { direction: 'recvonly' });
    `));
    const pc = loopbackPeer();
    await pc.setRemoteDescription(offer);
    const src = new MediaStreamTrackSource({ kind: 'video', mimeType: 'video/H264' });
    pc.addTrack(src.createTrack(), new MediaStream());
    const caps = RTCRtpReceiver.getCapabilities('video')!.codecs;
    pc.getTransceivers()[0]!.setCodecPreferences(caps.filter((c) => c.mimeType === 'video/H264' && c.sdpFmtpLine?.includes('42e01f')));
    await pc.setLocalDescription();
    await gathered(pc);
    expect(pc.getSenders()[0]!.getParameters().codecs[0]!.mimeType).to.equal('video/H264');
    await applyInPage('h264', pc);
    await until(() => pc.connectionState === 'connected', 20000, 'connected', () => transportState(pc));
    // 3 s of 320x240 constrained-baseline H.264, one key frame per second, no B-frames.
    const ff = spawn(FFMPEG, ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=30', '-t', '3',
      '-c:v', 'libx264', '-profile:v', 'baseline', '-pix_fmt', 'yuv420p', '-g', '30', '-bf', '0', '-tune', 'zerolatency', '-f', 'h264', '-']);
    const splitter = new H264AccessUnitSplitter();
    const units: { data: Buffer; keyframe: boolean }[] = [];
    ff.stdout.on('data', (chunk: Buffer) => { for (const au of splitter.push(chunk)) units.push({ data: joinAnnexB(au.nalUnits), keyframe: au.keyframe }); });
    await new Promise<void>((resolve, reject) => { ff.on('exit', () => resolve()); ff.on('error', reject); });
    for (const au of splitter.flush()) units.push({ data: joinAnnexB(au.nalUnits), keyframe: au.keyframe });
    expect(units.length).to.be.within(85, 95);
    for (let i = 0; i < units.length; i++) {
      src.writeFrame({ data: units[i]!.data, timestamp: i * 33_333, keyframe: units[i]!.keyframe });
      await new Promise((r) => setTimeout(r, 33));
    }
    const decoded = await inboundAtLeast('h264', 'video', 'framesDecoded', 30, 50);
    expect(decoded, 'H.264 frames decoded by Chromium').to.be.at.least(30);
    pc.close();
    await chrome.eval('window.h264.close()');
  });

  it('renegotiation both ways: Chromium adds video to a data-only call, then Rivulet adds audio and re-offers', async () => {
    const offer = await chrome.eval<{ type: 'offer'; sdp: string }>(pageLocalDescription('reneg', `
      window.renegLog = [];
      pc.ontrack = (e) => window.renegLog.push('track:' + e.track.kind);
      window.renegDc = pc.createDataChannel('base');
    `));
    const pc = loopbackPeer();
    let dc: RTCDataChannel | undefined;
    pc.ondatachannel = (e) => { dc = e.channel; };
    const tracks: string[] = [];
    pc.ontrack = (e) => tracks.push(e.track.kind);
    await pc.setRemoteDescription(offer);
    await pc.setLocalDescription();
    await gathered(pc);
    await applyInPage('reneg', pc);
    await until(() => dc?.readyState === 'open', 20000, 'data channel', () => transportState(pc));
    // Chromium renegotiates: adds its camera.
    const offer2 = await chrome.eval<{ type: 'offer'; sdp: string }>(`(async () => {
      const media = await navigator.mediaDevices.getUserMedia({ video: true });
      window.reneg.addTrack(media.getVideoTracks()[0], media);
      await window.reneg.setLocalDescription();
      return window.reneg.localDescription.toJSON();
    })()`);
    await pc.setRemoteDescription(offer2);
    await pc.setLocalDescription();
    await applyInPage('reneg', pc);
    expect(tracks).to.deep.equal(['video']);
    await until(() => !pc.getReceivers()[0]!.track.muted, 20000, 'video RTP after renegotiation', () => transportState(pc));
    // Rivulet renegotiates: adds audio and offers (actpass again; the DTLS association stays).
    const src = new MediaStreamTrackSource({ kind: 'audio', mimeType: 'audio/opus' });
    pc.addTrack(src.createTrack(), new MediaStream());
    await pc.setLocalDescription();
    const answer3 = await chrome.eval<{ type: 'answer'; sdp: string }>(`(async () => {
      await window.reneg.setRemoteDescription(${JSON.stringify(pc.localDescription!.toJSON())});
      await window.reneg.setLocalDescription();
      return window.reneg.localDescription.toJSON();
    })()`);
    await pc.setRemoteDescription(answer3);
    expect(pc.signalingState).to.equal('stable');
    for (let i = 0; i < 25; i++) {
      src.writeFrame({ data: new Uint8Array([0xf8, 0xff, 0xfe]), timestamp: i * 20_000 });
      await new Promise((r) => setTimeout(r, 20));
    }
    const log = await chrome.eval<string[]>(`(async () => { for (let i = 0; i < 50 && !window.renegLog.includes('track:audio'); i++) await new Promise((r) => setTimeout(r, 50)); return window.renegLog; })()`);
    expect(log).to.include('track:audio');
    const audioIn = await inboundAtLeast('reneg', 'audio', 'packetsReceived', 1, 50);
    expect(audioIn).to.be.greaterThan(0);
    expect(dc!.readyState).to.equal('open');
    pc.close();
    await chrome.eval('window.reneg.close()');
  });
});

/**
 * getStats against Chromium (webrtc-stats): audio both ways and a data channel between Rivulet and
 * headless Chromium. Rivulet's report must carry remote-outbound-rtp from Chromium's Sender
 * Reports (inbound-rtp.remoteId ↔ localId), Chromium's report must show our SRs and report blocks
 * consumed (its remote-outbound-rtp and remote-inbound-rtp), and every member Chromium reports
 * for the types compared must be in Rivulet's report, except the listed ones Rivulet cannot know,
 * and every member Rivulet reports beyond Chromium's must be a listed webrtc-stats member.
 */
import { expect } from 'chai';
import { MediaStream, MediaStreamTrackSource, type RTCPeerConnection, type RTCStatsReport } from '@rivulet/webrtc';
import { CHROMIUM_PATH, launchChromium, type ChromiumSession } from './support/chromium.js';
import { CHROMIUM_GATHERED, pageAnswer } from './support/pageScripts.js';
import { loopbackPeer, offerToPage } from './support/signaling.js';
import { requireTool } from './support/tools.js';
import { waitFor } from './support/wait.js';

type Entry = Record<string, unknown> & { id: string; type: string; timestamp: number };

/**
 * Members Chromium reports that Rivulet cannot know or does not produce, by stats type, and why.
 * Everything else Chromium reports for these types must be present in Rivulet's report.
 */
const CANNOT_KNOW: Record<string, Record<string, string>> = {
  'inbound-rtp': {
    ...Object.fromEntries(['audioLevel', 'totalAudioEnergy', 'totalSamplesDuration', 'totalSamplesReceived', 'concealedSamples',
      'silentConcealedSamples', 'concealmentEvents', 'insertedSamplesForDeceleration', 'removedSamplesForAcceleration', 'jitterBufferDelay',
      'jitterBufferTargetDelay', 'jitterBufferMinimumDelay', 'jitterBufferEmittedCount', 'totalProcessingDelay', 'playoutId',
      'packetsDiscarded', 'fecPacketsReceived', 'fecPacketsDiscarded'].map((m) => [m, 'decoding, jitter buffer and playout: Rivulet does not decode'])),
    packetsReceivedWithEct1: 'ECN (RFC 9331): node:dgram cannot read the IP ECN bits',
    packetsReceivedWithCe: 'ECN (RFC 9331): node:dgram cannot read the IP ECN bits',
    mediaType: 'non-standard (Chromium\'s legacy name for kind)',
  },
  'outbound-rtp': {
    targetBitrate: 'encoder target: Rivulet sends encoded frames it is given',
    totalPacketSendDelay: 'no send pacer: packets leave when written',
    packetsSentWithEct1: 'ECN (RFC 9331): node:dgram cannot set the IP ECN bits',
    mediaType: 'non-standard (Chromium\'s legacy name for kind)',
  },
  'media-source': Object.fromEntries(['audioLevel', 'totalAudioEnergy', 'totalSamplesDuration', 'echoReturnLoss', 'echoReturnLossEnhancement']
    .map((m) => [m, 'raw audio: Rivulet sources are already encoded'])),
  'remote-outbound-rtp': {
    mediaType: 'non-standard (Chromium\'s legacy name for kind)',
  },
  'candidate-pair': {
    packetsDiscardedOnSend: 'node:dgram reports send failures asynchronously, not per pair',
    bytesDiscardedOnSend: 'node:dgram reports send failures asynchronously, not per pair',
    writable: 'non-standard (not in webrtc-stats)',
  },
  'local-candidate': { ip: 'non-standard (removed from webrtc-stats: address)', isRemote: 'non-standard (removed from webrtc-stats)', networkType: 'deprecated in webrtc-stats; interfaces are not classified' },
  'remote-candidate': { ip: 'non-standard (removed from webrtc-stats: address)', isRemote: 'non-standard (removed from webrtc-stats)' },
  'remote-inbound-rtp': { mediaType: 'non-standard (Chromium\'s legacy name for kind)' },
  'transport': {},
  'peer-connection': {},
  'data-channel': {},
  'codec': {},
  'certificate': {},
};

const TYPES = Object.keys(CANNOT_KNOW);

/** Members of ours Chromium does not report for this audio call, and why they are right. */
const BEYOND_CHROMIUM: Record<string, string> = {
  'remote-inbound-rtp.reportsReceived': 'webrtc-stats RTCRemoteInboundRtpStreamStats',
  'outbound-rtp.pliCount': 'webrtc-stats RTCOutboundRtpStreamStats (Chromium: video only)',
  'outbound-rtp.firCount': 'webrtc-stats RTCOutboundRtpStreamStats (Chromium: video only)',
  'inbound-rtp.retransmittedPacketsReceived': 'webrtc-stats RTCInboundRtpStreamStats (Chromium: video only)',
  'inbound-rtp.retransmittedBytesReceived': 'webrtc-stats RTCInboundRtpStreamStats (Chromium: video only)',
  'inbound-rtp.nackCount': 'webrtc-stats RTCInboundRtpStreamStats (Chromium: video only)',
  'inbound-rtp.pliCount': 'webrtc-stats RTCInboundRtpStreamStats (Chromium: video only)',
  'inbound-rtp.firCount': 'webrtc-stats RTCInboundRtpStreamStats (Chromium: video only)',
  'transport.rivuletCounters': 'non-standard, documented in docs/api-deviations.md',
  'remote-outbound-rtp.roundTripTime': 'webrtc-stats; Chromium omits it until our DLRR has answered an RRTR of its own (rcvr-rtt is negotiated both ways here, but one run of this file saw a single RRTR from Chromium)',
  'local-candidate.url': 'webrtc-stats RTCIceCandidateStats (srflx/relay only; none on loopback)',
  'local-candidate.relayProtocol': 'webrtc-stats RTCIceCandidateStats (relay only)',
};

function entries(r: RTCStatsReport | Entry[]): Entry[] {
  return Array.isArray(r) ? r : ([...r.values()] as Entry[]);
}

function membersByType(list: Entry[]): Map<string, Set<string>> {
  const m = new Map<string, Set<string>>();
  for (const s of list) {
    let set = m.get(s.type);
    if (!set) m.set(s.type, (set = new Set()));
    for (const k of Object.keys(s)) set.add(k);
  }
  return m;
}

describe('getStats against Chromium: audio both ways and a data channel', function () {
  this.timeout(90_000);
  let chrome: ChromiumSession | undefined;
  let pc: RTCPeerConnection | undefined;
  let timer: NodeJS.Timeout | undefined;

  before(async function () {
    requireTool(this, CHROMIUM_PATH, 'chromium');
    chrome = await launchChromium();
    await chrome.page.evaluate(CHROMIUM_GATHERED);
  });
  after(async () => {
    if (timer) clearInterval(timer);
    pc?.close();
    await chrome?.close();
  });

  it('our report has remote-outbound-rtp from Chromium\'s SRs; Chromium consumed our SRs and report blocks; Chromium\'s members are ours', async () => {
    const page = chrome!.page;
    // Opus frames of silence (RFC 6716 §3.1: TOC 0xf8 = CELT-only FB 20 ms, code 0), one per 20 ms.
    const source = new MediaStreamTrackSource({ kind: 'audio', mimeType: 'audio/opus' });
    let t = 0;
    timer = setInterval(() => {
      source.writeFrame({ data: Buffer.from([0xf8, 0xff, 0xfe]), timestamp: t });
      t += 20_000;
    }, 20);
    pc = loopbackPeer();
    pc.addTrack(source.createTrack(), new MediaStream());
    const dc = pc.createDataChannel('stats');
    await offerToPage(page, pc, pageAnswer('pc', `
      const mic = await navigator.mediaDevices.getUserMedia({ audio: true });
      mic.getTracks().forEach((tr) => pc.addTrack(tr, mic));
      pc.ondatachannel = (e) => { window.dc = e.channel; e.channel.onmessage = (m) => e.channel.send('echo ' + m.data); };
    `));
    await waitFor('data channel open', 15_000, () => dc.readyState, (s) => s === 'open');
    let echoes = 0;
    dc.onmessage = () => { echoes++; };
    for (let i = 0; i < 5; i++) dc.send(`m${i}`);
    await waitFor('5 echoes', 10_000, () => echoes, (n) => n === 5, 20);

    // Rivulet: remote-outbound-rtp from Chromium's SR (audio SRs come every few seconds).
    // Its roundTripTime comes from Chromium's DLRR answers to our RRTRs (RFC 3611 §4.5), which we
    // send only because Chromium's answer asks for them (a=rtcp-xr:rcvr-rtt, RFC 3611 §5.1).
    expect(pc.remoteDescription!.sdp.split('\r\n').filter((l) => l.startsWith('a=rtcp-xr'))).to.deep.equal(['a=rtcp-xr:rcvr-rtt=all']);
    const ours = await waitFor('remote-outbound-rtp with a round trip in Rivulet\'s report', 30_000, async () => entries(await pc!.getStats()),
      (l) => l.some((s) => s.type === 'remote-outbound-rtp' && typeof s['roundTripTime'] === 'number') && l.some((s) => s.type === 'remote-inbound-rtp'), 250);
    const inbound = ours.find((s) => s.type === 'inbound-rtp')!;
    const ro = ours.find((s) => s.id === inbound['remoteId'])!;
    expect(ro.type).to.equal('remote-outbound-rtp');
    expect([ro['localId'], ro['ssrc'], ro['kind']]).to.deep.equal([inbound.id, inbound['ssrc'], 'audio']);
    expect(ro['packetsSent'] as number).to.be.greaterThan(0);
    expect(ro['bytesSent'] as number).to.be.greaterThan(0);
    expect(ro['reportsSent'] as number).to.be.at.least(1);
    expect(ro['roundTripTime'] as number).to.be.at.least(0).and.lessThan(1);
    expect(ro['roundTripTimeMeasurements'] as number).to.be.at.least(1);
    // Chromium's NTP clock is this machine's: its SR was sent within the last minute.
    expect(Math.abs((ro['remoteTimestamp'] as number) - ro.timestamp)).to.be.lessThan(60_000);

    // Chromium: our SR consumed (its remote-outbound-rtp) and our report blocks (its remote-inbound-rtp).
    const theirs = await waitFor('Chromium\'s remote-outbound-rtp and remote-inbound-rtp', 30_000,
      async () => (await page.evaluate(`(async () => { const out = []; (await window.pc.getStats()).forEach((s) => out.push(s)); return out; })()`)) as Entry[],
      // roundTripTime needs a report block of ours sent after we got an SR of theirs (LSR ≠ 0).
      (l) => l.some((s) => s.type === 'remote-outbound-rtp') && l.some((s) => s.type === 'remote-inbound-rtp' && typeof s['roundTripTime'] === 'number'), 250);
    const theirIn = theirs.find((s) => s.type === 'inbound-rtp' && s['kind'] === 'audio')!;
    const theirRo = theirs.find((s) => s.id === theirIn['remoteId'])!;
    expect(theirRo['packetsSent'] as number).to.be.greaterThan(0);
    const theirOut = theirs.find((s) => s.type === 'outbound-rtp' && s['kind'] === 'audio')!;
    const theirRi = theirs.find((s) => s.id === theirOut['remoteId'])!;
    expect(theirRi.type).to.equal('remote-inbound-rtp');
    expect(theirRi['roundTripTime'], 'Chromium measured RTT from our report blocks (LSR/DLSR)').to.be.a('number');

    // Every member Chromium reports for these types is in ours, except what Rivulet cannot know.
    const final = entries(await pc.getStats());
    const mine = membersByType(final);
    const missing: string[] = [];
    for (const [type, members] of membersByType(theirs)) {
      if (!TYPES.includes(type)) continue;
      for (const m of members) {
        if (mine.get(type)?.has(m) || CANNOT_KNOW[type]![m] !== undefined) continue;
        missing.push(`${type}.${m}`);
      }
    }
    expect(missing, 'members Chromium reports that Rivulet lacks').to.deep.equal([]);
    const extra: string[] = [];
    const theirMembers = membersByType(theirs);
    for (const [type, members] of mine) {
      if (!TYPES.includes(type)) continue;
      for (const m of members) if (!theirMembers.get(type)?.has(m)) extra.push(`${type}.${m}`);
    }
    // And the other way: what we report beyond Chromium is standard webrtc-stats (Chromium reports
    // these for video only, or not at all) or our one documented non-standard member.
    expect(extra.filter((m) => BEYOND_CHROMIUM[m] === undefined), 'members Rivulet reports that are neither in Chromium\'s report nor listed').to.deep.equal([]);
    const pair = final.find((s) => s.type === 'transport')!;
    const sel = final.find((s) => s.id === pair['selectedCandidatePairId'])!;
    expect(sel['lastPacketReceivedTimestamp']).to.be.a('number');
  });
  it('framesReceived / keyFramesReceived of Chromium\'s camera video agree with Chromium\'s framesSent / keyFramesEncoded', async () => {
    const page = chrome!.page;
    const video = loopbackPeer();
    try {
      video.addTransceiver('video', { direction: 'recvonly' });
      await offerToPage(page, video, pageAnswer('vpc', `
        const cam = await navigator.mediaDevices.getUserMedia({ video: { width: 320, height: 240 } });
        cam.getTracks().forEach((tr) => pc.addTrack(tr, cam));
      `));
      const sent = async () => (await page.evaluate(`(async () => { let r; (await window.vpc.getStats()).forEach((s) => { if (s.type === 'outbound-rtp' && s.kind === 'video') r = { frames: s.framesSent, keys: s.keyFramesEncoded }; }); return r; })()`)) as { frames: number; keys: number } | undefined;
      const received = async () => {
        const i = entries(await video.getStats()).find((s) => s.type === 'inbound-rtp' && s['kind'] === 'video');
        return i ? { frames: i['framesReceived'] as number, keys: i['keyFramesReceived'] as number, codec: i['codecId'] as string } : undefined;
      };
      await waitFor('60 video frames received', 30_000, received, (r) => (r?.frames ?? 0) >= 60, 200);
      // Bracket ours between two readings of Chromium's: frames in flight are the only difference.
      const before = (await sent())!;
      const ours = (await received())!;
      const after = (await sent())!;
      expect(ours.frames).to.be.at.most(after.frames).and.at.least(before.frames - 10);
      expect(ours.keys).to.be.at.least(1).and.at.most(after.keys).and.at.least(before.keys - 1);
      const codec = entries(await video.getStats()).find((s) => s.id === ours.codec)!;
      expect(['video/VP8', 'video/VP9', 'video/H264', 'video/AV1']).to.include(codec['mimeType']);
    } finally {
      video.close();
    }
  });
});

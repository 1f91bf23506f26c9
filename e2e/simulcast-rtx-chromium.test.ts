/**
 * Chromium sends 3-layer rid simulcast (no a=ssrc lines, so no a=ssrc-group:FID) into Rivulet
 * over real UDP on 127.0.0.1. Rivulet's socket loses chosen media datagrams (SRTP leaves the RTP
 * header readable, RFC 3711 §3.1); Rivulet NACKs them (RFC 4585), Chromium answers with RTX
 * carrying RepairedRtpStreamId (RFC 8852 §3), and Rivulet binds those unannounced RTX SSRCs
 * to their layers, unwraps them (RFC 4588 §4) and fills every gap: each lost packet arrives in
 * its layer with its original sequence number, and the frame reader of the lowest layer loses
 * no packet and asks for no key frame.
 */
import { expect } from 'chai';
import { EncodedFrameReader, getUserMedia, stopUserMedia, type ReceivedFrame } from '@rivulet/media';
import { simulcastLayerTrack, type RTCRtpReceiver } from '@rivulet/webrtc';
import { CHROMIUM_PATH, launchChromium, type ChromiumSession } from './support/chromium.js';
import { CHROMIUM_GATHERED, pageAnswer, pageOffer } from './support/pageScripts.js';
import { answerWithCandidates, applyInPage, loopbackPeer, offerToPage } from './support/signaling.js';
import { droppingNetwork } from './support/droppingNetwork.js';
import { MediaLoss, expectLossesRepaired, recordLayers } from './support/simulcastLoss.js';
import { requireFfmpeg, requireTool } from './support/tools.js';
import { until, waitFor } from './support/wait.js';

const RIDS = ['q', 'h', 'f'];

/** The fake camera at 1280x720 in three layers, VP8 only (with its RTX), as the SFU example's page publishes. */
const SENDER = pageOffer('pc', `
  const media = await navigator.mediaDevices.getUserMedia({ video: { width: 1280, height: 720, frameRate: 30 } });
  const t = pc.addTransceiver(media.getVideoTracks()[0], { direction: 'sendonly', sendEncodings: [
    { rid: 'q', scaleResolutionDownBy: 4, maxBitrate: 150000 },
    { rid: 'h', scaleResolutionDownBy: 2, maxBitrate: 500000 },
    { rid: 'f', maxBitrate: 1500000 },
  ] });
  const all = RTCRtpSender.getCapabilities('video').codecs;
  t.setCodecPreferences(all.filter((c) => c.mimeType === 'video/VP8' || c.mimeType === 'video/rtx'));
`);

const OUTBOUND = `(async () => {
  const out = {};
  (await window.pc.getStats()).forEach((s) => { if (s.type === 'outbound-rtp') out[s.rid] = { packetsSent: s.packetsSent, retransmittedPacketsSent: s.retransmittedPacketsSent ?? 0, nackCount: s.nackCount ?? 0 }; });
  return out;
})()`;

describe('simulcast RTX from Chromium without FID: repaired-rid binds, unwraps and fills the gaps', function () {
  this.timeout(90_000);
  let chrome: ChromiumSession | undefined;

  before(async function () {
    requireTool(this, CHROMIUM_PATH, 'chromium');
    chrome = await launchChromium();
  });
  after(async () => {
    await chrome?.close();
  });

  it('every media packet Rivulet\'s socket lost comes back as RTX, in its layer, with its original sequence number', async () => {
    const page = chrome!.page;
    await page.evaluate(CHROMIUM_GATHERED);
    const offer = await page.evaluate<{ type: 'offer'; sdp: string }>(SENDER);
    expect(offer.sdp).to.match(/a=simulcast:send q;h;f/);
    expect(offer.sdp, 'Chromium announces no SSRC for rid simulcast').to.not.match(/a=ssrc-group:FID/);
    expect(offer.sdp).to.match(/urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id/);

    // Lose the 30th, 60th, ... media packet of each SSRC (at most 6 per SSRC), once each.
    const loss = new MediaLoss(30, 6);
    const lost = loss.lost;
    const pc = loopbackPeer({ network: droppingNetwork(loss.drop) });
    let receiver: RTCRtpReceiver | undefined;
    pc.ontrack = (e) => { receiver = e.receiver; };
    try {
      const answer = await answerWithCandidates(pc, offer);
      expect(answer.sdp).to.match(/a=simulcast:recv q;h;f/);
      loss.mediaPt = receiver!.getParameters().codecs.find((c) => c.mimeType === 'video/VP8')!.payloadType;
      // Per layer: every sequence number that reached the layer's track, and its SSRC.
      const layers = recordLayers(receiver!, RIDS);
      // A hole may wait up to 1 s for its repair (a loaded CI machine can stretch the NACK round trip).
      const reader = new EncodedFrameReader(simulcastLayerTrack(receiver!, 'q'), receiver!, { maxLatencyMs: 1000 });
      const frames: ReceivedFrame[] = [];
      const losses: number[] = [];
      reader.on('frame', (f) => frames.push(f));
      reader.on('loss', (l) => losses.push(l.firstSequenceNumber));
      await applyInPage(page, 'window.pc', answer);
      await until(() => pc.connectionState === 'connected', 20_000, 'connected to Chromium');

      // Six losses on the lowest layer at least (its 180th packet), then all repairs in.
      const qSsrc = () => [...layers.get('q')!.ssrcs][0];
      await until(() => { const s = qSsrc(); return s !== undefined && (lost.get(s)?.length ?? 0) >= 6; }, 40_000, 'six packets of layer q lost');
      await new Promise((r) => setTimeout(r, 1500)); // NACK round trips on loopback take milliseconds; the last drop was ≤ 1 packet ago
      const ssrcOfRid = new Map([...layers].map(([rid, l]) => [rid, [...l.ssrcs]]));
      for (const [rid, ssrcs] of ssrcOfRid) expect(ssrcs.length, `layer ${rid} arrived on one SSRC`).to.be.at.most(1);
      const repaired = expectLossesRepaired(lost, layers);
      expect(repaired).to.be.at.least(6);

      const stats = [...(await pc.getStats()).values()];
      const inbound = stats.filter((s) => s.type === 'inbound-rtp');
      const rtxIn = inbound.reduce((n, s) => n + (s['retransmittedPacketsReceived'] as number), 0);
      expect(rtxIn).to.be.at.least(repaired);
      for (const [ssrc, seqs] of lost) {
        const i = inbound.find((s) => s['ssrc'] === ssrc)!;
        expect(i['retransmittedPacketsReceived'] as number, `inbound ${ssrc}`).to.be.at.least(seqs.length);
        expect(i['retransmittedBytesReceived'] as number).to.be.greaterThan(0);
      }
      const counters = stats.find((s) => s.type === 'transport')!['rivuletCounters'] as Record<string, number>;
      expect(counters['rtx-unknown-rid'] ?? 0).to.equal(0);
      // The sender side agrees: Chromium got NACKs and retransmitted.
      const out = await waitFor('Chromium outbound-rtp', 5000, () => page.evaluate<Record<string, { retransmittedPacketsSent: number; nackCount: number }>>(OUTBOUND), (o) => o['q'] !== undefined);
      expect(out['q']!.nackCount).to.be.greaterThan(0);
      // Not "at least the losses": a lost packet may come back in one of Chromium's bandwidth probes
      // (RTX padding that carries a recent packet), which it does not count as a retransmission.
      expect(out['q']!.retransmittedPacketsSent).to.be.greaterThan(0);

      // The lowest layer's frames came through whole: no packet given up, no key frame asked for.
      expect(frames.length).to.be.greaterThan(100);
      expect(losses).to.deep.equal([]);
      expect(reader.counters.get('packetsLost')).to.equal(0);
      expect(reader.counters.get('keyframeRequests')).to.equal(0);
      expect(frames[0]!.keyframe).to.equal(true);
      reader.close();
    } finally {
      pc.close();
    }
  });

  // The sending direction. Chromium does not receive simulcast: it answers a rid-simulcast offer
  // without a=simulcast, and Rivulet then sends one stream whose SSRC and RTX SSRC were never
  // announced (the offer had rids, so no a=ssrc lines). Chromium must still use our RTX.
  it('Rivulet sending: Chromium declines simulcast; every datagram lost on the way out is NACKed and answered by RTX that Chromium attributes to the stream', async function () {
    requireFfmpeg(this);
    const page = chrome!.page;
    await page.reload();
    await page.evaluate(CHROMIUM_GATHERED);
    let n = 0;
    let lost = 0;
    const pc = loopbackPeer({
      network: droppingNetwork((d) => {
        if (d.length < 12 || d[0]! < 128 || d[0]! > 191 || (d[1]! >= 192 && d[1]! <= 223) || (d[1]! & 0x7f) !== 96) return false;
        if (++n % 30 !== 0 || lost >= 8) return false;
        lost++;
        return true;
      }, true),
    });
    const stream = await getUserMedia({ video: { width: 320, height: 240, frameRate: 30 }, rivulet: { videoCodec: 'VP8' } });
    try {
      pc.addTransceiver(stream.getVideoTracks()[0]!, { direction: 'sendonly', streams: [stream], sendEncodings: [{ rid: 'lo' }, { rid: 'hi' }] });
      const answer = await offerToPage(page, pc, pageAnswer('pc', 'pc.ontrack = () => {};'));
      expect(pc.localDescription!.sdp).to.match(/a=simulcast:send lo;hi/);
      expect(pc.localDescription!.sdp).to.not.match(/a=ssrc/);
      expect(answer.sdp, 'Chromium declines simulcast').to.not.match(/a=simulcast/);
      const inbound = () => page.evaluate<{ rtx: number; nack: number; packets: number }>(`(async () => { let o = { rtx: 0, nack: 0, packets: 0 }; (await window.pc.getStats()).forEach((s) => { if (s.type === 'inbound-rtp' && s.kind === 'video') o = { rtx: s.retransmittedPacketsReceived ?? 0, nack: s.nackCount ?? 0, packets: s.packetsReceived }; }); return o; })()`);
      const got = await waitFor('Chromium receiving the 8 retransmissions', 30_000, inbound, (o) => lost === 8 && o.rtx >= 8, 250);
      expect(got.rtx).to.equal(8);
      expect(got.nack).to.be.greaterThan(0);
      const out = [...(await pc.getStats()).values()].filter((s) => s.type === 'outbound-rtp');
      expect(out[0]!['retransmittedPacketsSent']).to.equal(8); // the first encoding is the one stream sent
    } finally {
      stopUserMedia(stream);
      pc.close();
    }
  });
});

/**
 * Firefox ESR publishing rid simulcast into Rivulet over real UDP on 127.0.0.1, with media
 * datagrams lost on Rivulet's socket. Firefox announces its layers' SSRCs and their RTX partners
 * (a=ssrc-group:FID beside a=rid), so this is the "rid with FID" path: every loss must still be
 * NACKed, retransmitted and unwrapped into its layer with its original sequence number.
 */
import { expect } from 'chai';
import { type RTCRtpReceiver } from '@rivulet/webrtc';
import { FIREFOX_APT, FIREFOX_PATH, launchFirefox, type FirefoxSession } from './support/firefox.js';
import { FIREFOX_GATHERED, pageOffer } from './support/pageScripts.js';
import { answerWithCandidates, applyInPage, loopbackPeer } from './support/signaling.js';
import { droppingNetwork } from './support/droppingNetwork.js';
import { MediaLoss, expectLossesRepaired, recordLayers } from './support/simulcastLoss.js';
import { requireTool } from './support/tools.js';
import { until } from './support/wait.js';

const RIDS = ['h', 'm', 'l'];

describe('simulcast RTX from Firefox (rid with a=ssrc-group:FID)', function () {
  this.timeout(90_000);
  let ff: FirefoxSession | undefined;

  before(async function () {
    this.timeout(90_000);
    requireTool(this, FIREFOX_PATH, FIREFOX_APT);
    ff = await launchFirefox();
    await ff.page.evaluate(FIREFOX_GATHERED);
  });
  after(async () => {
    await ff?.close();
  });

  it('every media packet Rivulet\'s socket lost comes back as RTX in its layer, with its original sequence number', async () => {
    const offer = (await ff!.page.evaluate(pageOffer('sim', `
      const s = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 360 } });
      pc.addTransceiver(s.getVideoTracks()[0], { direction: 'sendonly', streams: [s], sendEncodings: [
        { rid: 'h', maxBitrate: 1200000 }, { rid: 'm', maxBitrate: 600000, scaleResolutionDownBy: 2 }, { rid: 'l', maxBitrate: 300000, scaleResolutionDownBy: 4 },
      ] });
    `))) as { type: 'offer'; sdp: string };
    expect(offer.sdp).to.match(/a=simulcast:send h;m;l/);
    expect(offer.sdp.match(/a=ssrc-group:FID/g), 'Firefox announces each layer\'s RTX SSRC').to.have.length(3);
    // Lose the 25th, 50th, ... media packet of each SSRC (at most five per SSRC), once each.
    const loss = new MediaLoss(25, 5);
    const lost = loss.lost;
    const pc = loopbackPeer({ network: droppingNetwork(loss.drop) });
    let receiver: RTCRtpReceiver | undefined;
    pc.ontrack = (e) => { receiver = e.receiver; };
    try {
      const answer = await answerWithCandidates(pc, offer);
      expect(answer.sdp).to.match(/a=simulcast:recv h;m;l/);
      loss.mediaPt = receiver!.getParameters().codecs.find((c) => c.mimeType === 'video/VP8')!.payloadType;
      const layers = recordLayers(receiver!, RIDS);
      await applyInPage(ff!.page, 'window.sim', answer);
      await until(() => pc.connectionState === 'connected', 30_000, 'connected to Firefox');
      // Five losses on two layers at least (Firefox may stop its top layer under load).
      await until(() => [...lost.values()].filter((x) => x.length >= 5).length >= 2, 40_000, 'five losses on two layers');
      await new Promise((r) => setTimeout(r, 1500));
      const repaired = expectLossesRepaired(lost, layers);
      expect(repaired).to.be.at.least(10);
      const stats = [...(await pc.getStats()).values()];
      for (const [ssrc, seqs] of lost) {
        const i = stats.find((s) => s.type === 'inbound-rtp' && s['ssrc'] === ssrc)!;
        expect(i['retransmittedPacketsReceived'] as number, `inbound ${ssrc}`).to.be.at.least(seqs.length);
      }
      const counters = stats.find((s) => s.type === 'transport')!['rivuletCounters'] as Record<string, number>;
      expect(counters['rtx-unknown-rid'] ?? 0).to.equal(0);
    } finally {
      pc.close();
    }
  });
});

/**
 * Firefox ESR publishing rid simulcast into Rivulet over real UDP on 127.0.0.1, with media
 * datagrams lost on Rivulet's socket. Firefox announces its layers' SSRCs and their RTX partners
 * (a=ssrc-group:FID beside a=rid), so this is the "rid with FID" path: every loss must still be
 * NACKed, retransmitted and unwrapped into its layer with its original sequence number.
 */
import { expect } from 'chai';
import { RtpPacket } from '@rivulet/rtp';
import { readTrack, simulcastLayerTrack, type RTCRtpReceiver } from '@rivulet/webrtc';
import { FIREFOX_APT, FIREFOX_PATH, launchFirefox, type FirefoxSession } from './support/firefox.js';
import { FIREFOX_GATHERED, pageOffer } from './support/pageScripts.js';
import { answerWithCandidates, applyInPage, loopbackPeer } from './support/signaling.js';
import { droppingNetwork } from './support/droppingNetwork.js';
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
    let mediaPt: number | undefined;
    const seen = new Map<number, number>();
    const lost = new Map<number, number[]>();
    // Lose the 25th, 50th, ... media packet of each SSRC (at most five per SSRC), once each.
    const drop = (d: Buffer): boolean => {
      if (mediaPt === undefined || d.length < 12 || d[0]! < 128 || d[0]! > 191) return false;
      if (d[1]! >= 192 && d[1]! <= 223) return false; // RTCP (RFC 5761 §4)
      if ((d[1]! & 0x7f) !== mediaPt) return false;
      const ssrc = d.readUInt32BE(8);
      const n = (seen.get(ssrc) ?? 0) + 1;
      seen.set(ssrc, n);
      const mine = lost.get(ssrc) ?? [];
      if (n % 25 !== 0 || mine.length >= 5) return false;
      mine.push(d.readUInt16BE(2));
      lost.set(ssrc, mine);
      return true;
    };
    const pc = loopbackPeer({ network: droppingNetwork(drop) });
    let receiver: RTCRtpReceiver | undefined;
    pc.ontrack = (e) => { receiver = e.receiver; };
    try {
      const answer = await answerWithCandidates(pc, offer);
      expect(answer.sdp).to.match(/a=simulcast:recv h;m;l/);
      mediaPt = receiver!.getParameters().codecs.find((c) => c.mimeType === 'video/VP8')!.payloadType;
      const layers = new Map(RIDS.map((rid) => [rid, { ssrcs: new Set<number>(), seqs: new Set<number>() }]));
      for (const rid of RIDS) {
        const l = layers.get(rid)!;
        readTrack(simulcastLayerTrack(receiver!, rid), {
          rtp: (raw) => {
            const p = RtpPacket.parse(Buffer.from(raw));
            l.ssrcs.add(p.ssrc);
            l.seqs.add(p.sequenceNumber);
          },
        });
      }
      await applyInPage(ff!.page, 'window.sim', answer);
      await until(() => pc.connectionState === 'connected', 30_000, 'connected to Firefox');
      // Five losses on two layers at least (Firefox may stop its top layer under load).
      await until(() => [...lost.values()].filter((x) => x.length >= 5).length >= 2, 40_000, 'five losses on two layers');
      await new Promise((r) => setTimeout(r, 1500));
      const ssrcOfRid = new Map([...layers].map(([rid, l]) => [rid, [...l.ssrcs]]));
      let repaired = 0;
      for (const [ssrc, seqs] of lost) {
        const rid = [...ssrcOfRid].find(([, s]) => s.includes(ssrc))?.[0];
        expect(rid, `lost SSRC ${ssrc} belongs to a layer`).to.not.equal(undefined);
        const got = layers.get(rid!)!.seqs;
        expect(seqs.filter((s) => !got.has(s)), `layer ${rid}: lost sequence numbers never repaired`).to.deep.equal([]);
        repaired += seqs.length;
      }
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

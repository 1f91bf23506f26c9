import { expect } from 'chai';
import type { RTCDataChannel, RTCPeerConnection } from '@rivulet/webrtc';
import { connectBrowserDataPair } from './support/browserDataPair.js';
import { describeMsg, opened, PAGE_DATA_HELPERS, pattern } from './support/dataMessages.js';
import { FIREFOX_APT, FIREFOX_PATH, launchFirefox, type FirefoxSession } from './support/firefox.js';
import { FIREFOX_GATHERED } from './support/pageScripts.js';
import { loopbackPeer } from './support/signaling.js';
import { requireTool } from './support/tools.js';
import { until, waitInPage } from './support/wait.js';

/**
 * SCTP PLPMTUD against headless Firefox ESR (usrsctp, NSS DTLS) on 127.0.0.1, both offer roles:
 * probes answered, our packets at the default 2048-byte-datagram cap (2008-byte SCTP packets with
 * AES-GCM), a bulk transfer both ways intact.
 */
type Counters = Record<string, number>;

/** rivuletCounters of the transport stats (the sctp:* entries, webrtc defaultBundle). */
async function sctpCounters(pc: RTCPeerConnection): Promise<Counters> {
  const report = await pc.getStats();
  for (const s of report.values()) {
    const t = s as { type: string; rivuletCounters?: Counters };
    if (t.type === 'transport' && t.rivuletCounters) return t.rivuletCounters;
  }
  throw new Error('no transport stats with rivuletCounters');
}

for (const offerer of ['firefox', 'rivulet'] as const) {
  describe(`SCTP PLPMTUD with Firefox (${offerer} offers)`, function () {
    this.timeout(60_000);
    let ff: FirefoxSession | undefined;
    let pc: RTCPeerConnection | undefined;
    const received: RTCDataChannel[] = [];

    before(async function () {
      this.timeout(90_000);
      requireTool(this, FIREFOX_PATH, FIREFOX_APT);
      ff = await launchFirefox();
      await ff.page.evaluate(FIREFOX_GATHERED + PAGE_DATA_HELPERS);
      pc = loopbackPeer();
      pc.ondatachannel = (e) => received.push(e.channel);
      await connectBrowserDataPair(ff.page, pc, { offerer: offerer === 'firefox' ? 'page' : 'rivulet', browser: 'Firefox', received });
    });
    after(async () => {
      pc?.close();
      await ff?.close();
    });

    it('4 MiB to Firefox and 200 messages back arrive intact; our packets are 2008 bytes', async () => {
      const dc = pc!.createDataChannel('bulk');
      dc.binaryType = 'arraybuffer';
      const back: number[] = [];
      dc.onmessage = (e) => back.push((e.data as ArrayBuffer).byteLength);
      await opened(dc);
      await waitInPage(ff!.page, `window.chans['bulk'] && window.chans['bulk'].readyState === 'open'`, 'bulk open in page', 10_000, 20, 'Firefox');
      const COUNT = 64;
      const sent: Uint8Array[] = [];
      for (let i = 0; i < COUNT; i++) sent.push(pattern(64 * 1024, i));
      let i = 0;
      dc.bufferedAmountLowThreshold = 256 * 1024;
      const fill = (): void => {
        while (i < COUNT && dc.bufferedAmount < 1024 * 1024) dc.send(sent[i++]!);
      };
      dc.onbufferedamountlow = fill;
      fill();
      await ff!.page.evaluate(`(() => { const dc = window.chans['bulk']; for (let i = 0; i < 200; i++) dc.send(H.pattern(1000, i)); })()`);
      await waitInPage(ff!.page, `window.got['bulk'].length === ${COUNT}`, '4 MiB at Firefox', 30_000, 20, 'Firefox');
      expect(await ff!.page.evaluate(`window.got['bulk']`)).to.deep.equal(sent.map(describeMsg));
      await until(() => back.length === 200, 15_000, '200 messages from Firefox');
      expect(back.every((n) => n === 1000)).to.equal(true);
      const c = await sctpCounters(pc!);
      expect(c['sctp:plpmtu']).to.equal(2008);
      expect(c['sctp:plpmtuProbesLost']).to.equal(0);
      expect(c['sctp:packetsOverBase']).to.be.greaterThan((0.8 * COUNT * 64 * 1024) / 2008);
      expect(pc!.connectionState).to.equal('connected');
    });
  });
}

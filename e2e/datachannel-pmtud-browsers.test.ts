import { expect } from 'chai';
import type { RTCDataChannel, RTCPeerConnection } from '@rivulet/webrtc';
import { CHROMIUM_PATH, launchChromium } from './support/chromium.js';
import { FIREFOX_APT, FIREFOX_PATH, launchFirefox } from './support/firefox.js';
import { connectBrowserDataPair } from './support/browserDataPair.js';
import { describeMsg, opened, PAGE_DATA_HELPERS, pattern } from './support/dataMessages.js';
import { CHROMIUM_GATHERED, FIREFOX_GATHERED } from './support/pageScripts.js';
import { loopbackPeer } from './support/signaling.js';
import { requireTool } from './support/tools.js';
import { transportCounters } from './support/transportCounters.js';
import { until, waitInPage, type PageLike } from './support/wait.js';

/**
 * SCTP PLPMTUD (RFC 8899) against headless Chromium (dcsctp, BoringSSL DTLS) and Firefox ESR
 * (usrsctp, NSS DTLS) on 127.0.0.1, both offer roles: our HEARTBEAT + PAD probes are answered (both
 * skip the unknown 0x84 chunk and ack the HEARTBEAT), our SCTP packets grow to the default cap
 * (2048-byte datagrams − 37 bytes of AES-GCM record = 2008-byte packets), and a bulk transfer both
 * ways arrives intact. Chromium's DTLS transport fails outright on a datagram above ~2065 bytes
 * (measured with probes of 2100, 2200, 2300, 2400 and 2992 bytes: connection 'failed'), hence that
 * default. Rivulet↔Rivulet and node-datachannel are in datachannel-pmtud.test.ts.
 */
interface BrowserUnderTest {
  name: 'Chromium' | 'Firefox';
  path: string;
  apt: string;
  gathered: string;
  launch(): Promise<{ page: PageLike; close(): Promise<void> }>;
  pollMs: number;
}

const BROWSERS: BrowserUnderTest[] = [
  { name: 'Chromium', path: CHROMIUM_PATH, apt: 'chromium', gathered: CHROMIUM_GATHERED, launch: () => launchChromium(), pollMs: 10 },
  { name: 'Firefox', path: FIREFOX_PATH, apt: FIREFOX_APT, gathered: FIREFOX_GATHERED, launch: () => launchFirefox(), pollMs: 20 },
];

for (const b of BROWSERS) {
  for (const offerer of ['page', 'rivulet'] as const) {
    describe(`SCTP PLPMTUD with ${b.name} (${offerer === 'page' ? b.name.toLowerCase() : 'rivulet'} offers)`, function () {
      this.timeout(60_000);
      let session: { page: PageLike; close(): Promise<void> } | undefined;
      let pc: RTCPeerConnection | undefined;
      const received: RTCDataChannel[] = [];

      before(async function () {
        this.timeout(90_000);
        requireTool(this, b.path, b.apt);
        session = await b.launch();
        await session.page.evaluate(b.gathered + PAGE_DATA_HELPERS);
        pc = loopbackPeer();
        pc.ondatachannel = (e) => received.push(e.channel);
        await connectBrowserDataPair(session.page, pc, { offerer, browser: b.name, received });
      });
      after(async () => {
        pc?.close();
        await session?.close();
      });

      it(`4 MiB to ${b.name} and 200 messages back arrive intact; our packets are 2008 bytes`, async () => {
        const page = session!.page;
        const dc = pc!.createDataChannel('bulk');
        dc.binaryType = 'arraybuffer';
        const back: number[] = [];
        dc.onmessage = (e) => back.push((e.data as ArrayBuffer).byteLength);
        await opened(dc);
        await waitInPage(page, `window.chans['bulk'] && window.chans['bulk'].readyState === 'open'`, 'bulk open in page', 10_000, b.pollMs, b.name);
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
        await page.evaluate(`(() => { const dc = window.chans['bulk']; for (let i = 0; i < 200; i++) dc.send(H.pattern(1000, i)); })()`);
        await waitInPage(page, `window.got['bulk'].length === ${COUNT}`, `4 MiB at ${b.name}`, 30_000, 20, b.name);
        expect(await page.evaluate(`window.got['bulk']`)).to.deep.equal(sent.map(describeMsg));
        await until(() => back.length === 200, 15_000, `200 messages from ${b.name}`);
        expect(back.every((n) => n === 1000)).to.equal(true);
        const c = await transportCounters(pc!);
        expect(c['sctp:plpmtu']).to.equal(2008);
        expect(c['sctp:plpmtuProbesLost']).to.equal(0);
        // Most of the 4 MiB went in 2008-byte packets (the first ones may leave while the search still climbs).
        expect(c['sctp:packetsOverBase']).to.be.greaterThan((0.8 * COUNT * 64 * 1024) / 2008);
        expect(pc!.connectionState).to.equal('connected');
      });
    });
  }
}

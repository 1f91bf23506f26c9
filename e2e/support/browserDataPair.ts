import type { RTCDataChannel, RTCPeerConnection } from '@rivulet/webrtc';
import { acceptPageOffer, offerToPage } from './signaling.js';
import { pageAnswer, pageOffer } from './pageScripts.js';
import { until, waitInPage, type PageLike } from './wait.js';

/**
 * A Rivulet peer and a browser page's peer (`window.pc`) joined by an SCTP association, for the
 * data-channel interop tests. Either side offers, with whole descriptions after gathering; the
 * offerer opens a channel labelled 'boot' (a browser creates no SCTP m-line without one), and
 * the call resolves once 'boot' is open on both sides, i.e. ICE, DTLS, SCTP and DCEP completed.
 *
 * The page must hold window.gathered (pageScripts.ts) and window.H (dataMessages.ts
 * PAGE_DATA_HELPERS): every channel the page sees goes through H.track.
 */
export interface BrowserDataPairOptions {
  /** Who creates the offer and the 'boot' channel. */
  offerer: 'page' | 'rivulet';
  /** The browser's name, for timeout messages. */
  browser: string;
  /** Channels Rivulet received (its ondatachannel pushes here): the page's 'boot' lands at [0]. */
  received: readonly RTCDataChannel[];
  /** How long each side may take to open 'boot', ms (default 15 s). */
  timeoutMs?: number;
  /** Turns a timeout at Rivulet's side into a more telling error (states of both peers). */
  explain?: (err: Error) => Promise<never>;
}

export async function connectBrowserDataPair(page: PageLike, pc: RTCPeerConnection, options: BrowserDataPairOptions): Promise<void> {
  const ms = options.timeoutMs ?? 15_000;
  const explain = options.explain ?? ((err: Error) => Promise.reject(err));
  if (options.offerer === 'page') {
    const offer = await page.evaluate(pageOffer('pc', `pc.ondatachannel = (e) => H.track(e.channel);
  H.track(pc.createDataChannel('boot'));`));
    await acceptPageOffer(page, 'window.pc', pc, offer as { type: 'offer'; sdp: string });
    await until(() => options.received[0]?.readyState === 'open', ms, 'boot channel open at Rivulet').catch(explain);
  } else {
    const boot = pc.createDataChannel('boot');
    await offerToPage(page, pc, pageAnswer('pc', 'pc.ondatachannel = (e) => H.track(e.channel);'));
    await until(() => boot.readyState === 'open', ms, 'boot channel open at Rivulet').catch(explain);
  }
  await waitInPage(page, `window.chans.boot && window.chans.boot.readyState === 'open'`, 'boot channel open', ms, 10, options.browser);
}

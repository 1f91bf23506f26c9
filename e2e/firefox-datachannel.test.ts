import { expect } from 'chai';
import type { RTCDataChannel, RTCPeerConnection } from '@rivulet/webrtc';
import { connectBrowserDataPair } from './support/browserDataPair.js';
import { describeData, describeMsg, matrix, opened, PAGE_DATA_HELPERS, text } from './support/dataMessages.js';
import { FIREFOX_APT, FIREFOX_PATH, launchFirefox, type FirefoxSession } from './support/firefox.js';
import { FIREFOX_GATHERED } from './support/pageScripts.js';
import { loopbackPeer } from './support/signaling.js';
import { requireTool } from './support/tools.js';
import { until, waitInPage } from './support/wait.js';

/**
 * Rivulet's RTCDataChannel against headless Firefox ESR (its usrsctp-based
 * data channels), in both offer roles, over 127.0.0.1. Signaling is
 * page.evaluate with whole descriptions after gathering (no trickle).
 * Payloads are compared by a descriptor (type, length, FNV-1a hash) that
 * both sides compute over the same deterministic messages (support/dataMessages.ts).
 */
for (const offerer of ['firefox', 'rivulet'] as const) {
  describe(`data channels with Firefox (${offerer} offers)`, function () {
    this.timeout(40_000);
    let ff: FirefoxSession | undefined;
    let pc: RTCPeerConnection | undefined;
    const received: RTCDataChannel[] = [];
    const inbox = new Map<string, string[]>();
    const ev = async <T>(js: string): Promise<T> => (await ff!.page.evaluate(js)) as T;
    const waitPage = (js: string, what: string, ms = 10_000): Promise<void> => waitInPage(ff!.page, js, what, ms, 20, 'Firefox');

    before(async function () {
      this.timeout(90_000);
      requireTool(this, FIREFOX_PATH, FIREFOX_APT);
      ff = await launchFirefox();
      await ev(FIREFOX_GATHERED + PAGE_DATA_HELPERS);
      pc = loopbackPeer();
      // Collect from the 'datachannel' event on: Firefox sends as soon as its side opens, and a
      // message that arrives before a listener is attached is gone.
      pc.ondatachannel = (e) => {
        const list: string[] = [];
        inbox.set(e.channel.label, list);
        e.channel.onmessage = (m) => list.push(describeData(m.data));
        received.push(e.channel);
      };
      const explain = async (err: Error): Promise<never> => {
        const theirs = await ev<string[]>(`[window.pc.signalingState, window.pc.iceConnectionState, window.pc.connectionState, window.pc.sctp ? window.pc.sctp.state : 'no sctp']`).catch(() => []);
        throw new Error(`${err.message}; Rivulet ${[pc!.signalingState, pc!.iceConnectionState, pc!.connectionState, pc!.sctp?.state ?? 'no sctp'].join('/')}; Firefox ${theirs.join('/')}`);
      };
      await connectBrowserDataPair(ff.page, pc, { offerer: offerer === 'firefox' ? 'page' : 'rivulet', browser: 'Firefox', received, explain });
      received.length = 0;
    });

    after(async () => {
      pc?.close();
      await ff?.close();
    });

    it('both peers are connected over 127.0.0.1', async () => {
      expect(pc!.connectionState).to.equal('connected');
      expect(await ev<string>('window.pc.connectionState')).to.equal('connected');
      const pair = await ev<{ local: string; remote: string } | null>(`(async () => {
        const s = await window.pc.getStats(); let p = null;
        s.forEach((x) => { if (x.type === 'candidate-pair' && x.state === 'succeeded' && (x.selected || x.nominated)) p = x; });
        return p && { local: s.get(p.localCandidateId).address, remote: s.get(p.remoteCandidateId).address };
      })()`);
      expect(pair).to.deep.equal({ local: '127.0.0.1', remote: '127.0.0.1' });
    });

    it('channel from Rivulet: 0 B … 256 KiB strings and binary arrive and echo back exactly, in order', async () => {
      const dc = pc!.createDataChannel('echo-ordered', { protocol: 'p' });
      const echoed: string[] = [];
      dc.onmessage = (e) => echoed.push(describeData(e.data));
      await opened(dc);
      const sent = matrix();
      for (const m of sent) dc.send(m);
      const want = sent.map(describeMsg);
      await until(() => echoed.length === want.length, 20_000, 'echoes from Firefox');
      expect(echoed).to.deep.equal(want);
      expect(await ev<string[]>(`window.got['echo-ordered']`)).to.deep.equal(want);
      expect(await ev<unknown[]>(`(() => { const c = window.chans['echo-ordered']; return [c.ordered, c.protocol, c.id]; })()`)).to.deep.equal([
        true, 'p', dc.id,
      ]);
      dc.close();
    });

    it('channel from Firefox: the same matrix arrives at Rivulet exactly, in order, and its close reaches Rivulet', async () => {
      const base = received.length;
      await ev(`(() => { const dc = H.track(window.pc.createDataChannel('from-firefox', { protocol: 'bytes' }));
        dc.onopen = () => { for (const m of H.matrix()) dc.send(m); }; })()`);
      await until(() => received.length === base + 1, 10_000, 'channel from Firefox');
      const dc = received[base]!;
      expect([dc.label, dc.protocol, dc.ordered]).to.deep.equal(['from-firefox', 'bytes', true]);
      const got = inbox.get('from-firefox')!;
      const want = matrix().map(describeMsg);
      await until(() => got.length === want.length, 20_000, 'matrix from Firefox').catch(async (err: Error) => {
        const pending = await ev<number>(`window.chans['from-firefox'].bufferedAmount`);
        throw new Error(`${err.message}: ${got.length}/${want.length} arrived (last ${got.at(-1)}), Firefox bufferedAmount ${pending}, Rivulet stats ${JSON.stringify(pc!.sctp ? { state: pc!.sctp.state } : null)}`);
      });
      expect(got).to.deep.equal(want);
      await ev(`window.chans['from-firefox'].close()`);
      await until(() => dc.readyState === 'closed', 5000, 'Rivulet side closed');
    });

    it('unordered channel from Rivulet delivers every message exactly once', async () => {
      const N = 200;
      const mine = pc!.createDataChannel('unordered-riv', { ordered: false, maxRetransmits: 5 });
      await opened(mine);
      const want = Array.from({ length: N }, (_, i) => `u${i}:${text(i * 7, i)}`);
      for (const m of want) mine.send(m);
      await waitPage(`window.got['unordered-riv'] && window.got['unordered-riv'].length === ${N}`, 'unordered messages at Firefox');
      expect([...(await ev<string[]>(`window.got['unordered-riv']`))].sort()).to.deep.equal(want.map(describeMsg).sort());
      expect(await ev<unknown[]>(`[window.chans['unordered-riv'].ordered, window.chans['unordered-riv'].maxRetransmits]`)).to.deep.equal([false, 5]);
      mine.close();
    });
  });
}

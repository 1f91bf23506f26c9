import { expect } from 'chai';
import type { RTCDataChannel, RTCPeerConnection } from '@rivulet/webrtc';
import { launchChromium, CHROMIUM_PATH, type ChromiumSession } from './support/chromium.js';
import { requireTool } from './support/tools.js';
import { connectBrowserDataPair } from './support/browserDataPair.js';
import { describeData, describeMsg, matrix, opened, pattern, PAGE_DATA_HELPERS, text } from './support/dataMessages.js';
import { CHROMIUM_GATHERED } from './support/pageScripts.js';
import { loopbackPeer } from './support/signaling.js';
import { until, waitInPage } from './support/wait.js';

/**
 * Rivulet's RTCDataChannel against headless Chromium (dcsctp), both offer roles, one Chromium
 * page. Large payloads are not moved through page.evaluate: both sides build the same
 * deterministic messages and compare a descriptor per message (support/dataMessages.ts).
 * Waits for Chromium-sent data are generous (15 s): our UDP socket's default receive buffer
 * overflows under Chromium's bursts (.tmp/repros/udp-rcvbuf-overflow.ts), and a lost packet then
 * waits for Chromium's retransmission timer, which backs off.
 */

type Offerer = 'chromium' | 'rivulet';

for (const offerer of ['chromium', 'rivulet'] as Offerer[]) {
  describe(`data channels with Chromium (${offerer} offers)`, function () {
    this.timeout(30_000);
    let chrome: ChromiumSession;
    let pc: RTCPeerConnection;
    const received: RTCDataChannel[] = [];
    // Chromium sends as soon as its side opens: collect from the datachannel event on, as a page would.
    const inbox = new Map<RTCDataChannel, unknown[]>();
    const events = new Map<RTCDataChannel, string[]>();
    const ev = <T>(js: string): Promise<T> => chrome.page.evaluate(js) as Promise<T>;
    const waitPage = (js: string, what: string, ms = 15_000): Promise<void> => waitInPage(chrome.page, js, what, ms, 10, 'Chromium');

    before(async function () {
      requireTool(this, CHROMIUM_PATH, 'chromium');
      chrome = await launchChromium();
      await ev(CHROMIUM_GATHERED + PAGE_DATA_HELPERS);
      pc = loopbackPeer();
      pc.ondatachannel = (e) => {
        const ch = e.channel;
        received.push(ch);
        inbox.set(ch, []);
        events.set(ch, []);
        ch.onmessage = (m) => inbox.get(ch)!.push(m.data);
        ch.onclosing = () => events.get(ch)!.push('closing');
        ch.onclose = () => events.get(ch)!.push('close');
      };
      // Whole descriptions after gathering: no trickle needed either way.
      await connectBrowserDataPair(chrome.page, pc, { offerer: offerer === 'chromium' ? 'page' : 'rivulet', browser: 'Chromium', received });
      received.length = 0;
    });
    after(async () => {
      pc?.close();
      await chrome?.close();
    });

    it('both sides take 262144 max-message-size from the other\'s SDP', async () => {
      expect(pc.sctp?.maxMessageSize).to.equal(262144);
      expect(await ev<number>('window.pc.sctp.maxMessageSize')).to.equal(262144);
      expect(pc.connectionState).to.equal('connected');
    });

    it('ordered channel from Rivulet: 0 B … 256 KiB strings and binary arrive and echo back exactly, in order', async () => {
      const dc = pc.createDataChannel('echo-ordered', { protocol: 'p' });
      const echoed: string[] = [];
      dc.onmessage = (e) => echoed.push(describeData(e.data));
      await opened(dc);
      const sent = matrix();
      for (const m of sent) dc.send(m);
      const want = sent.map(describeMsg);
      await until(() => echoed.length === want.length, 15_000, 'echoes from Chromium');
      expect(echoed).to.deep.equal(want);
      expect(await ev<string[]>(`window.got['echo-ordered']`)).to.deep.equal(want);
      expect(await ev<unknown[]>(`(() => { const c = window.chans['echo-ordered']; return [c.ordered, c.protocol, c.id, c.maxRetransmits, c.maxPacketLifeTime]; })()`))
        .to.deep.equal([true, 'p', dc.id, null, null]);
      expect(() => dc.send(new Uint8Array(262145))).to.throw(TypeError, /262145 bytes exceeds .* 262144/);
      dc.close();
    });

    it('ordered channel from Chromium: the same matrix arrives at Rivulet exactly, in order', async () => {
      const base = received.length;
      await ev(`(() => { const dc = H.track(window.pc.createDataChannel('from-chrome', { protocol: 'bytes' }));
        dc.onopen = () => { for (const m of H.matrix()) dc.send(m); }; })()`);
      await until(() => received.length === base + 1, 15_000, 'channel from Chromium');
      const dc = received[base]!;
      expect([dc.label, dc.protocol, dc.ordered, dc.maxRetransmits, dc.maxPacketLifeTime]).to.deep.equal(['from-chrome', 'bytes', true, null, null]);
      const want = matrix().map(describeMsg);
      await until(() => inbox.get(dc)!.length === want.length, 15_000, 'matrix from Chromium');
      expect(inbox.get(dc)!.map(describeData)).to.deep.equal(want);
      await ev(`window.chans['from-chrome'].close()`);
      await until(() => dc.readyState === 'closed', 15_000, 'Rivulet side closed');
      expect(events.get(dc)).to.deep.equal(['closing', 'close']);
    });

    it('unordered channels both ways deliver every message exactly once', async () => {
      const N = 300;
      const base = received.length;
      const mine = pc.createDataChannel('unordered-riv', { ordered: false });
      await ev(`(() => { const dc = H.track(window.pc.createDataChannel('unordered-chrome', { ordered: false }));
        dc.onopen = () => { for (let i = 0; i < ${N}; i++) dc.send('u' + i + ':' + H.text(i * 7, i)); }; })()`);
      await until(() => received.length === base + 1, 15_000, 'unordered channel from Chromium');
      const theirs = received[base]!;
      expect(theirs.ordered).to.equal(false);
      const gotUs = inbox.get(theirs) as string[];
      await opened(mine);
      const want = Array.from({ length: N }, (_, i) => `u${i}:${text(i * 7, i)}`);
      for (const m of want) mine.send(m);
      await until(() => gotUs.length === N, 15_000, 'unordered messages from Chromium');
      await waitPage(`window.got['unordered-riv'] && window.got['unordered-riv'].length === ${N}`, 'unordered messages at Chromium');
      expect([...gotUs].sort()).to.deep.equal([...want].sort());
      expect([...(await ev<string[]>(`window.got['unordered-riv']`))].sort()).to.deep.equal(want.map(describeMsg).sort());
      expect(await ev<boolean>(`window.chans['unordered-riv'].ordered`)).to.equal(false);
      mine.close();
      theirs.close();
    });

    it('partially reliable and negotiated channels open with the right parameters on the other side', async () => {
      const ours = [
        pc.createDataChannel('pr-rexmit', { ordered: false, maxRetransmits: 3 }),
        pc.createDataChannel('pr-life', { maxPacketLifeTime: 250 }),
      ];
      const base = received.length;
      await ev(`(() => { H.track(window.pc.createDataChannel('c-rexmit', { ordered: false, maxRetransmits: 2 }));
        H.track(window.pc.createDataChannel('c-life', { maxPacketLifeTime: 150 })); })()`);
      await waitPage(`window.chans['pr-rexmit'] && window.chans['pr-life']`, 'our PR channels at Chromium');
      expect(await ev<unknown[]>(`['pr-rexmit', 'pr-life'].map((l) => { const c = window.chans[l]; return [c.ordered, c.maxRetransmits, c.maxPacketLifeTime]; })`))
        .to.deep.equal([[false, 3, null], [true, null, 250]]);
      await until(() => received.length === base + 2, 15_000, 'Chromium PR channels at Rivulet');
      const byLabel = new Map(received.slice(base).map((c) => [c.label, c]));
      const r = byLabel.get('c-rexmit')!;
      const l = byLabel.get('c-life')!;
      expect([r.ordered, r.maxRetransmits, r.maxPacketLifeTime]).to.deep.equal([false, 2, null]);
      expect([l.ordered, l.maxRetransmits, l.maxPacketLifeTime]).to.deep.equal([true, null, 150]);
      // Negotiated out of band: same id on both sides, no DCEP, no datachannel event.
      const neg = pc.createDataChannel('neg', { negotiated: true, id: 77 });
      const gotNeg: string[] = [];
      neg.onmessage = (e) => gotNeg.push(e.data as string);
      await ev(`(() => { const dc = H.track(window.pc.createDataChannel('neg', { negotiated: true, id: 77 }));
        dc.onopen = () => dc.send('neg from chrome'); if (dc.readyState === 'open') dc.send('neg from chrome'); })()`);
      await opened(neg);
      neg.send('neg from rivulet');
      await until(() => gotNeg.length === 1, 15_000, 'negotiated message from Chromium');
      expect(gotNeg).to.deep.equal(['neg from chrome']);
      await waitPage(`window.raw.neg.length === 1`, 'negotiated message at Chromium');
      expect(await ev<string[]>('window.raw.neg')).to.deep.equal(['neg from rivulet']);
      expect(received.length).to.equal(base + 2);
      for (const c of [...ours, neg, r, l]) c.close();
    });

    it('close() right after send(): everything queued arrives before close, from either side', async () => {
      // RFC 8831 §6.7 / W3C closing procedure: data sent before close() is still delivered.
      const mine = pc.createDataChannel('cas-riv');
      await opened(mine);
      const sent = Array.from({ length: 32 }, (_, i) => pattern(65536, i));
      for (const m of sent) mine.send(m);
      mine.close();
      expect(mine.readyState).to.equal('closing');
      await waitPage(`window.closedLabels.includes('cas-riv')`, 'close at Chromium');
      expect(await ev<number>(`window.gotAtClose['cas-riv']`)).to.equal(32);
      expect(await ev<string[]>(`window.got['cas-riv']`)).to.deep.equal(sent.map(describeMsg));
      await until(() => mine.readyState === 'closed', 15_000, 'Rivulet channel closed');

      const base = received.length;
      await ev(`(() => { const dc = H.track(window.pc.createDataChannel('cas-chrome'));
        dc.onopen = () => { for (let i = 0; i < 32; i++) dc.send(H.pattern(65536, i)); dc.close(); }; })()`);
      await until(() => received.length === base + 1, 15_000, 'channel from Chromium');
      const theirs = received[base]!;
      const atClose: number[] = [];
      theirs.addEventListener('close', () => atClose.push(inbox.get(theirs)!.length));
      await until(() => theirs.readyState === 'closed', 15_000, 'close at Rivulet');
      expect(atClose).to.deep.equal([32]);
      expect(inbox.get(theirs)!.map(describeData)).to.deep.equal(sent.map(describeMsg));
    });

    it('100 channels opened by Rivulet, one message each, closed by Rivulet: both sides see close', async () => {
      const ours = Array.from({ length: 100 }, (_, i) => pc.createDataChannel(`r${i}`));
      await Promise.all(ours.map(opened));
      for (const c of ours) c.send(`hello ${c.label}`);
      await waitPage(`Array.from({ length: 100 }, (_, i) => 'r' + i).every((l) => window.raw[l] && window.raw[l].length === 1)`, '100 messages at Chromium');
      const raw = await ev<Record<string, string[]>>('window.raw');
      for (const c of ours) expect(raw[c.label]).to.deep.equal([`hello ${c.label}`]);
      let closed = 0;
      for (const c of ours) c.onclose = () => { closed++; };
      for (const c of ours) c.close();
      await until(() => closed === 100, 15_000, 'close at Rivulet');
      await waitPage(`window.closedLabels.filter((l) => /^r\\d+$/.test(l)).length === 100`, 'close at Chromium');
      expect(await ev<string[]>(`Array.from({ length: 100 }, (_, i) => window.chans['r' + i].readyState).filter((s) => s !== 'closed')`)).to.deep.equal([]);
    });

    it('100 channels opened by Chromium, one message each, closed by Chromium: both sides see close', async () => {
      const base = received.length;
      await ev(`(() => { for (let i = 0; i < 100; i++) { const dc = H.track(window.pc.createDataChannel('c' + i)); dc.onopen = () => dc.send('hi ' + dc.label); } })()`);
      await until(() => received.length === base + 100, 15_000, '100 channels at Rivulet');
      const ours = received.slice(base);
      expect(ours.map((c) => c.label).sort()).to.deep.equal(Array.from({ length: 100 }, (_, i) => `c${i}`).sort());
      await until(() => ours.every((c) => inbox.get(c)!.length === 1), 15_000, 'one message per channel');
      for (const c of ours) expect(inbox.get(c)).to.deep.equal([`hi ${c.label}`]);
      await ev(`(() => { for (let i = 0; i < 100; i++) window.chans['c' + i].close(); })()`);
      await until(() => ours.every((c) => c.readyState === 'closed'), 15_000, 'close at Rivulet');
      for (const c of ours) expect(events.get(c)).to.deep.equal(['closing', 'close']);
      await waitPage(`window.closedLabels.filter((l) => /^c\\d+$/.test(l)).length === 100`, 'close at Chromium');
    });
  });
}

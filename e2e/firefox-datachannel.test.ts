import { expect } from 'chai';
import { RTCPeerConnection, type RTCDataChannel } from '@rivulet/webrtc';
import { FIREFOX_APT, FIREFOX_PATH, launchFirefox, type FirefoxSession } from './support/firefox.js';
import { pattern, text, until } from './support/nodeDatachannel.js';
import { requireTool } from './support/tools.js';

/**
 * Rivulet's RTCDataChannel against headless Firefox ESR (its usrsctp-based
 * data channels), in both offer roles, over 127.0.0.1. Signaling is
 * page.evaluate with whole descriptions after gathering (no trickle).
 * Payloads are compared by a descriptor (type, length, FNV-1a hash) that
 * both sides compute over the same deterministic messages.
 */
const SIZES = [0, 1, 1172, 1173, 16384, 65535, 65536, 262144];

// Kept in step with pattern()/text() in support/nodeDatachannel.ts and describeMsg() below.
const PAGE_HELPERS = `
window.H = {
  text(size, seed) { const a = 'abcdefghijklmnopqrstuvwxyz0123456789'; let s = ''; for (let i = 0; i < size; i++) s += a[(i + seed) % a.length]; return s; },
  pattern(size, seed) { const o = new Uint8Array(size); for (let i = 0; i < size; i++) o[i] = (i * 31 + seed) & 0xff; return o; },
  matrix() { const out = []; ${JSON.stringify(SIZES)}.forEach((n, i) => { out.push(H.text(n, i)); out.push(H.pattern(n, i)); }); return out; },
  describe(m) {
    const b = typeof m === 'string' ? new TextEncoder().encode(m) : new Uint8Array(m);
    let h = 0x811c9dc5;
    for (let i = 0; i < b.length; i++) { h ^= b[i]; h = Math.imul(h, 0x01000193) >>> 0; }
    return (typeof m === 'string' ? 's' : 'b') + ':' + b.length + ':' + h.toString(16);
  },
  gathered(pc) { return new Promise((resolve, reject) => {
    if (pc.iceGatheringState === 'complete') return resolve();
    const t = setTimeout(() => reject(new Error('Firefox: ICE gathering not complete within 10 s')), 10000);
    pc.addEventListener('icegatheringstatechange', () => { if (pc.iceGatheringState === 'complete') { clearTimeout(t); resolve(); } });
  }); },
  track(dc) {
    dc.binaryType = 'arraybuffer';
    window.chans[dc.label] = dc;
    window.got[dc.label] = [];
    dc.onmessage = (e) => {
      window.got[dc.label].push(H.describe(e.data));
      if (dc.label.startsWith('echo')) dc.send(e.data);
    };
    return dc;
  },
};
window.chans = {}; window.got = {};
`;

function describeMsg(m: string | Uint8Array): string {
  const b = typeof m === 'string' ? Buffer.from(m, 'utf8') : m;
  let h = 0x811c9dc5;
  for (let i = 0; i < b.length; i++) {
    h ^= b[i]!;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return `${typeof m === 'string' ? 's' : 'b'}:${b.length}:${h.toString(16)}`;
}

function matrix(): (string | Uint8Array)[] {
  const out: (string | Uint8Array)[] = [];
  SIZES.forEach((n, i) => {
    out.push(text(n, i));
    out.push(pattern(n, i));
  });
  return out;
}

function describeData(data: unknown): string {
  if (typeof data === 'string') return describeMsg(data);
  if (data instanceof ArrayBuffer) return describeMsg(new Uint8Array(data));
  if (data instanceof Uint8Array) return describeMsg(data);
  throw new Error(`unexpected message type ${Object.prototype.toString.call(data)}`);
}

function opened(dc: RTCDataChannel): Promise<void> {
  return new Promise((resolve) => {
    if (dc.readyState === 'open') resolve();
    else dc.addEventListener('open', () => resolve(), { once: true });
  });
}

for (const offerer of ['firefox', 'rivulet'] as const) {
  describe(`data channels with Firefox (${offerer} offers)`, function () {
    this.timeout(40_000);
    let ff: FirefoxSession | undefined;
    let pc: RTCPeerConnection | undefined;
    const received: RTCDataChannel[] = [];
    const inbox = new Map<string, string[]>();
    const ev = async <T>(js: string): Promise<T> => (await ff!.page.evaluate(js)) as T;
    const waitPage = async (js: string, what: string, ms = 10_000): Promise<void> => {
      await ff!.page.waitForFunction(js, { timeout: ms, polling: 20 }).catch((err: unknown) => {
        throw new Error(`Firefox: timed out waiting for ${what}: ${String(err)}`);
      });
    };

    before(async function () {
      this.timeout(90_000);
      requireTool(this, FIREFOX_PATH, FIREFOX_APT);
      ff = await launchFirefox();
      await ev(PAGE_HELPERS);
      pc = new RTCPeerConnection({ rivulet: { interfaceAddresses: ['127.0.0.1'] } });
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
      const gathered = () => until(() => pc!.iceGatheringState === 'complete', 5000, 'Rivulet gathering complete');
      if (offerer === 'firefox') {
        const offer = await ev<{ type: 'offer'; sdp: string }>(`(async () => {
          const pc = new RTCPeerConnection(); window.pc = pc;
          pc.ondatachannel = (e) => H.track(e.channel);
          H.track(pc.createDataChannel('boot'));
          await pc.setLocalDescription(await pc.createOffer()); await H.gathered(pc);
          return pc.localDescription.toJSON();
        })()`);
        await pc.setRemoteDescription(offer);
        await pc.setLocalDescription();
        await gathered();
        await ev(`window.pc.setRemoteDescription(${JSON.stringify(pc.localDescription!.toJSON())})`);
        await until(() => received[0]?.readyState === 'open', 15_000, 'boot channel open at Rivulet').catch(explain);
      } else {
        const boot = pc.createDataChannel('boot');
        await pc.setLocalDescription();
        await gathered();
        const answer = await ev<{ type: 'answer'; sdp: string }>(`(async () => {
          const pc = new RTCPeerConnection(); window.pc = pc;
          pc.ondatachannel = (e) => H.track(e.channel);
          await pc.setRemoteDescription(${JSON.stringify(pc.localDescription!.toJSON())});
          await pc.setLocalDescription(await pc.createAnswer()); await H.gathered(pc);
          return pc.localDescription.toJSON();
        })()`);
        await pc.setRemoteDescription(answer);
        await until(() => boot.readyState === 'open', 15_000, 'boot channel open at Rivulet').catch(explain);
      }
      await waitPage(`window.chans.boot && window.chans.boot.readyState === 'open'`, 'boot channel open');
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

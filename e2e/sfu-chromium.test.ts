/**
 * The SFU example (examples/sfu) with real browsers: headless Chromium pages
 * join one room through the SFU's own page and signaling. Page A publishes
 * the fake camera, page B receives it through Rivulet and decodes it; with
 * simulcast, B switches layers and keeps decoding; a third page joining
 * renegotiates without breaking the others.
 */
import { expect } from 'chai';
import type { ChildProcess } from 'node:child_process';
import type { Browser, Page } from 'playwright-core';
import { CHROMIUM_PATH, launchChromiumBrowser } from './support/chromium.js';
import { spawnExample } from './support/examples.js';
import { requireTool } from './support/tools.js';
import { waitFor } from './support/wait.js';


interface Sfu { url: string; proc: ChildProcess; output: string[] }

/** Starts `examples/sfu` as `npm start` does, on a free port; resolves with the URL it prints. */
async function startSfu(): Promise<Sfu> {
  const proc = spawnExample('examples/sfu/src/main.ts', ['--port', '0']);
  const output: string[] = [];
  proc.stderr!.on('data', (d: Buffer) => output.push(String(d)));
  const url = await new Promise<string>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`SFU did not start within 15 s: ${output.join('')}`)), 15_000);
    proc.stdout!.on('data', (d: Buffer) => {
      output.push(String(d));
      const m = /SFU listening: (http:\/\/\S+\/)/.exec(output.join(''));
      if (m) { clearTimeout(t); resolve(m[1]!); }
    });
    proc.once('exit', (code) => { clearTimeout(t); reject(new Error(`SFU exited with ${code}: ${output.join('')}`)); });
  });
  return { url, proc, output };
}

async function sfuStats(sfu: Sfu): Promise<Record<string, { peers: { id: string; connectionState: string; stats: { signalingErrors: number } }[]; subscriptions: { publicationId: string; subscriberId: string; layer: { rid: string; switches: number; pendingRid: string | null; keyframeRequestsUpstream: number } | null }[] }>> {
  const res = await fetch(`${sfu.url}stats`);
  return await res.json() as never;
}

async function openPage(browser: Browser, sfu: Sfu, room: string, query = ''): Promise<Page> {
  const context = await browser.newContext({ permissions: ['camera', 'microphone'] });
  const page = await context.newPage();
  await page.goto(`${sfu.url}?room=${room}${query}`);
  await page.waitForFunction('window.sfu && window.sfu.id !== null', undefined, { timeout: 10_000 });
  return page;
}

/** Inbound video of a page: framesDecoded (summed), keyFramesDecoded, frameWidth, per received stream. */
const INBOUND_VIDEO = `(async () => {
  const r = await window.sfu.pc.getStats();
  const out = [];
  r.forEach((s) => { if (s.type === 'inbound-rtp' && s.kind === 'video') out.push({ framesDecoded: s.framesDecoded ?? 0, keyFramesDecoded: s.keyFramesDecoded ?? 0, frameWidth: s.frameWidth ?? 0, packetsReceived: s.packetsReceived ?? 0 }); });
  return out;
})()`;
type Inbound = { framesDecoded: number; keyFramesDecoded: number; frameWidth: number; packetsReceived: number };

/** Sender-side key-frame requests the publisher's page received (sum over its video outbound-rtp). */
const OUTBOUND_KEYFRAME_REQUESTS = `(async () => {
  const r = await window.sfu.pc.getStats();
  let n = 0;
  r.forEach((s) => { if (s.type === 'outbound-rtp' && s.kind === 'video') n += (s.pliCount ?? 0) + (s.firCount ?? 0); });
  return n;
})()`;

describe('SFU example with Chromium (examples/sfu)', function () {
  this.timeout(120_000);
  let sfu: Sfu | undefined;
  let browser: Browser | undefined;

  before(async function () {
    requireTool(this, CHROMIUM_PATH, 'chromium');
    sfu = await startSfu();
    browser = await launchChromiumBrowser();
  });
  after(async () => {
    await browser?.close().catch(() => {});
    sfu?.proc.kill('SIGTERM');
  });

  it('serves its page; a publisher\'s camera reaches a subscriber that decodes it; a third peer joining renegotiates without breaking the others', async () => {
    const a = await openPage(browser!, sfu!, 'plain');
    await a.evaluate('window.sfu.publish({ simulcast: false, audio: true })');
    const b = await openPage(browser!, sfu!, 'plain');
    const first = await waitFor('B decoding A\'s video', 30_000, () => b.evaluate<Inbound[]>(INBOUND_VIDEO), (v) => (v[0]?.framesDecoded ?? 0) > 10, 250);
    expect(first).to.have.length(1);
    // Audio arrives too (same stream as the video: one msid per publisher).
    const audio = await waitFor('B receiving audio', 10_000, () => b.evaluate<number>(`(async () => { let n = 0; (await window.sfu.pc.getStats()).forEach((s) => { if (s.type === 'inbound-rtp' && s.kind === 'audio') n = s.packetsReceived; }); return n; })()`), (n) => n > 10, 250);
    expect(audio).to.be.greaterThan(10);
    expect(await b.evaluate<number>('[...window.sfu.streams.values()][0].getTracks().length')).to.equal(2);

    // C joins: the SFU offers A's tracks to C; A and B renegotiate nothing and keep going.
    const c = await openPage(browser!, sfu!, 'plain');
    await waitFor('C decoding A\'s video', 30_000, () => c.evaluate<Inbound[]>(INBOUND_VIDEO), (v) => (v[0]?.framesDecoded ?? 0) > 10, 250);
    const bBefore = (await b.evaluate<Inbound[]>(INBOUND_VIDEO))[0]!.framesDecoded;
    await waitFor('B still decoding after C joined', 10_000, () => b.evaluate<Inbound[]>(INBOUND_VIDEO), (v) => v[0]!.framesDecoded > bBefore + 20, 250);
    // Now C publishes too: A and B each get C's tracks by an SFU offer (renegotiation of live connections).
    await c.evaluate('window.sfu.publish({ simulcast: false, audio: false })');
    await waitFor('A decoding C', 30_000, () => a.evaluate<Inbound[]>(INBOUND_VIDEO), (v) => (v[0]?.framesDecoded ?? 0) > 10, 250);
    const bBoth = await waitFor('B decoding A and C', 30_000, () => b.evaluate<Inbound[]>(INBOUND_VIDEO), (v) => v.length === 2 && v.every((x) => x.framesDecoded > 10), 250);
    expect(bBoth).to.have.length(2);
    // C leaves: its tracks leave A and B (SFU offers again); A → B keeps decoding.
    await c.context().close();
    await waitFor('B renegotiated C away', 15_000, () => b.evaluate<number>('window.sfu.pc.getTransceivers().filter((t) => t.currentDirection === "recvonly").length'), (n) => n === 2, 250);
    const bAfter = (await b.evaluate<Inbound[]>(INBOUND_VIDEO)).reduce((s, x) => Math.max(s, x.framesDecoded), 0);
    await waitFor('B still decoding A after C left', 10_000, () => b.evaluate<Inbound[]>(INBOUND_VIDEO), (v) => v.some((x) => x.framesDecoded > bAfter + 20), 250);
    const stats = (await sfuStats(sfu!))['plain']!;
    expect(stats.peers.map((p) => p.connectionState)).to.deep.equal(['connected', 'connected']);
    expect(stats.peers.map((p) => p.stats.signalingErrors)).to.deep.equal([0, 0]);
    expect(await b.evaluate<string[]>('window.sfu.errors')).to.deep.equal([]);
    await a.context().close();
    await b.context().close();
  });

  // Simulcast needs Chromium's bandwidth estimate to grow past the lowest layer: with transport-cc
  // negotiated it rests on Rivulet's TWCC feedback, which must count every packet on the transport
  // (RTX probes on SSRCs never signalled included), or the estimate collapses to ~50 kbit/s.
  it('simulcast: B starts on the lowest layer, switches to "h" at a key frame the SFU asked for, and keeps decoding', async () => {
    const a = await openPage(browser!, sfu!, 'simulcast');
    await a.evaluate('window.sfu.publish({ simulcast: true, audio: false })');
    const b = await openPage(browser!, sfu!, 'simulcast');
    const q = await waitFor('B decoding layer q', 30_000, () => b.evaluate<Inbound[]>(INBOUND_VIDEO), (v) => (v[0]?.framesDecoded ?? 0) > 10, 250);
    expect(q[0]!.frameWidth).to.equal(320); // 1280 / 4
    const pub = await b.evaluate<{ id: string; rids: string[] }>('[...window.sfu.publications.values()][0]');
    expect(pub.rids).to.deep.equal(['q', 'h', 'f']);
    // Wait until A actually sends layer h (its estimate must allow it), then switch B to it.
    await waitFor('A sending layer h', 40_000, () => a.evaluate<number>(`(async () => { let n = 0; (await window.sfu.pc.getStats()).forEach((s) => { if (s.type === 'outbound-rtp' && s.rid === 'h') n = s.packetsSent; }); return n; })()`), (n) => n > 50, 250);
    const requestsBefore = await a.evaluate<number>(OUTBOUND_KEYFRAME_REQUESTS);
    const before = (await b.evaluate<Inbound[]>(INBOUND_VIDEO))[0]!;
    await b.evaluate(`window.sfu.selectLayer(${JSON.stringify(pub.id)}, 'h')`);
    const after = await waitFor('B decoding layer h (640 wide)', 20_000, () => b.evaluate<Inbound[]>(INBOUND_VIDEO), (v) => v[0]!.frameWidth === 640 && v[0]!.framesDecoded > before.framesDecoded + 30, 250);
    // The switch waited for a key frame that the SFU requested from A (PLI on A's h encoding).
    expect(after[0]!.keyFramesDecoded).to.be.greaterThan(before.keyFramesDecoded);
    expect(await a.evaluate<number>(OUTBOUND_KEYFRAME_REQUESTS)).to.be.greaterThan(requestsBefore);
    const sub = (await sfuStats(sfu!))['simulcast']!.subscriptions[0]!;
    expect(sub.layer!.rid).to.equal('h');
    expect(sub.layer!.pendingRid).to.equal(null);
    expect(sub.layer!.switches).to.equal(2); // the first layer, then h
    // Seamless: no decoder stall forced B to ask for a key frame of its own.
    const pli = await b.evaluate<number>(`(async () => { let n = 0; (await window.sfu.pc.getStats()).forEach((s) => { if (s.type === 'inbound-rtp' && s.kind === 'video') n = s.pliCount; }); return n; })()`);
    expect(pli).to.equal(0);
    await a.context().close();
    await b.context().close();
  });
});

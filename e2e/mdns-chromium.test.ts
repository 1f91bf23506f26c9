/**
 * Chromium's mDNS host candidates (draft-ietf-mmusic-mdns-ice-candidates): launched without
 * --allow-loopback-in-peer-connection and without a getUserMedia grant, Chromium hides every host
 * address behind a random `<uuid>.local` name and answers mDNS queries for it. Rivulet's ICE agent
 * must resolve the name over real multicast DNS (RFC 6762, the `multicast-dns` package) and connect;
 * a data channel then echoes.
 *
 * Where: inside the loopback-only namespace (scripts/loopback-only.sh, as `npm run e2e` runs it).
 * Chromium never runs its mDNS responder on a loopback interface, gathers no loopback address
 * without the flag, and without a permission grant gathers only on the default route's interface,
 * so `lo` alone (even with `ip link set lo multicast on`) gives no candidate at all. The test
 * therefore adds a veth pair to the namespace (rv0 10.99.0.1/24 ↔ rv1, default route via
 * 10.99.0.2 on rv0), which reaches nothing outside it, and removes it afterwards. Outside the namespace the test would resolve
 * to the machine's real address, so it skips there (and fails under CI=true).
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import type { RTCDataChannel } from '@rivulet/webrtc';
import { CHROMIUM_PATH, launchChromium, type ChromiumSession } from './support/chromium.js';
import { pageGatheredScript, pageOffer } from './support/pageScripts.js';
import { acceptPageOffer, loopbackPeer } from './support/signaling.js';
import { requireTool } from './support/tools.js';
import { waitFor } from './support/wait.js';
import type { Page } from 'playwright-core';

const ADDRESS = '10.99.0.1';

function ip(...args: string[]): { ok: boolean; out: string } {
  const r = spawnSync('ip', args, { encoding: 'utf8' });
  return { ok: r.status === 0, out: `${r.stdout}${r.stderr}`.trim() };
}

/** The part of the multicast-dns package (untyped) this test uses. */
interface MdnsAnswer { name: string; type: string; data: unknown }
interface MdnsSocket {
  on(event: 'response', listener: (packet: { answers: MdnsAnswer[] }) => void): void;
  query(q: { questions: { name: string; type: string }[] }): void;
  destroy(): void;
}
const makeMdns = createRequire(import.meta.url)('multicast-dns') as (o: { reuseAddr: boolean }) => MdnsSocket;

/** One-shot mDNS A query with the multicast-dns package (not Rivulet's resolver). */
async function mdnsLookup(name: string): Promise<string | undefined> {
  const m = makeMdns({ reuseAddr: true });
  try {
    return await new Promise<string | undefined>((resolve) => {
      const timer = setTimeout(() => resolve(undefined), 3000);
      m.on('response', (packet) => {
        const a = packet.answers.find((r) => r.name.toLowerCase() === name.toLowerCase() && r.type === 'A');
        if (a && typeof a.data === 'string') { clearTimeout(timer); resolve(a.data); }
      });
      m.query({ questions: [{ name, type: 'A' }] });
    });
  } finally {
    m.destroy();
  }
}

describe('Chromium mDNS host candidates: Rivulet resolves <uuid>.local over multicast DNS and connects', function () {
  this.timeout(60_000);
  let chrome: ChromiumSession | undefined;
  let page: Page | undefined;
  let addedLink = false;

  before(async function () {
    requireTool(this, CHROMIUM_PATH, 'chromium');
    if (process.env['RIVULET_IN_NETNS'] !== '1') {
      const message = 'needs the loopback-only namespace: run it through scripts/loopback-only.sh (npm run e2e), which needs root or unprivileged user namespaces';
      if (process.env['CI'] === 'true') throw new Error(message);
      console.warn(`      skipped: ${message}`);
      this.skip();
    }
    const add = ip('link', 'add', 'rv0', 'type', 'veth', 'peer', 'name', 'rv1');
    if (!add.ok) throw new Error(`cannot add a veth pair in the namespace: ${add.out}`);
    addedLink = true;
    for (const args of [['link', 'set', 'rv0', 'up'], ['link', 'set', 'rv1', 'up'], ['addr', 'add', `${ADDRESS}/24`, 'dev', 'rv0'], ['route', 'add', 'default', 'via', '10.99.0.2', 'dev', 'rv0']]) {
      const r = ip(...args);
      if (!r.ok) throw new Error(`ip ${args.join(' ')}: ${r.out}`);
    }
    await waitFor('rv0 carrier', 5000, () => ip('-br', 'link', 'show', 'rv0').out, (s) => /LOWER_UP/.test(s) || / UP /.test(s), 50);
    chrome = await launchChromium({ loopback: false });
    // The harness's context holds a camera/microphone grant, and any grant makes Chromium expose
    // raw host addresses: use a fresh context with no permission at all.
    const context = await chrome.browser.newContext();
    page = await context.newPage();
    await page.goto("about:blank");
    await page.evaluate(pageGatheredScript({ timeoutMs: 5000 }));
  });

  after(async () => {
    await chrome?.close();
    if (addedLink) ip('link', 'del', 'rv0');
  });

  it('offer has only <uuid>.local host candidates; Rivulet resolves them, connects and a data channel echoes', async () => {
    const offer = await page!.evaluate<{ type: 'offer'; sdp: string }>(pageOffer('pc', `
      const dc = pc.createDataChannel('echo');
      dc.onmessage = (e) => dc.send('echo:' + e.data);
    `));
    const hosts = offer.sdp.split('\r\n').filter((l) => l.startsWith('a=candidate:') && / typ host/.test(l)).map((l) => l.split(' ')[4]!);
    expect(hosts.length, 'Chromium host candidates').to.be.at.least(1);
    for (const h of hosts) expect(h).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.local$/);
    expect(offer.sdp).to.not.contain(ADDRESS);
    // What the names stand for, asked with an independent mDNS client (RFC 6762 one-shot query).
    expect(await mdnsLookup(hosts[0]!)).to.equal(ADDRESS);

    const pc = loopbackPeer();
    try {
      let channel: RTCDataChannel | undefined;
      const got: string[] = [];
      pc.ondatachannel = (e) => { channel = e.channel; channel.onmessage = (m) => got.push(String(m.data)); };
      await acceptPageOffer(page!, 'window.pc', pc, offer);
      await waitFor('connected to Chromium', 20_000, () => pc.connectionState, (s) => s === 'connected', 50);

      const ice = pc.sctp!.transport.iceTransport;
      // The signalled candidates keep their names; the pair uses the address mDNS resolved them to.
      const remote = ice.getRemoteCandidates();
      expect(remote.filter((c) => c.type === 'host').map((c) => c.address)).to.deep.equal(hosts);
      // getRemoteCandidates() also lists the peer-reflexive candidate Chromium's checks created (see below).
      expect(remote.filter((c) => c.type !== 'host').map((c) => `${c.type} ${c.address}`)).to.deep.equal(['prflx 127.0.0.1']);
      // The agent resolved every name (an unresolved one is counted, after a 3 s query timeout).
      await new Promise((r) => setTimeout(r, 3500));
      let counters: Record<string, number> = {};
      (await pc.getStats()).forEach((x: { type: string; rivuletCounters?: Record<string, number> }) => { if (x.type === 'transport') counters = x.rivuletCounters ?? {}; });
      expect(counters['mdns-unresolved'] ?? 0, 'names Rivulet could not resolve').to.equal(0);
      expect(counters['checks-sent'] ?? 0).to.be.at.least(1);
      // Chromium's checks reach us from 127.0.0.1 (its socket answers on loopback too), so the
      // selected pair's remote side is a peer-reflexive 127.0.0.1 candidate; the local side is ours.
      expect(ice.getSelectedCandidatePair()!.local.address).to.equal('127.0.0.1');

      await waitFor('data channel open', 10_000, () => channel?.readyState, (s) => s === 'open', 50);
      channel!.send('hello over mdns');
      await waitFor('echo from Chromium', 10_000, () => got.length, (n) => n >= 1, 50);
      expect(got).to.deep.equal(['echo:hello over mdns']);
    } finally {
      pc.close();
      await page!.evaluate('window.pc.close()').catch(() => {});
    }
  });
});

import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RealClock, nodeNetwork } from '@rivulet/common';
import { IceAgent, IceCandidate } from '../../src/agent/index.js';
import { isUp, waitUntil } from './helpers.js';

const CHROMIUM = process.env['RIVULET_CHROMIUM'] ?? '/usr/bin/chromium';

/**
 * Interop with Chromium's ICE (libwebrtc) over 127.0.0.1: the browser offers a
 * data channel (controlling), our agent answers (controlled). Chromium offers
 * 127.0.0.1 candidates only with --allow-loopback-in-peer-connection and a
 * granted getUserMedia on a page served from http://127.0.0.1.
 */
describe('IceAgent interop with Chromium (libwebrtc) on 127.0.0.1', function () {
  this.timeout(60_000);

  it("Chromium's ICE reaches 'connected' with our agent, and its DTLS ClientHello arrives over our selected pair", async function () {
    if (!existsSync(CHROMIUM)) {
      const message = `${CHROMIUM} not found: install it with \`apt-get install chromium\``;
      if (process.env['CI'] === 'true') throw new Error(message);
      console.warn(`      skipped: ${message}`);
      this.skip();
    }
    const { chromium } = await import('playwright-core');
    const server: Server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<!doctype html><title>rivulet ice</title>');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      timeout: 30_000,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', '--allow-loopback-in-peer-connection'],
    });
    const agent = new IceAgent({ controlling: false, clock: new RealClock(), network: nodeNetwork, interfaceFilter: (a) => a.address === '127.0.0.1' });
    try {
      const context = await browser.newContext({ permissions: ['camera', 'microphone'] });
      const page = await context.newPage();
      await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      // In-page code is passed as strings: this package is type-checked without the DOM lib.
      const offer = String(
        await page.evaluate(`(async () => {
          const s = await navigator.mediaDevices.getUserMedia({ audio: true });
          s.getTracks().forEach((t) => t.stop());
          const pc = new RTCPeerConnection();
          window.pc = pc;
          pc.createDataChannel('probe');
          await pc.setLocalDescription(await pc.createOffer());
          await new Promise((resolve) => {
            if (pc.iceGatheringState === 'complete') resolve();
            pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && resolve());
          });
          return pc.localDescription.sdp;
        })()`),
      );
      const ufrag = /a=ice-ufrag:(\S+)/.exec(offer)![1]!;
      const pwd = /a=ice-pwd:(\S+)/.exec(offer)![1]!;
      const lines = offer.split(/\r?\n/).filter((l: string) => l.startsWith('a=candidate:'));
      const theirs = lines.map((l) => IceCandidate.fromSdp(l)).filter((c) => c.protocol === 'udp' && c.address === '127.0.0.1');
      expect(theirs.length, `Chromium offered no UDP 127.0.0.1 candidate:\n${lines.join('\n')}`).to.be.greaterThan(0);
      agent.setRemoteParameters({ usernameFragment: ufrag, password: pwd });
      for (const c of theirs) agent.addRemoteCandidate(c);
      agent.addRemoteCandidate(null);
      await agent.gather();
      const dtls: Buffer[] = [];
      agent.on('data', (d) => dtls.push(d));
      agent.start();
      const fp = Array.from({ length: 32 }, (_, i) => (i * 3).toString(16).padStart(2, '0').toUpperCase()).join(':');
      const answer = [
        'v=0',
        'o=- 4611731400430051336 2 IN IP4 127.0.0.1',
        's=-',
        't=0 0',
        'a=group:BUNDLE 0',
        'a=msid-semantic: WMS',
        'm=application 9 UDP/DTLS/SCTP webrtc-datachannel',
        'c=IN IP4 0.0.0.0',
        `a=ice-ufrag:${agent.localParameters.usernameFragment}`,
        `a=ice-pwd:${agent.localParameters.password}`,
        `a=fingerprint:sha-256 ${fp}`,
        'a=setup:passive',
        'a=mid:0',
        'a=sctp-port:5000',
        ...agent.localCandidateList.map((c) => `a=${c.toSdp()}`),
        'a=end-of-candidates',
        '',
      ].join('\r\n');
      await page.evaluate(`window.pc.setRemoteDescription({ type: 'answer', sdp: ${JSON.stringify(answer)} })`);
      await waitUntil(() => isUp(agent.state) && dtls.length > 0, 15_000, 'our agent connected and DTLS data from Chromium');
      const iceState = String(
        await page.evaluate(`(async () => {
          for (let i = 0; i < 100 && !['connected', 'completed'].includes(window.pc.iceConnectionState); i++) {
            await new Promise((r) => setTimeout(r, 50));
          }
          return window.pc.iceConnectionState;
        })()`),
      );
      expect(['connected', 'completed']).to.include(iceState);
      expect(agent.role).to.equal('controlled');
      expect(agent.selectedPair!.nominated).to.equal(true);
      // Chromium may also check from its other local addresses (e.g. eth0 → our 127.0.0.1 socket):
      // such a source is learnt as peer-reflexive and may be the pair it nominates.
      const remote = agent.selectedPair!.remote;
      expect(remote.address === '127.0.0.1' || remote.type === 'prflx', `selected ${agent.selectedPair!.toString()}`).to.equal(true);
      expect(dtls[0]![0]).to.equal(22); // a DTLS handshake record: Chromium is the DTLS client
      expect(agent.counters.get('request-bad-integrity')).to.equal(0);
    } finally {
      agent.close();
      await browser.close().catch(() => {});
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

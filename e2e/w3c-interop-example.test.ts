/**
 * The runnable example of docs/guides/interop-testing.md: a Rivulet peer scripted exactly like the
 * browser API against headless Chromium, signaling through page.evaluate, trickle ICE both ways.
 * Run: scripts/loopback-only.sh npx mocha e2e/w3c-interop-example.test.ts
 */
import { expect } from 'chai';
import { RTCPeerConnection, type RTCDataChannel } from '@rivulet/webrtc';
import { CHROMIUM_PATH, launchChromium, type ChromiumSession } from './support/chromium.js';
import { requireTool } from './support/tools.js';

describe('interop example: Rivulet offers a data channel, Chromium answers and echoes (trickle ICE)', function () {
  this.timeout(60_000);
  let chrome: ChromiumSession | undefined;
  before(async function () {
    requireTool(this, CHROMIUM_PATH, 'chromium');
    chrome = await launchChromium();
  });
  after(async () => { await chrome?.close(); });

  it('opens, echoes "ping", and both sides report connected', async () => {
    const page = chrome!.page;
    // The browser side: ordinary page JavaScript. Its candidates queue in window.out for us to read.
    await page.evaluate(`(() => {
      window.out = [];
      const pc = window.pc = new RTCPeerConnection();
      pc.onicecandidate = (e) => { if (e.candidate) window.out.push(e.candidate.toJSON()); };
      pc.ondatachannel = (e) => { e.channel.onmessage = (m) => e.channel.send('echo:' + m.data); };
    })()`);

    // The Rivulet side: the same W3C calls a browser application would make.
    const pc = new RTCPeerConnection({ rivulet: { interfaceAddresses: ['127.0.0.1'] } });
    pc.onicecandidate = ({ candidate }) => {
      if (candidate?.candidate) void page.evaluate(`window.pc.addIceCandidate(${JSON.stringify(candidate.toJSON())})`);
    };
    const dc: RTCDataChannel = pc.createDataChannel('chat');
    const got: string[] = [];
    dc.onmessage = (m) => got.push(String(m.data));

    await pc.setLocalDescription();
    const answer = await page.evaluate<{ type: 'answer'; sdp: string }>(`(async () => {
      await window.pc.setRemoteDescription(${JSON.stringify(pc.localDescription!.toJSON())});
      await window.pc.setLocalDescription();
      return window.pc.localDescription.toJSON();
    })()`);
    await pc.setRemoteDescription(answer);

    const deadline = Date.now() + 20_000;
    while (dc.readyState !== 'open' && Date.now() < deadline) {
      // Chromium's trickled candidates, polled from the page.
      for (const c of await page.evaluate<RTCIceCandidateInit[]>('window.out.splice(0)')) await pc.addIceCandidate(c);
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(dc.readyState).to.equal('open');
    dc.send('ping');
    while (got.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(got).to.deep.equal(['echo:ping']);
    expect(pc.connectionState).to.equal('connected');
    expect(await page.evaluate<string>('window.pc.connectionState')).to.equal('connected');
    pc.close();
    await page.evaluate('window.pc.close()');
  });
});

import { expect } from 'chai';
import { Counters } from '@rivulet/common';
import { findAttributes, parseSdp, serializeSdp, type SdpParseCounter } from '@rivulet/sdp';
import { FIREFOX_APT, FIREFOX_PATH, FirefoxHarness, launchFirefox, type FirefoxSession } from './support/firefox.js';
import { requireTool } from './support/tools.js';

/**
 * The Firefox harness itself: Debian's firefox-esr, headless over WebDriver
 * BiDi, must offer audio+video+data with 127.0.0.1 host candidates inside the
 * loopback-only namespace, and two of its own RTCPeerConnections must connect
 * over loopback. Interop tests against Rivulet build on exactly this.
 */
const candidateAddress = (line: string): string => line.split(' ')[4] ?? '';
const candidateType = (line: string): string => line.split(' ')[7] ?? '';

describe('Firefox harness (firefox-esr over WebDriver BiDi)', function () {
  this.timeout(60_000);
  let session: FirefoxSession | undefined;
  let harness: FirefoxHarness;

  before(async function () {
    this.timeout(90_000);
    requireTool(this, FIREFOX_PATH, FIREFOX_APT);
    session = await launchFirefox();
    harness = new FirefoxHarness(session.page);
    console.log(`      (Firefox started in ${session.launchMs} ms)`);
  });

  after(async function () {
    await session?.close();
  });

  it('is the Debian ESR build, on a page served from http://127.0.0.1', async function () {
    expect(await harness.userAgent()).to.match(/Firefox\/\d+\.0$/);
    expect(session!.origin).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('offers audio, video and a data channel with 127.0.0.1 host candidates (no mDNS names; only loopback in the namespace)', async function () {
    const offer = await harness.offer('av-data');
    const sdp = parseSdp(offer.sdp);
    expect(sdp.media.map((m) => `${m.kind} ${m.protocol}`)).to.deep.equal([
      'audio UDP/TLS/RTP/SAVPF', 'video UDP/TLS/RTP/SAVPF', 'application UDP/DTLS/SCTP',
    ]);
    const trickled = offer.candidates;
    expect(trickled.length).to.be.greaterThan(0);
    expect(trickled.map(candidateAddress).filter((a) => a.endsWith('.local'))).to.deep.equal([]);
    const addresses = new Set(trickled.map(candidateAddress));
    expect(addresses.has('127.0.0.1'), [...addresses].join(' ')).to.equal(true);
    // scripts/loopback-only.sh sets RIVULET_IN_NETNS=1: there lo is the only interface.
    if (process.env['RIVULET_IN_NETNS'] === '1') expect(addresses).to.deep.equal(new Set(['127.0.0.1', '::1']));
    expect(new Set(trickled.map(candidateType))).to.deep.equal(new Set(['host']));
    // The complete offer carries the same candidates, a UDP one on 127.0.0.1 in every m-section.
    for (const m of sdp.media) {
      const udp4 = findAttributes(m.attributes, 'candidate').filter((c) => c.transport.toUpperCase() === 'UDP' && c.address === '127.0.0.1');
      expect(udp4.length, `${m.kind}: UDP 127.0.0.1 candidates`).to.be.at.least(1);
    }
  });

  it('offers simulcast with rids when sendEncodings has three layers', async function () {
    const offer = await harness.offer('simulcast');
    const video = parseSdp(offer.sdp).media[0]!;
    expect(findAttributes(video.attributes, 'rid').map((r) => `${r.id} ${r.direction}`)).to.deep.equal(['h send', 'm send', 'l send']);
  });

  it('its live offers and answers round-trip through @rivulet/sdp byte for byte', async function () {
    const offer = await harness.offer('av-data');
    const answer = await harness.answer(offer.sdp, true);
    for (const text of [offer.sdp, answer.sdp]) {
      const counters = new Counters<SdpParseCounter>();
      expect(serializeSdp(parseSdp(text, { counters }))).to.equal(text);
      expect(counters.toJSON()).to.deep.equal({});
    }
    await harness.closeAll();
  });

  it('two RTCPeerConnections inside Firefox connect over loopback UDP: tracks arrive, the data channel echoes', async function () {
    const r = await harness.connectPair();
    expect(r.states).to.deep.equal(['connected', 'connected']);
    expect(r.echo).to.equal('echo:ping');
    expect(r.remoteTracks).to.deep.equal(['audio', 'video']);
    // ICE may nominate the 127.0.0.1 or the ::1 pair (outside the namespace also a LAN pair); both ends on one address, UDP.
    if (process.env['RIVULET_IN_NETNS'] === '1') expect(['127.0.0.1', '::1']).to.include(r.local?.address);
    expect(r.remote?.address).to.equal(r.local?.address);
    expect(r.local?.protocol).to.equal('udp');
    expect(r.local?.candidateType).to.equal('host');
  });
});

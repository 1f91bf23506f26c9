import { expect } from 'chai';
import { tryParseRtcp } from '@rivulet/rtp';
import { MediaStream, MediaStreamTrackSource, RTCSessionDescription, type RTCPeerConnection, type RTCStatsReport } from '../src/index.js';
import type { RTCStats } from '../src/stats/RTCStatsReport.js';
import type { LinkedBundle } from './helpers/linkedBundles.js';
import { createPair, until } from './helpers/peers.js';

const RCVR_RTT_LINE = 'a=rtcp-xr:rcvr-rtt=all';
const strip = (sdp: string) => sdp.split('\r\n').filter((l) => !l.startsWith('a=rtcp-xr')).join('\r\n');
const ofType = (r: RTCStatsReport, type: string): RTCStats[] => [...r.values()].filter((s) => s.type === type);

/** RTCP packet kinds and XR block types each bundle puts on the linked wire. */
function tapRtcp(bundle: LinkedBundle): { kinds: string[]; xrBlocks: string[] } {
  const seen = { kinds: [] as string[], xrBlocks: [] as string[] };
  const send = bundle.sendRtcp.bind(bundle);
  bundle.sendRtcp = (packet: Uint8Array) => {
    for (const p of tryParseRtcp(Buffer.from(packet)) ?? []) {
      seen.kinds.push(p.kind);
      if (p.kind === 'xr') seen.xrBlocks.push(...p.blocks.map((b) => b.type));
    }
    send(packet);
  };
  return seen;
}

/**
 * a sends audio to b. `edit` may rewrite the offer (what b sees of a) and the answer (what a sees of b).
 * Sends 20 ms packets until `done()` or `ms` elapse; returns the taps and b's remote-outbound-rtp.
 */
async function run(edit: { offer?: (s: string) => string; answer?: (s: string) => string }, done: (b: RTCPeerConnection) => Promise<boolean>, ms: number) {
  const { a, b, bundles, close } = createPair();
  try {
    const src = new MediaStreamTrackSource({ kind: 'audio' });
    a.addTrack(src.createTrack(), new MediaStream());
    await a.setLocalDescription();
    const offer = a.localDescription!.sdp;
    await b.setRemoteDescription(new RTCSessionDescription({ type: 'offer', sdp: (edit.offer ?? ((s) => s))(offer) }));
    await b.setLocalDescription();
    const answer = b.localDescription!.sdp;
    await a.setRemoteDescription(new RTCSessionDescription({ type: 'answer', sdp: (edit.answer ?? ((s) => s))(answer) }));
    const fromA = tapRtcp(bundles.a!);
    const fromB = tapRtcp(bundles.b!);
    await until(() => a.connectionState === 'connected' && b.connectionState === 'connected', 3000, 'connected');
    const end = Date.now() + ms;
    for (let i = 0; Date.now() < end; i++) {
      const p = Buffer.alloc(12 + 60);
      p[0] = 0x80; p[1] = 111; p.writeUInt16BE(i & 0xffff, 2); p.writeUInt32BE(i * 960, 4); p.writeUInt32BE(0x1234, 8);
      src.writeRtp(p);
      if (i % 10 === 9 && (await done(b))) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const ro = ofType(await b.getStats(), 'remote-outbound-rtp')[0];
    return { offer, answer, fromA, fromB, ro };
  } finally {
    close();
  }
}

describe('RTCP XR negotiated with a=rtcp-xr:rcvr-rtt (RFC 3611 §5.1)', function () {
  this.timeout(20000);

  it('Rivulet ↔ Rivulet: offer and answer carry rcvr-rtt=all in each RTP section; RRTR → DLRR gives b remote-outbound-rtp.roundTripTime', async () => {
    const measured = async (b: RTCPeerConnection) => ((ofType(await b.getStats(), 'remote-outbound-rtp')[0]?.['roundTripTimeMeasurements'] as number | undefined) ?? 0) >= 1;
    const r = await run({}, measured, 8000);
    for (const sdp of [r.offer, r.answer]) {
      const sections = sdp.split('\r\nm=').slice(1);
      expect(sections.length).to.equal(1);
      expect(sections[0]!.split('\r\n').filter((l) => l.startsWith('a=rtcp-xr'))).to.deep.equal([RCVR_RTT_LINE]);
    }
    expect(r.fromB.xrBlocks).to.include('rrt');
    expect(r.fromB.xrBlocks).to.not.include('dlrr'); // b sends nothing, so it answers nothing
    expect(r.fromA.xrBlocks).to.include('dlrr');
    expect(r.fromA.xrBlocks).to.not.include('rrt'); // a receives nothing, so it has no reference time to report
    expect(r.ro!['roundTripTimeMeasurements'] as number).to.be.at.least(1);
    expect(r.ro!['roundTripTime'] as number).to.be.at.least(0).and.lessThan(1);
  });

  it('a remote description without a=rtcp-xr: b never sends an RRTR, so no XR packet crosses the wire either way', async () => {
    const srAndRr = async () => false;
    const r = await run({ offer: strip }, srAndRr, 3500);
    // Reports did flow both ways in those 3.5 s: a's SRs, b's RRs with a report block…
    expect(r.fromA.kinds).to.include('sr');
    expect(r.fromB.kinds).to.include('rr');
    // …and not one XR.
    expect(r.fromA.kinds.concat(r.fromB.kinds)).to.not.include('xr');
    expect(r.ro!['roundTripTimeMeasurements']).to.equal(0);
    expect(r.ro!['roundTripTime']).to.equal(undefined);
  });

  it('a renegotiation whose offer drops a=rtcp-xr stops b\'s RRTRs from then on', async () => {
    const { a, b, bundles, close } = createPair();
    try {
      const src = new MediaStreamTrackSource({ kind: 'audio' });
      a.addTrack(src.createTrack(), new MediaStream());
      const negotiate = async (edit: (s: string) => string) => {
        await a.setLocalDescription();
        await b.setRemoteDescription(new RTCSessionDescription({ type: 'offer', sdp: edit(a.localDescription!.sdp) }));
        await b.setLocalDescription();
        await a.setRemoteDescription(b.localDescription!);
      };
      await negotiate((s) => s);
      const fromB = tapRtcp(bundles.b!);
      await until(() => a.connectionState === 'connected' && b.connectionState === 'connected', 3000, 'connected');
      let i = 0;
      const sendFor = async (ms: number, stop: () => boolean) => {
        const end = Date.now() + ms;
        while (Date.now() < end && !stop()) {
          const p = Buffer.alloc(12 + 60);
          p[0] = 0x80; p[1] = 111; p.writeUInt16BE(i & 0xffff, 2); p.writeUInt32BE(i * 960, 4); p.writeUInt32BE(0x1234, 8);
          src.writeRtp(p);
          i++;
          await new Promise((r) => setTimeout(r, 20));
        }
      };
      await sendFor(8000, () => fromB.xrBlocks.includes('rrt'));
      expect(fromB.xrBlocks, 'RRTRs while negotiated').to.include('rrt');
      await negotiate(strip);
      expect(b.remoteDescription!.sdp).to.not.include('a=rtcp-xr');
      const kindsBefore = fromB.kinds.length;
      const xrBefore = fromB.xrBlocks.length;
      await sendFor(3500, () => false);
      expect(fromB.kinds.slice(kindsBefore), 'b kept reporting').to.include('rr');
      expect(fromB.xrBlocks.slice(xrBefore), 'no RRTR after the renegotiation').to.deep.equal([]);
    } finally {
      close();
    }
  });

  it('our answer without it seen by a does not stop a answering b\'s RRTRs with DLRR (the peer asked)', async () => {
    const measured = async (b: RTCPeerConnection) => ((ofType(await b.getStats(), 'remote-outbound-rtp')[0]?.['roundTripTimeMeasurements'] as number | undefined) ?? 0) >= 1;
    const r = await run({ answer: strip }, measured, 8000);
    expect(r.fromB.xrBlocks).to.include('rrt');
    expect(r.fromA.xrBlocks).to.include('dlrr');
    expect(r.ro!['roundTripTimeMeasurements'] as number).to.be.at.least(1);
  });
});

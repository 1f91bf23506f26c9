import { expect } from 'chai';
import { FakeClock } from '@rivulet/common';
import { VirtualNetwork } from '@rivulet/testkit';
import { RTCPeerConnection, type RTCConfiguration, type RTCDataChannel } from '../src/index.js';

/**
 * The webrtc side of SCTP PLPMTUD (docs/sctp.md): the RTCConfiguration knobs are validated, and a
 * network whose interface MTU cannot be known (here @rivulet/testkit's virtual one) keeps SCTP at
 * its 1200-byte base without a single probe. The real-network behaviour is in e2e/datachannel-pmtud*.
 */
describe('RTCConfiguration.rivulet.sctp (PLPMTUD knobs)', function () {
  this.timeout(30_000);

  it('refuses a non-boolean plpmtud and a peerMaxDatagram outside [1200, 65535]', () => {
    const bad = (sctp: unknown) => () => new RTCPeerConnection({ rivulet: { sctp } } as unknown as RTCConfiguration);
    expect(bad({ plpmtud: 'yes' })).to.throw(TypeError, 'RTCConfiguration.rivulet.sctp.plpmtud must be a boolean, got "yes"');
    expect(bad({ peerMaxDatagram: 1000 })).to.throw(TypeError, 'RTCConfiguration.rivulet.sctp.peerMaxDatagram must be an integer in [1200, 65535], got 1000');
    expect(bad({ peerMaxDatagram: 1500.5 })).to.throw(TypeError, /got 1500.5/);
    const ok = new RTCPeerConnection({ rivulet: { sctp: { plpmtud: false, peerMaxDatagram: 4096 } } });
    expect(ok.getConfiguration().rivulet?.sctp).to.deep.equal({ plpmtud: false, peerMaxDatagram: 4096 });
    ok.close();
  });

  it('over a virtual network (interface MTU unknown) SCTP stays at 1200 bytes and never probes', async () => {
    const clock = new FakeClock();
    const net = new VirtualNetwork({ clock, seed: 8899 });
    const alice = net.addHost('alice', { addresses: ['203.0.113.1'], link: { delayMs: 5 } });
    const bob = net.addHost('bob', { addresses: ['203.0.113.2'], link: { delayMs: 5 } });
    const a = new RTCPeerConnection({ rivulet: { network: alice, clock } });
    const b = new RTCPeerConnection({ rivulet: { network: bob, clock } });
    let biggest = 0;
    net.setTap((p) => { biggest = Math.max(biggest, p.data.length); });
    a.onicecandidate = (e) => { if (e.candidate?.candidate) void b.addIceCandidate(e.candidate); };
    b.onicecandidate = (e) => { if (e.candidate?.candidate) void a.addIceCandidate(e.candidate); };
    const dc = a.createDataChannel('x');
    let remote: RTCDataChannel | undefined;
    let got = 0;
    b.ondatachannel = (e) => {
      remote = e.channel;
      remote.onmessage = () => got++;
    };
    await a.setLocalDescription();
    await b.setRemoteDescription(a.localDescription!);
    await b.setLocalDescription();
    await a.setRemoteDescription(b.localDescription!);
    await clock.runUntil(() => dc.readyState === 'open' && remote?.readyState === 'open', { maxMs: 60_000, stepMs: 10 });
    for (let i = 0; i < 20; i++) dc.send(new Uint8Array(64 * 1024));
    await clock.runUntil(() => got === 20, { maxMs: 60_000, stepMs: 5 });
    const report = await a.getStats();
    let counters: Record<string, number> = {};
    for (const s of report.values()) {
      const t = s as { type: string; rivuletCounters?: Record<string, number> };
      if (t.type === 'transport' && t.rivuletCounters) counters = t.rivuletCounters;
    }
    expect(counters['sctp:plpmtu']).to.equal(1200);
    expect(counters['sctp:plpmtuProbesSent']).to.equal(0);
    expect(counters['sctp:packetsOverBase']).to.equal(0);
    // 1200 bytes of SCTP + 37 of DTLS (AES-GCM) is the largest datagram; STUN is smaller.
    expect(biggest).to.equal(1237);
    a.close();
    b.close();
  });
});

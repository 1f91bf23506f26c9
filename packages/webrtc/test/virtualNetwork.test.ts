import { expect } from 'chai';
import { FakeClock } from '@rivulet/common';
import { VirtualNetwork } from '@rivulet/testkit';
import { RTCPeerConnection, type RTCDataChannel } from '../src/index.js';

describe('RTCPeerConnection over @rivulet/testkit (FakeClock, lossy links)', function () {
  this.timeout(30000);

  it('connects and delivers every data-channel message in order over 10 % loss and 30 ms delay', async () => {
    const clock = new FakeClock();
    const net = new VirtualNetwork({ clock, seed: 7 });
    const link = { delayMs: 30, loss: 0.1 };
    const alice = net.addHost('alice', { addresses: ['203.0.113.1'], link });
    const bob = net.addHost('bob', { addresses: ['203.0.113.2'], link });
    const a = new RTCPeerConnection({ rivulet: { network: alice, clock } });
    const b = new RTCPeerConnection({ rivulet: { network: bob, clock } });
    a.onicecandidate = (e) => { if (e.candidate?.candidate) void b.addIceCandidate(e.candidate); };
    b.onicecandidate = (e) => { if (e.candidate?.candidate) void a.addIceCandidate(e.candidate); };
    const dc = a.createDataChannel('lossy');
    let remote: RTCDataChannel | undefined;
    const got: string[] = [];
    b.ondatachannel = (e) => {
      remote = e.channel;
      remote.onmessage = (m) => got.push(m.data as string);
    };
    await a.setLocalDescription();
    await b.setRemoteDescription(a.localDescription!);
    await b.setLocalDescription();
    await a.setRemoteDescription(b.localDescription!);
    await clock.runUntil(() => dc.readyState === 'open' && remote?.readyState === 'open', { maxMs: 60_000, stepMs: 10 });
    expect(a.connectionState).to.equal('connected');
    const pair = a.sctp!.transport.iceTransport.getSelectedCandidatePair()!;
    expect([pair.local.address, pair.remote.address]).to.deep.equal(['203.0.113.1', '203.0.113.2']);
    for (let i = 0; i < 50; i++) dc.send(`m${i}`);
    await clock.runUntil(() => got.length === 50, { maxMs: 60_000, stepMs: 10 });
    expect(got).to.deep.equal(Array.from({ length: 50 }, (_, i) => `m${i}`));
    expect(net.counters.get('dropped:loss')).to.be.greaterThan(0);
    a.close();
    b.close();
  });
});

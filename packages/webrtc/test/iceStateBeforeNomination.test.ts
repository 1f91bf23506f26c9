import { expect } from 'chai';
import { FakeClock, type Network } from '@rivulet/common';
import { VirtualNetwork, tapNetwork } from '@rivulet/testkit';
import { RTCPeerConnection, type RTCDataChannel } from '../src/index.js';

/**
 * DTLS and SCTP start on the first valid ICE pair (RFC 8445 §12.1), before the controlling side's
 * nomination reaches the controlled side. webrtc-pc §5.6 calls that ICE state 'connected' ("found a
 * usable connection ... still checking other candidate pairs"); if the W3C state stayed 'checking'
 * until the nomination, a data channel could open while connectionState still read 'connecting'
 * (seen against Chromium, which nominates late).
 */

/** RFC 8489 §5: a Binding request (0x0001) whose attributes include USE-CANDIDATE (0x0025, RFC 8445 §16.1). */
function isNomination(d: Uint8Array): boolean {
  if (d.length < 20 || d[0] !== 0x00 || d[1] !== 0x01) return false;
  let off = 20;
  const end = Math.min(d.length, 20 + ((d[2]! << 8) | d[3]!));
  while (off + 4 <= end) {
    const type = (d[off]! << 8) | d[off + 1]!;
    const len = (d[off + 2]! << 8) | d[off + 3]!;
    if (type === 0x0025) return true;
    off += 4 + ((len + 3) & ~3);
  }
  return false;
}

/** Swallows every USE-CANDIDATE check sent while `hold()` says so, counting them. */
function holdingNominations(inner: Network, hold: () => boolean, dropped: { n: number }): Network {
  return tapNetwork(inner, {
    send(data) {
      if (!hold() || !isNomination(data)) return true;
      dropped.n++;
      return false;
    },
  });
}

describe('W3C ICE state while a valid pair carries DTLS before the nomination', function () {
  this.timeout(20_000);

  it('the controlled side reports connected (ICE and connection) when its channel opens, before any nomination arrived', async () => {
    const clock = new FakeClock();
    const net = new VirtualNetwork({ clock, seed: 7 });
    const dropped = { n: 0 };
    let holding = true;
    const a = new RTCPeerConnection({
      rivulet: { network: holdingNominations(net.addHost('a', { addresses: ['203.0.113.1'], link: { delayMs: 5 } }), () => holding, dropped), clock },
    });
    const b = new RTCPeerConnection({ rivulet: { network: net.addHost('b', { addresses: ['203.0.113.2'], link: { delayMs: 5 } }), clock } });
    const bIceStates: string[] = [];
    const bConnStates: string[] = [];
    b.oniceconnectionstatechange = () => bIceStates.push(b.iceConnectionState);
    b.onconnectionstatechange = () => bConnStates.push(b.connectionState);
    try {
      const dc = a.createDataChannel('early');
      let remote: RTCDataChannel | undefined;
      const atOpen: Record<string, string> = {};
      b.ondatachannel = (e) => {
        remote = e.channel;
        remote.onopen = () => { atOpen.b = `${b.iceConnectionState}/${b.connectionState}`; };
      };
      dc.onopen = () => { atOpen.a = `${a.iceConnectionState}/${a.connectionState}`; };
      await a.setLocalDescription();
      await clock.runUntil(() => a.iceGatheringState === 'complete', { maxMs: 1000, stepMs: 1 });
      await b.setRemoteDescription(a.localDescription!);
      await b.setLocalDescription();
      await clock.runUntil(() => b.iceGatheringState === 'complete', { maxMs: 1000, stepMs: 1 });
      await a.setRemoteDescription(b.localDescription!);
      await clock.runUntil(() => dc.readyState === 'open' && remote?.readyState === 'open', { maxMs: 10_000, stepMs: 1 });
      // a (controlling, offerer) tried to nominate and every USE-CANDIDATE was swallowed, so b has
      // no selected pair; its channel still opened over the valid pair.
      expect(dropped.n, 'nominations swallowed').to.be.greaterThan(0);
      expect(b.sctp?.transport.iceTransport.getSelectedCandidatePair(), 'b has selected no pair').to.equal(null);
      expect(atOpen.b).to.equal('connected/connected');
      expect(bIceStates).to.deep.equal(['checking', 'connected']);
      expect(bConnStates).to.deep.equal(['connecting', 'connected']);
      // Once the nomination gets through, b selects the pair: no second 'connected' event.
      holding = false;
      await clock.runUntil(() => b.sctp?.transport.iceTransport.getSelectedCandidatePair() != null, { maxMs: 10_000, stepMs: 1 });
      expect(bIceStates.filter((s) => s === 'connected')).to.have.length(1);
      expect(atOpen.a).to.equal('connected/connected');
    } finally {
      a.close();
      b.close();
    }
  });
});

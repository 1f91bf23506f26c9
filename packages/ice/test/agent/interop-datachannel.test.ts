import { expect } from 'chai';
import { RealClock, nodeNetwork } from '@rivulet/common';
import { IceAgent, IceCandidate } from '../../src/agent/index.js';
import { isUp, waitUntil } from './helpers.js';

/**
 * Interop with a stack we did not write: node-datachannel (libdatachannel +
 * libjuice) as the offerer and controlling ICE agent, ours as the answerer,
 * over 127.0.0.1. We answer with a=setup:passive so libdatachannel starts
 * DTLS: its ClientHello must reach us as data over the selected pair.
 */
describe('IceAgent interop with libjuice (node-datachannel) on 127.0.0.1', function () {
  this.timeout(20_000);

  it('libjuice (controlling) and our agent (controlled) connect; its DTLS ClientHello arrives over the pair', async function () {
    let ndc: typeof import('node-datachannel');
    try {
      ndc = (await import('node-datachannel')).default as unknown as typeof import('node-datachannel');
    } catch (err) {
      if (process.env.CI === 'true') throw err;
      this.skip(); // npm package node-datachannel (dev dependency) is not installed
      return;
    }
    const pc = new ndc.PeerConnection('libjuice', { iceServers: [], bindAddress: '127.0.0.1' });
    const agent = new IceAgent({ controlling: false, clock: new RealClock(), network: nodeNetwork, interfaceFilter: (a) => a.address === '127.0.0.1' });
    try {
      let offer = '';
      const theirCandidates: string[] = [];
      let theirGatheringDone = false;
      let iceState = '';
      pc.onLocalDescription((sdp) => (offer = sdp));
      pc.onLocalCandidate((c) => theirCandidates.push(c));
      pc.onGatheringStateChange((s) => (theirGatheringDone = s === 'complete'));
      pc.onIceStateChange((s) => (iceState = s));
      pc.createDataChannel('probe');
      await waitUntil(() => offer !== '' && theirGatheringDone, 5000, 'libdatachannel offer and candidates');
      const ufrag = /a=ice-ufrag:(\S+)/.exec(offer)![1]!;
      const pwd = /a=ice-pwd:(\S+)/.exec(offer)![1]!;
      agent.setRemoteParameters({ usernameFragment: ufrag, password: pwd });
      for (const c of theirCandidates) agent.addRemoteCandidate(IceCandidate.fromSdp(c));
      agent.addRemoteCandidate(null);
      await agent.gather();
      const fp = Array.from({ length: 32 }, (_, i) => (i * 7).toString(16).padStart(2, '0').toUpperCase()).join(':');
      const answer = [
        'v=0',
        'o=- 1 1 IN IP4 127.0.0.1',
        's=-',
        't=0 0',
        'a=group:BUNDLE 0',
        'm=application 9 UDP/DTLS/SCTP webrtc-datachannel',
        'c=IN IP4 0.0.0.0',
        'a=mid:0',
        'a=sctp-port:5000',
        'a=setup:passive',
        `a=ice-ufrag:${agent.localParameters.usernameFragment}`,
        `a=ice-pwd:${agent.localParameters.password}`,
        `a=fingerprint:sha-256 ${fp}`,
        ...agent.localCandidateList.map((c) => `a=${c.toSdp()}`),
        'a=end-of-candidates',
        '',
      ].join('\r\n');
      const dtls: Buffer[] = [];
      agent.on('data', (d) => dtls.push(d));
      agent.start();
      pc.setRemoteDescription(answer, 'answer');
      await waitUntil(() => isUp(agent.state) && (iceState === 'connected' || iceState === 'completed') && dtls.length > 0, 10_000, 'ICE up on both sides and DTLS data');
      const theirPort = Number(IceCandidate.fromSdp(theirCandidates[0]!).port);
      expect(agent.role).to.equal('controlled');
      expect(agent.selectedPair!.remote.port).to.equal(theirPort);
      expect(agent.selectedPair!.nominated).to.equal(true);
      expect(dtls[0]![0]).to.equal(22); // DTLS handshake record (RFC 6347 §4.1), i.e. RFC 7983's 20..63 range
      expect(agent.counters.get('request-bad-integrity')).to.equal(0);
    } finally {
      agent.close();
      pc.close();
    }
  });

  it('our agent (controlling, offerer) nominates a pair with libjuice (controlled answerer)', async function () {
    let ndc: typeof import('node-datachannel');
    try {
      ndc = (await import('node-datachannel')).default as unknown as typeof import('node-datachannel');
    } catch (err) {
      if (process.env.CI === 'true') throw err;
      this.skip(); // npm package node-datachannel (dev dependency) is not installed
      return;
    }
    const pc = new ndc.PeerConnection('libjuice-answerer', { iceServers: [], bindAddress: '127.0.0.1' });
    const agent = new IceAgent({ controlling: true, clock: new RealClock(), network: nodeNetwork, interfaceFilter: (a) => a.address === '127.0.0.1' });
    try {
      let answer = '';
      let iceState = '';
      pc.onLocalDescription((sdp) => (answer = sdp));
      pc.onLocalCandidate((c) => agent.addRemoteCandidate(IceCandidate.fromSdp(c)));
      pc.onGatheringStateChange((s) => s === 'complete' && agent.addRemoteCandidate(null));
      pc.onIceStateChange((s) => (iceState = s));
      await agent.gather();
      const fp = Array.from({ length: 32 }, (_, i) => (i * 5).toString(16).padStart(2, '0').toUpperCase()).join(':');
      const offer = [
        'v=0',
        'o=- 2 1 IN IP4 127.0.0.1',
        's=-',
        't=0 0',
        'a=group:BUNDLE 0',
        'a=ice-options:trickle',
        'm=application 9 UDP/DTLS/SCTP webrtc-datachannel',
        'c=IN IP4 0.0.0.0',
        'a=mid:0',
        'a=sctp-port:5000',
        'a=setup:actpass',
        `a=ice-ufrag:${agent.localParameters.usernameFragment}`,
        `a=ice-pwd:${agent.localParameters.password}`,
        `a=fingerprint:sha-256 ${fp}`,
        ...agent.localCandidateList.map((c) => `a=${c.toSdp()}`),
        'a=end-of-candidates',
        '',
      ].join('\r\n');
      pc.setRemoteDescription(offer, 'offer');
      await waitUntil(() => answer !== '', 5000, 'libdatachannel answer');
      agent.setRemoteParameters({ usernameFragment: /a=ice-ufrag:(\S+)/.exec(answer)![1]!, password: /a=ice-pwd:(\S+)/.exec(answer)![1]! });
      agent.start();
      await waitUntil(() => isUp(agent.state) && (iceState === 'connected' || iceState === 'completed'), 10_000, 'ICE up on both sides');
      expect(agent.role).to.equal('controlling');
      expect(agent.selectedPair!.nominated).to.equal(true);
      expect(agent.selectedPair!.local.base.address.address).to.equal('127.0.0.1');
    } finally {
      agent.close();
      pc.close();
    }
  });
});

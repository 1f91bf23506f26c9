import { expect } from 'chai';
import { MediaStreamTrackSource, RTCCertificate, RTCIceCandidate, RTCPeerConnection, type RTCPeerConnectionIceEvent } from '../src/index.js';
import { createPair, negotiate, until } from './helpers/peers.js';

const CAND = 'candidate:842163049 1 udp 1677729535 198.51.100.9 61665 typ srflx raddr 10.0.0.1 rport 5000 generation 0 ufrag abcd network-cost 999';

async function rejectsWith(p: Promise<unknown>, name: string): Promise<void> {
  const e = await p.then(() => null, (err: unknown) => err);
  expect(e, `expected ${name}`).to.not.equal(null);
  expect((e as Error).name).to.equal(name);
}

describe('RTCIceCandidate', () => {
  it('parses the candidate string and serializes with toJSON', () => {
    const c = new RTCIceCandidate({ candidate: CAND, sdpMid: '0', sdpMLineIndex: 0 });
    expect([c.foundation, c.component, c.protocol, c.priority, c.address, c.port, c.type, c.relatedAddress, c.relatedPort, c.usernameFragment, c.tcpType])
      .to.deep.equal(['842163049', 'rtp', 'udp', 1677729535, '198.51.100.9', 61665, 'srflx', '10.0.0.1', 5000, 'abcd', null]);
    expect(c.toJSON()).to.deep.equal({ candidate: CAND, sdpMid: '0', sdpMLineIndex: 0, usernameFragment: 'abcd' });
    expect(JSON.parse(JSON.stringify(c))).to.deep.equal(c.toJSON());
    expect(() => new RTCIceCandidate({ candidate: CAND })).to.throw(TypeError, /sdpMid and sdpMLineIndex/);
    const bad = new RTCIceCandidate({ candidate: 'candidate:garbage', sdpMid: '0' });
    expect(bad.address).to.equal(null);
    expect(new RTCIceCandidate({ candidate: '', sdpMid: '0' }).type).to.equal(null);
  });
});

describe('addIceCandidate and ICE events', function () {
  this.timeout(10000);

  it('rejects with the spec errors', async () => {
    const { a, b, close } = createPair();
    a.addTransceiver('audio');
    await rejectsWith(b.addIceCandidate({ candidate: CAND }), 'TypeError');
    await rejectsWith(b.addIceCandidate({ candidate: CAND, sdpMid: '0' }), 'InvalidStateError');
    await a.setLocalDescription();
    await b.setRemoteDescription(a.localDescription!);
    await rejectsWith(b.addIceCandidate({ candidate: CAND, sdpMid: 'nope' }), 'OperationError');
    await rejectsWith(b.addIceCandidate({ candidate: CAND, sdpMLineIndex: 5 }), 'OperationError');
    await rejectsWith(b.addIceCandidate({ candidate: CAND, sdpMid: '0', usernameFragment: 'zzzz' }), 'OperationError');
    await rejectsWith(b.addIceCandidate({ candidate: 'candidate:1 1 udp', sdpMid: '0' }), 'OperationError');
    const ufrag = /a=ice-ufrag:(\S+)/.exec(a.localDescription!.sdp)![1]!;
    await b.addIceCandidate({ candidate: CAND.replace('ufrag abcd', `ufrag ${ufrag}`), sdpMid: '0', usernameFragment: ufrag });
    expect(b.remoteDescription!.sdp).to.include('198.51.100.9 61665 typ srflx');
    // End of candidates: no argument, null, or an empty candidate.
    await b.addIceCandidate();
    await b.addIceCandidate(null);
    await b.addIceCandidate({ candidate: '', sdpMid: '0' });
    expect(b.remoteDescription!.sdp).to.include('a=end-of-candidates');
    expect(b.canTrickleIceCandidates).to.equal(true);
    close();
  });

  it('trickles local candidates: icecandidate events, gathering states, "" then null, localDescription updated', async () => {
    const { a, b, close } = createPair();
    a.addTransceiver('audio');
    const events: string[] = [];
    a.onicegatheringstatechange = () => events.push(`gathering:${a.iceGatheringState}`);
    a.onicecandidate = (e: RTCPeerConnectionIceEvent) => {
      events.push(e.candidate === null ? 'null' : e.candidate.candidate === '' ? 'end' : 'candidate');
      if (e.candidate?.candidate) {
        expect(e.candidate.sdpMid).to.equal('0');
        expect(e.candidate.sdpMLineIndex).to.equal(0);
        expect(e.candidate.usernameFragment).to.be.a('string');
      }
    };
    expect(a.canTrickleIceCandidates).to.equal(null);
    await negotiate(a, b);
    await until(() => events.includes('null'), 3000, 'gathering complete');
    expect(events).to.deep.equal(['gathering:gathering', 'candidate', 'end', 'gathering:complete', 'null']);
    expect(a.localDescription!.sdp).to.match(/a=candidate:1 1 udp \d+ 127\.0\.0\.1 \d+ typ host/);
    expect(a.localDescription!.sdp).to.include('a=end-of-candidates');
    expect(a.iceGatheringState).to.equal('complete');
    const pair = a.getSenders()[0]!.transport!.iceTransport.getSelectedCandidatePair();
    await until(() => a.getSenders()[0]!.transport!.iceTransport.getSelectedCandidatePair() !== null, 3000, 'pair');
    void pair;
    expect(a.getSenders()[0]!.transport!.iceTransport.getSelectedCandidatePair()!.local.address).to.equal('127.0.0.1');
    close();
  });
});

describe('RTCConfiguration', () => {
  it('validates iceServers URLs and credentials', () => {
    expect(() => new RTCPeerConnection({ iceServers: [{ urls: 'http://example.com' }] })).to.throw(DOMException, /scheme/);
    expect(() => new RTCPeerConnection({ iceServers: [{ urls: [] }] })).to.throw(DOMException, /empty/);
    expect(() => new RTCPeerConnection({ iceServers: [{ urls: 'turn:turn.example.com' }] })).to.throw(DOMException, /username/);
    try {
      new RTCPeerConnection({ iceServers: [{ urls: 'turn:turn.example.com', username: 'u' }] });
      expect.fail('did not throw');
    } catch (e) {
      expect((e as DOMException).name).to.equal('InvalidAccessError');
    }
    try {
      new RTCPeerConnection({ iceServers: [{ urls: 'stun:host?transport=udp' }] });
      expect.fail('did not throw');
    } catch (e) {
      expect((e as DOMException).name).to.equal('SyntaxError');
    }
    expect(() => new RTCPeerConnection({ iceTransportPolicy: 'none' as 'all' })).to.throw(TypeError);
    expect(() => new RTCPeerConnection({ bundlePolicy: 'x' as 'balanced' })).to.throw(TypeError);
    expect(() => new RTCPeerConnection({ rtcpMuxPolicy: 'negotiate' as 'require' })).to.throw(TypeError);
    expect(() => new RTCPeerConnection({ iceCandidatePoolSize: 256 })).to.throw(TypeError);
    const pc = new RTCPeerConnection({
      iceServers: [{ urls: ['stun:stun.example.com:19302', 'turn:[::1]:3478?transport=tcp', 'turns:t.example.com'], username: 'u', credential: 'p' }],
      bundlePolicy: 'max-bundle', iceTransportPolicy: 'relay',
    });
    const c = pc.getConfiguration();
    expect(c.iceServers![0]!.urls).to.deep.equal(['stun:stun.example.com:19302', 'turn:[::1]:3478?transport=tcp', 'turns:t.example.com']);
    expect([c.bundlePolicy, c.iceTransportPolicy, c.rtcpMuxPolicy, c.iceCandidatePoolSize]).to.deep.equal(['max-bundle', 'relay', 'require', 0]);
    pc.close();
  });

  it('setConfiguration refuses to change fixed members', () => {
    const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle' });
    expect(() => pc.setConfiguration({ bundlePolicy: 'balanced' })).to.throw(DOMException, /bundlePolicy/);
    pc.setConfiguration({ bundlePolicy: 'max-bundle', iceServers: [{ urls: 'stun:s.example.com' }] });
    expect(pc.getConfiguration().iceServers).to.have.length(1);
    pc.close();
    expect(() => pc.setConfiguration({})).to.throw(DOMException, /closed/);
  });

  it('generateCertificate: ECDSA and RSA, expires, fingerprints; NotSupportedError otherwise; used by the offer', async () => {
    const ec = await RTCPeerConnection.generateCertificate({ name: 'ECDSA', namedCurve: 'P-256' });
    expect(ec).to.be.instanceOf(RTCCertificate);
    expect(ec.expires).to.be.greaterThan(Date.now() + 29 * 86400_000);
    const fps = ec.getFingerprints();
    expect(fps[0]!.algorithm).to.equal('sha-256');
    expect(fps[0]!.value).to.match(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    const short = await RTCPeerConnection.generateCertificate({ name: 'ECDSA', namedCurve: 'P-256', expires: 3600_000 });
    expect(short.expires).to.be.within(Date.now() + 3500_000, Date.now() + 3700_000);
    const rsa = await RTCPeerConnection.generateCertificate({ name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' });
    expect(rsa.getFingerprints()[0]!.value).to.not.equal(fps[0]!.value);
    await rejectsWith(RTCPeerConnection.generateCertificate({ name: 'ECDSA', namedCurve: 'P-384' }), 'NotSupportedError');
    await rejectsWith(RTCPeerConnection.generateCertificate('HMAC'), 'NotSupportedError');
    const pc = new RTCPeerConnection({ certificates: [ec] });
    pc.addTransceiver('audio');
    const offer = await pc.createOffer();
    expect(offer.sdp).to.include(`a=fingerprint:sha-256 ${fps[0]!.value}`);
    expect(pc.getConfiguration().certificates).to.deep.equal([ec]);
    expect(() => pc.setConfiguration({ certificates: [rsa] })).to.throw(DOMException, /certificates/);
    pc.close();
  });
});

describe('getStats', function () {
  this.timeout(10000);

  it('returns a Map-like report with cross-referenced ids', async () => {
    const { a, b, close } = createPair();
    a.addTransceiver('audio');
    a.createDataChannel('d');
    await negotiate(a, b);
    await until(() => a.connectionState === 'connected', 3000, 'connected');
    const report = await a.getStats();
    expect(report.size).to.be.greaterThan(3);
    const transport = [...report.values()].find((s) => s.type === 'transport')!;
    expect(report.get(transport['localCertificateId'] as string)?.type).to.equal('certificate');
    expect(report.get(transport['remoteCertificateId'] as string)?.type).to.equal('certificate');
    const pair = report.get(transport['selectedCandidatePairId'] as string)!;
    expect(pair.type).to.equal('candidate-pair');
    expect(report.get(pair['localCandidateId'] as string)?.type).to.equal('local-candidate');
    expect(report.get('P')?.type).to.equal('peer-connection');
    expect(transport['rivuletCounters']).to.be.an('object');
    expect((transport['rivuletCounters'] as Record<string, number>)['rtp-undemuxable']).to.equal(0);
    let n = 0;
    report.forEach(() => n++);
    expect(n).to.equal(report.size);
    expect([...report.keys()]).to.have.length(report.size);
    await rejectsWith(a.getStats(new MediaStreamTrackSource({ kind: 'audio' }).createTrack()), 'InvalidAccessError');
    close();
  });
});

describe('legacy offer options and per-object stats', function () {
  this.timeout(10000);

  it('offerToReceiveAudio/Video add recvonly transceivers (webrtc-pc §11.2)', async () => {
    const pc = new RTCPeerConnection();
    const offer = await pc.createOffer({ offerToReceiveAudio: true, offerToReceiveVideo: true });
    expect(pc.getTransceivers().map((t) => [t.receiver.track.kind, t.direction])).to.deep.equal([['audio', 'recvonly'], ['video', 'recvonly']]);
    expect(offer.sdp!.match(/a=recvonly/g)).to.have.length(2);
    pc.close();
  });

  it('sender/receiver getStats select their own RTP stream; SDP candidates are listed on the ICE transport', async () => {
    const { a, b, close } = createPair();
    const src = new MediaStreamTrackSource({ kind: 'audio' });
    const sender = a.addTrack(src.createTrack());
    await negotiate(a, b);
    await until(() => a.connectionState === 'connected', 3000, 'connected');
    const pkt = Buffer.alloc(20);
    pkt[0] = 0x80; pkt[1] = 111;
    src.writeRtp(pkt);
    const receiver = b.getReceivers()[0]!;
    await until(() => !receiver.track.muted, 3000, 'RTP');
    const s = await sender.getStats();
    expect([...s.values()].filter((x) => x.type === 'outbound-rtp')).to.have.length(1);
    expect([...s.values()].filter((x) => x.type === 'inbound-rtp')).to.have.length(0);
    expect([...s.values()].some((x) => x.type === 'transport')).to.equal(true);
    const r = await receiver.getStats();
    expect([...r.values()].filter((x) => x.type === 'inbound-rtp')).to.have.length(1);
    expect([...r.values()].filter((x) => x.type === 'outbound-rtp')).to.have.length(0);
    const byTrack = await b.getStats(receiver.track);
    expect([...byTrack.values()].filter((x) => x.type === 'inbound-rtp')).to.have.length(1);
    // b learnt a's candidate from the SDP it applied (gathering completed before the answer in this pair).
    const ice = receiver.transport!.iceTransport;
    expect(ice.getLocalCandidates().length).to.be.greaterThan(0);
    expect(ice.getRemoteParameters()!.usernameFragment).to.match(/^[0-9a-f]+$/);
    close();
  });
});

import { expect } from 'chai';
import { FakeClock } from '@rivulet/common';
import { StunBindingServer, TurnTestServer } from '@rivulet/ice';
import { VirtualNetwork, type TappedPacket } from '@rivulet/testkit';
import { MediaStream, MediaStreamTrackSource, RTCPeerConnection, type RTCDataChannel, type RTCStatsReport } from '../src/index.js';
import type { RTCStats } from '../src/stats/RTCStatsReport.js';
import { createPair, negotiate, until } from './helpers/peers.js';

/** What the virtual wire carried for one host, per local→remote 5-tuple, counted independently of the agent. */
interface Tally {
  requestTx: Set<string>;
  requestsIn: number;
  responsesOut: number;
  responseTxIn: Set<string>;
  packetsOut: number;
  bytesOut: number;
  packetsIn: number;
  bytesIn: number;
}

const emptyTally = (): Tally => ({ requestTx: new Set(), requestsIn: 0, responsesOut: 0, responseTxIn: new Set(), packetsOut: 0, bytesOut: 0, packetsIn: 0, bytesIn: 0 });
const key = (la: string, lp: number, ra: string, rp: number) => `${la}:${lp}>${ra}:${rp}`;

function wireTally(net: VirtualNetwork, host: string): Map<string, Tally> {
  const tallies = new Map<string, Tally>();
  net.setTap((p: TappedPacket) => {
    if (p.host !== host) return;
    const send = p.stage === 'send';
    const k = send ? key(p.src.address, p.src.port, p.dst.address, p.dst.port) : key(p.dst.address, p.dst.port, p.src.address, p.src.port);
    let t = tallies.get(k);
    if (!t) tallies.set(k, (t = emptyTally()));
    const d = p.data;
    if (d[0]! < 4) {
      // RFC 8489 §5: message type in the first 2 bytes, transaction id in bytes 8..19.
      const type = d.readUInt16BE(0);
      const tx = d.subarray(8, 20).toString('hex');
      if (type === 0x0001 && send) t.requestTx.add(tx);
      else if (type === 0x0001) t.requestsIn++;
      else if (type === 0x0101 && send) t.responsesOut++;
      else if (type === 0x0101) t.responseTxIn.add(tx);
      return;
    }
    if (send) {
      t.packetsOut++;
      t.bytesOut += d.length;
    } else {
      t.packetsIn++;
      t.bytesIn += d.length;
    }
  });
  return tallies;
}

function ofType(r: RTCStatsReport, type: string): RTCStats[] {
  return [...r.values()].filter((s) => s.type === type);
}

/** Every member naming another stats object (…Id, localId, remoteId) resolves in the same report. */
export function expectReferencesResolve(r: RTCStatsReport): number {
  let n = 0;
  for (const s of r.values()) {
    for (const [k, v] of Object.entries(s)) {
      if (k === 'id' || !/Id$/.test(k)) continue;
      expect(v, `${s.type} ${s.id}.${k}`).to.be.a('string');
      expect(r.has(v as string), `${s.type} ${s.id}.${k} = ${String(v)} resolves`).to.equal(true);
      n++;
    }
  }
  return n;
}

async function connectVirtual(opts: { signalBobCandidates: boolean }) {
  const clock = new FakeClock();
  const net = new VirtualNetwork({ clock, seed: 11 });
  const link = { delayMs: 5 };
  // Two addresses on alice: two pairs in her check list, one selected.
  const alice = net.addHost('alice', { addresses: ['203.0.113.1', '198.51.100.1'], link });
  const bob = net.addHost('bob', { addresses: ['203.0.113.2'], link });
  const tally = wireTally(net, 'alice');
  const a = new RTCPeerConnection({ rivulet: { network: alice, clock } });
  const b = new RTCPeerConnection({ rivulet: { network: bob, clock } });
  a.onicecandidate = (e) => { if (e.candidate?.candidate) void b.addIceCandidate(e.candidate); };
  b.onicecandidate = (e) => { if (opts.signalBobCandidates && e.candidate?.candidate) void a.addIceCandidate(e.candidate); };
  const dc = a.createDataChannel('stats');
  let remote: RTCDataChannel | undefined;
  b.ondatachannel = (e) => { remote = e.channel; };
  await a.setLocalDescription();
  await b.setRemoteDescription(a.localDescription!);
  await b.setLocalDescription();
  // Without trickled candidates bob's answer carries none either (they came after the answer):
  // alice can learn bob only from his checks (RFC 8445 §7.3.1.3, peer-reflexive).
  await a.setRemoteDescription(b.localDescription!);
  await clock.runUntil(() => dc.readyState === 'open' && remote?.readyState === 'open', { maxMs: 30_000, stepMs: 5 });
  return { clock, net, a, b, dc, remote: remote!, tally, close: () => { a.close(); b.close(); } };
}

describe('getStats: ICE, transport and data channels over the virtual network (FakeClock)', function () {
  this.timeout(30000);

  it('candidate-pair counters of every pair equal what the wire carried; transport fields; ids resolve; timestamps advance', async () => {
    const { clock, a, dc, tally, close } = await connectVirtual({ signalBobCandidates: true });
    try {
      for (let i = 0; i < 20; i++) dc.send(`message ${i}`);
      // Past two consent checks (RFC 7675: every 4-6 s) so consent counters move.
      await clock.advanceAsync(12_000, 50);
      const r1 = await a.getStats();
      const pairs = ofType(r1, 'candidate-pair');
      expect(pairs.length, 'both pairs of the check list').to.equal(2);
      const transport = ofType(r1, 'transport')[0]!;
      const selected = r1.get(transport['selectedCandidatePairId'] as string)!;
      expect(selected.type).to.equal('candidate-pair');
      expect([selected['state'], selected['nominated']]).to.deep.equal(['succeeded', true]);
      const states: string[] = [];
      for (const p of pairs) {
        const l = r1.get(p['localCandidateId'] as string)!;
        const rc = r1.get(p['remoteCandidateId'] as string)!;
        // A pair never checked (ordinary checks stop once a pair is nominated, RFC 8445 §8.1.2) saw nothing.
        const t = tally.get(key(l['address'] as string, l['port'] as number, rc['address'] as string, rc['port'] as number)) ?? emptyTally();
        if (p.id !== transport['selectedCandidatePairId']) states.push(`${p['state']}`);
        const got = [p['requestsSent'], p['requestsReceived'], p['responsesSent'], p['responsesReceived'], p['packetsSent'], p['bytesSent'], p['packetsReceived'], p['bytesReceived']];
        const want = [t!.requestTx.size, t!.requestsIn, t!.responsesOut, t!.responseTxIn.size, t!.packetsOut, t!.bytesOut, t!.packetsIn, t!.bytesIn];
        expect(got, `${p.id} requests/responses/packets/bytes`).to.deep.equal(want);
        expect(p['priority']).to.be.a('number').and.to.be.greaterThan(0);
      }
      expect(states).to.have.length(1);
      expect(['frozen', 'waiting', 'in-progress', 'failed', 'succeeded']).to.include(states[0]);
      // Data only ever went on the selected pair: its counters are the transport's.
      expect([selected['packetsSent'], selected['bytesSent'], selected['packetsReceived'], selected['bytesReceived']])
        .to.deep.equal([transport['packetsSent'], transport['bytesSent'], transport['packetsReceived'], transport['bytesReceived']]);
      expect(selected['bytesSent']).to.be.greaterThan(20 * 'message 0'.length);
      const counters = transport['rivuletCounters'] as Record<string, number>;
      expect(selected['consentRequestsSent']).to.equal(counters['consent-checks-sent']).and.to.be.at.least(2);
      // Every response yields one RTT sample: total = responses × the (constant) RTT of this link.
      const current = selected['currentRoundTripTime'] as number;
      expect(current).to.be.greaterThan(0);
      expect(selected['totalRoundTripTime'] as number).to.be.closeTo((selected['responsesReceived'] as number) * current, 1e-9);
      expect(selected['availableOutgoingBitrate'], 'no media sent: no estimate').to.equal(undefined);
      // Transport (webrtc-stats RTCTransportStats).
      expect(transport['selectedCandidatePairChanges']).to.equal(1);
      expect([transport['iceRole'], transport['iceState'], transport['dtlsState'], transport['tlsVersion']]).to.deep.equal(['controlling', 'connected', 'connected', 'FEFD']);
      expect(transport['iceLocalUsernameFragment']).to.equal(/a=ice-ufrag:(\S+)/.exec(a.localDescription!.sdp)![1]);
      expect(transport['dtlsCipher']).to.match(/^TLS_ECDHE_(ECDSA|RSA)_WITH_/);
      expect(transport['srtpCipher']).to.be.oneOf(['SRTP_AEAD_AES_128_GCM', 'SRTP_AEAD_AES_256_GCM', 'SRTP_AES128_CM_HMAC_SHA1_80', 'SRTP_AES128_CM_HMAC_SHA1_32']);
      expect(['client', 'server']).to.include(transport['dtlsRole']);
      expect(expectReferencesResolve(r1)).to.be.at.least(12);
      // Candidates: one local per alice address, one remote (bob), each with its generation.
      const locals = ofType(r1, 'local-candidate').map((c) => `${c['address']} ${c['candidateType']} ${c['protocol']}`).sort();
      expect(locals).to.deep.equal(['198.51.100.1 host udp', '203.0.113.1 host udp']);
      expect(ofType(r1, 'remote-candidate').map((c) => `${c['address']} ${c['candidateType']}`)).to.deep.equal(['203.0.113.2 host']);
      expect(ofType(r1, 'local-candidate').every((c) => c['usernameFragment'] === transport['iceLocalUsernameFragment'])).to.equal(true);
      // Timestamps: last-packet times within the report, and later in a later report.
      const t1 = selected['lastPacketSentTimestamp'] as number;
      expect(t1).to.be.at.most(selected.timestamp);
      dc.send('later');
      await clock.advanceAsync(100, 10);
      const r2 = await a.getStats();
      const selected2 = r2.get(selected.id)!;
      expect(selected2.timestamp).to.be.greaterThan(selected.timestamp);
      expect(selected2['lastPacketSentTimestamp'] as number).to.be.greaterThan(t1);
      expect(selected2['bytesSent'] as number).to.be.greaterThan(selected['bytesSent'] as number);
    } finally {
      close();
    }
  });

  it('a peer-reflexive remote candidate learnt from checks is in the report and in getRemoteCandidates(), matching the selected pair', async () => {
    const { a, tally, close } = await connectVirtual({ signalBobCandidates: false });
    try {
      const r = await a.getStats();
      const transport = ofType(r, 'transport')[0]!;
      const selected = r.get(transport['selectedCandidatePairId'] as string)!;
      const remote = r.get(selected['remoteCandidateId'] as string)!;
      expect([remote['candidateType'], remote['address']]).to.deep.equal(['prflx', '203.0.113.2']);
      expect(remote['usernameFragment']).to.equal(/a=ice-ufrag:(\S+)/.exec(a.remoteDescription!.sdp)![1]);
      const ice = a.sctp!.transport.iceTransport;
      const prflx = ice.getRemoteCandidates().filter((c) => c.type === 'prflx');
      expect(prflx.map((c) => `${c.address}:${c.port}`)).to.deep.equal([`203.0.113.2:${remote['port']}`]);
      const sel = ice.getSelectedCandidatePair()!;
      const local = r.get(selected['localCandidateId'] as string)!;
      expect([sel.local.address, sel.local.port, sel.local.type, sel.local.priority]).to.deep.equal([local['address'], local['port'], local['candidateType'], local['priority']]);
      expect([sel.remote.address, sel.remote.port, sel.remote.type, sel.remote.priority]).to.deep.equal([remote['address'], remote['port'], 'prflx', remote['priority']]);
      // The pair learnt from bob's checks answered them: responsesSent counted on it.
      const t = tally.get(key(local['address'] as string, local['port'] as number, '203.0.113.2', remote['port'] as number))!;
      expect(selected['responsesSent']).to.equal(t.responsesOut).and.to.be.greaterThan(0);
      expectReferencesResolve(r);
    } finally {
      close();
    }
  });

  it('ICE restart: the new generation\'s pair is selected (selectedCandidatePairChanges 2), candidates carry the new ufrags, the report stays consistent', async () => {
    const { clock, a, b, dc, remote, close } = await connectVirtual({ signalBobCandidates: true });
    try {
      const ufrag = (pc: RTCPeerConnection) => /a=ice-ufrag:(\S+)/.exec(pc.localDescription!.sdp)![1];
      const before = await a.getStats();
      const t0 = ofType(before, 'transport')[0]!;
      expect(t0['selectedCandidatePairChanges']).to.equal(1);
      a.restartIce();
      await a.setLocalDescription();
      await b.setRemoteDescription(a.localDescription!);
      await b.setLocalDescription();
      await a.setRemoteDescription(b.localDescription!);
      const ice = a.sctp!.transport.iceTransport;
      await clock.runUntil(() => ice.getSelectedCandidatePair()?.local.usernameFragment === ufrag(a), { maxMs: 30_000, stepMs: 5 });
      const got: string[] = [];
      remote.onmessage = (m) => got.push(m.data as string);
      dc.send('after restart');
      await clock.runUntil(() => got.length === 1, { maxMs: 10_000, stepMs: 5 });
      const r = await a.getStats();
      const t = ofType(r, 'transport')[0]!;
      expect(t['selectedCandidatePairChanges']).to.equal(2);
      expect(t['iceLocalUsernameFragment']).to.equal(ufrag(a)).and.not.equal(t0['iceLocalUsernameFragment']);
      const sel = r.get(t['selectedCandidatePairId'] as string)!;
      expect([sel['state'], sel['nominated']]).to.deep.equal(['succeeded', true]);
      expect(r.get(sel['localCandidateId'] as string)!['usernameFragment']).to.equal(ufrag(a));
      expect(r.get(sel['remoteCandidateId'] as string)!['usernameFragment']).to.equal(ufrag(b));
      const pair = ice.getSelectedCandidatePair()!;
      expect([pair.local.usernameFragment, pair.remote.usernameFragment]).to.deep.equal([ufrag(a), ufrag(b)]);
      // The message after the restart went on the new pair.
      expect(sel['packetsSent'] as number).to.be.at.least(1);
      expectReferencesResolve(r);
    } finally {
      close();
    }
  });

  it('dataChannelsOpened / dataChannelsClosed count channels over the connection\'s life on both sides; data-channel counters', async () => {
    const { clock, a, b, dc, remote, close } = await connectVirtual({ signalBobCandidates: true });
    try {
      let second: RTCDataChannel | undefined;
      b.ondatachannel = (e) => { second = e.channel; };
      const dc2 = a.createDataChannel('second');
      await clock.runUntil(() => dc2.readyState === 'open' && second?.readyState === 'open', { maxMs: 10_000, stepMs: 5 });
      const got: string[] = [];
      remote.onmessage = (m) => got.push(m.data as string);
      dc.send('abc');
      dc.send(new Uint8Array(10));
      await clock.runUntil(() => got.length === 2, { maxMs: 10_000, stepMs: 5 });
      let pc = ofType(await a.getStats(), 'peer-connection')[0]!;
      expect([pc['dataChannelsOpened'], pc['dataChannelsClosed']]).to.deep.equal([2, 0]);
      const mine = ofType(await a.getStats(), 'data-channel').find((s) => s['label'] === 'stats')!;
      expect([mine['messagesSent'], mine['bytesSent'], mine['state']]).to.deep.equal([2, 13, 'open']);
      const theirs = ofType(await b.getStats(), 'data-channel').find((s) => s['label'] === 'stats')!;
      expect([theirs['messagesReceived'], theirs['bytesReceived']]).to.deep.equal([2, 13]);
      const secondId = ofType(await a.getStats(), 'data-channel').find((s) => s['label'] === 'second')!.id;
      dc2.close();
      // Closing, not yet closed: it has left the open state already.
      pc = ofType(await a.getStats(), 'peer-connection')[0]!;
      expect([pc['dataChannelsOpened'], pc['dataChannelsClosed']]).to.deep.equal([2, 1]);
      await clock.runUntil(() => dc2.readyState === 'closed' && second?.readyState === 'closed', { maxMs: 10_000, stepMs: 5 });
      for (const peer of [a, b]) {
        pc = ofType(await peer.getStats(), 'peer-connection')[0]!;
        expect([pc['dataChannelsOpened'], pc['dataChannelsClosed']], peer === a ? 'a' : 'b').to.deep.equal([2, 1]);
      }
      // A closed channel stays in the report under the same id, with its final state and counts.
      const closed = (await a.getStats()).get(secondId)!;
      expect([closed['label'], closed['state'], closed['messagesSent']]).to.deep.equal(['second', 'closed', 0]);
      expect(ofType(await a.getStats(), 'data-channel').find((s) => s['label'] === 'stats')!['messagesSent']).to.equal(2);
    } finally {
      close();
    }
  });
});

describe('getStats: RTP streams and the peer\'s reports (linked bundles, real clock)', function () {
  this.timeout(15000);

  it('remote-outbound-rtp from the sender\'s SR matches its outbound-rtp exactly; inbound-rtp.remoteId ↔ localId; header bytes agree both ends', async () => {
    const { a, b, close } = createPair();
    try {
      const src = new MediaStreamTrackSource({ kind: 'audio' });
      a.addTrack(src.createTrack(), new MediaStream());
      await negotiate(a, b);
      await until(() => a.connectionState === 'connected' && b.connectionState === 'connected', 3000, 'connected');
      const N = 30;
      for (let i = 0; i < N; i++) {
        const p = Buffer.alloc(12 + 80 + (i % 7));
        p[0] = 0x80; p[1] = 111; p.writeUInt16BE(1000 + i, 2); p.writeUInt32BE(i * 960, 4); p.writeUInt32BE(0x1234, 8);
        src.writeRtp(p);
      }
      // The next SR after the last packet carries the final counts (RFC 3550 §6.4.1).
      let rb: RTCStatsReport | undefined;
      const end = Date.now() + 8000;
      for (;;) {
        rb = await b.getStats();
        const ro = ofType(rb, 'remote-outbound-rtp')[0];
        // …and b's round trip from a's DLRR answer to b's RRTR (RFC 3611 §4.5).
        if (ro && ro['packetsSent'] === N && (ro['roundTripTimeMeasurements'] as number) >= 1) break;
        if (Date.now() > end) throw new Error(`no SR with ${N} packets within 8 s: ${JSON.stringify(ro)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      // And a's view of b's receiver reports (remote-inbound-rtp) once one arrived.
      let ra = await a.getStats();
      while (ofType(ra, 'remote-inbound-rtp').length === 0) {
        if (Date.now() > end) throw new Error('no report block from b within 8 s');
        await new Promise((r) => setTimeout(r, 50));
        ra = await a.getStats();
      }
      const out = ofType(ra, 'outbound-rtp')[0]!;
      const inb = ofType(rb, 'inbound-rtp')[0]!;
      const ro = rb.get(inb['remoteId'] as string)!;
      expect(ro.type).to.equal('remote-outbound-rtp');
      expect(ro['localId']).to.equal(inb.id);
      expect([ro['ssrc'], ro['kind'], ro['packetsSent'], ro['bytesSent']]).to.deep.equal([out['ssrc'], 'audio', out['packetsSent'], out['bytesSent']]);
      expect(ro['bytesSent']).to.equal(Array.from({ length: N }, (_, i) => 80 + (i % 7)).reduce((x, y) => x + y, 0));
      expect(ro['reportsSent']).to.be.a('number').and.to.be.at.least(1);
      expect(ro['roundTripTime'] as number).to.be.at.least(0).and.lessThan(1);
      expect(ro['totalRoundTripTime'] as number).to.be.at.least(ro['roundTripTime'] as number);
      // remoteTimestamp is the SR's NTP time on a's (here: the same) wall clock, before b got it.
      expect(ro['remoteTimestamp'] as number).to.be.at.most(ro.timestamp + 1).and.to.be.greaterThan(ro.timestamp - 2000);
      expect(ro.timestamp).to.be.at.most(inb.timestamp);
      expect(rb.get(ro['codecId'] as string)?.['mimeType']).to.equal('audio/opus');
      // Header bytes: the same N packets, counted by sender and receiver.
      expect([inb['packetsReceived'], inb['headerBytesReceived']]).to.deep.equal([N, out['headerBytesSent']]);
      expect(out['headerBytesSent'] as number).to.be.at.least(12 * N);
      expect(inb['lastPacketReceivedTimestamp'] as number).to.be.at.most(inb.timestamp);
      // The sender's side: remote-inbound-rtp from b's report blocks, with its own counts.
      const ri = ofType(ra, 'remote-inbound-rtp')[0]!;
      expect([ri['localId'], out['remoteId']]).to.deep.equal([out.id, ri.id]);
      expect(ri['reportsReceived'] as number).to.be.at.least(1).and.at.least(ri['roundTripTimeMeasurements'] as number);
      expect(ri['roundTripTimeMeasurements'] as number).to.be.at.least(1);
      expect(ri['totalRoundTripTime'] as number).to.be.at.least(ri['roundTripTime'] as number);
      expect([ri['packetsLost'], ri['jitter']]).to.deep.equal([0, ri['jitter']]);
      expect(ri['jitter']).to.be.a('number');
      // Stamped when b's report arrived, before we asked.
      expect(ri.timestamp).to.be.lessThan(out.timestamp);
      expectReferencesResolve(ra);
      expectReferencesResolve(rb);
      // Selectors (webrtc-pc §8.2 stats selection): the sender's / receiver's streams and what they reference.
      const bySender = await a.getSenders()[0]!.getStats();
      expect(new Set(ofType(bySender, 'outbound-rtp').concat(ofType(bySender, 'remote-inbound-rtp')).map((x) => x.type))).to.deep.equal(new Set(['outbound-rtp', 'remote-inbound-rtp']));
      expect(ofType(bySender, 'inbound-rtp')).to.have.length(0);
      expectReferencesResolve(bySender);
      const byReceiver = await b.getReceivers()[0]!.getStats();
      expect(ofType(byReceiver, 'remote-outbound-rtp').map((x) => x['localId'])).to.deep.equal([inb.id]);
      expect(ofType(byReceiver, 'outbound-rtp')).to.have.length(0);
      expectReferencesResolve(byReceiver);
    } finally {
      close();
    }
  });
});

describe('getStats: candidates from STUN and TURN servers (virtual network, FakeClock)', function () {
  this.timeout(30000);

  it('srflx and relay local-candidates carry the url of the server they came from; relay the relayProtocol; ids resolve', async () => {
    const clock = new FakeClock();
    const net = new VirtualNetwork({ clock, seed: 5 });
    const stunHost = net.addHost('stun', { addresses: ['203.0.113.10'], link: { delayMs: 5 } });
    const turnHost = net.addHost('turn', { addresses: ['203.0.113.20'], link: { delayMs: 5 } });
    const stun = await StunBindingServer.listen({ network: stunHost, address: '203.0.113.10', port: 3478 });
    const turn = await TurnTestServer.start({ network: turnHost, clock, address: '203.0.113.20', users: { alice: 'secret' } });
    const nat = net.addNat('nat-a', { publicAddress: '198.51.100.1', mapping: 'endpoint-independent', filtering: 'endpoint-independent' });
    const alice = net.addHost('alice', { addresses: ['192.168.1.2'], behind: nat, link: { delayMs: 5 } });
    const bob = net.addHost('bob', { addresses: ['198.51.100.2'], link: { delayMs: 5 } });
    const a = new RTCPeerConnection({
      iceServers: [{ urls: 'stun:203.0.113.10:3478' }, { urls: 'turn:203.0.113.20:3478', username: 'alice', credential: 'secret' }],
      rivulet: { network: alice, clock },
    });
    const b = new RTCPeerConnection({ rivulet: { network: bob, clock } });
    try {
      a.onicecandidate = (e) => { if (e.candidate?.candidate) void b.addIceCandidate(e.candidate); };
      b.onicecandidate = (e) => { if (e.candidate?.candidate) void a.addIceCandidate(e.candidate); };
      const dc = a.createDataChannel('x');
      await a.setLocalDescription();
      await b.setRemoteDescription(a.localDescription!);
      await b.setLocalDescription();
      await a.setRemoteDescription(b.localDescription!);
      await clock.runUntil(() => dc.readyState === 'open' && a.iceGatheringState === 'complete', { maxMs: 30_000, stepMs: 5 });
      const r = await a.getStats();
      const byType = new Map(ofType(r, 'local-candidate').map((c) => [c['candidateType'] as string, c]));
      // (A peer-reflexive local candidate may also appear, learnt from a check's XOR-MAPPED-ADDRESS.)
      expect([...byType.keys()].filter((t) => t !== 'prflx').sort()).to.deep.equal(['host', 'relay', 'srflx']);
      expect(ofType(r, 'local-candidate').filter((c) => c['candidateType'] === 'prflx').every((c) => c['url'] === undefined)).to.equal(true);
      const srflx = byType.get('srflx')!;
      const relay = byType.get('relay')!;
      const host = byType.get('host')!;
      expect([srflx['address'], srflx['url'], srflx['relayProtocol']]).to.deep.equal(['198.51.100.1', 'stun:203.0.113.10:3478', undefined]);
      expect([relay['address'], relay['url'], relay['relayProtocol']]).to.deep.equal(['203.0.113.20', 'turn:203.0.113.20:3478', 'udp']);
      expect([host['address'], host['url'], host['relayProtocol']]).to.deep.equal(['192.168.1.2', undefined, undefined]);
      expect(srflx['relatedAddress']).to.equal('192.168.1.2');
      expectReferencesResolve(r);
    } finally {
      a.close();
      b.close();
      stun.close();
      turn.close();
    }
  });
});

import { expect } from 'chai';
import { MediaStream, MediaStreamTrackSource, RTCPeerConnection, readTrack, type RTCDataChannel } from '../src/index.js';
import { negotiate, until } from './helpers/peers.js';

/** Two peer connections over the real @rivulet stack (ICE, DTLS, SRTP, SCTP) on 127.0.0.1. */
function realPair() {
  const config = { rivulet: { interfaceAddresses: ['127.0.0.1'] } };
  return { a: new RTCPeerConnection(config), b: new RTCPeerConnection(config) };
}

function trickle(from: RTCPeerConnection, to: RTCPeerConnection) {
  from.onicecandidate = (e) => {
    if (e.candidate && e.candidate.candidate) void to.addIceCandidate(e.candidate).catch(() => {});
  };
}

describe('RTCPeerConnection over the real stack (127.0.0.1)', function () {
  this.timeout(20000);

  it('connects, opens a data channel both ways and exchanges text and binary', async () => {
    const { a, b } = realPair();
    trickle(a, b);
    trickle(b, a);
    const dc = a.createDataChannel('chat', { protocol: 'p1' });
    let remote: RTCDataChannel | undefined;
    const received: (string | ArrayBuffer)[] = [];
    const order: string[] = [];
    b.ondatachannel = (e) => {
      order.push('datachannel');
      remote = e.channel;
      remote.onopen = () => order.push('open');
      remote.onmessage = (m) => received.push(m.data as string | ArrayBuffer);
    };
    await negotiate(a, b);
    await until(() => dc.readyState === 'open', 10000, 'local channel open');
    await until(() => remote?.readyState === 'open', 5000, 'remote channel open');
    expect(order).to.deep.equal(['datachannel', 'open']);
    expect(remote!.label).to.equal('chat');
    expect(remote!.protocol).to.equal('p1');
    expect(remote!.id).to.equal(dc.id);
    expect(a.connectionState).to.equal('connected');
    expect(a.sctp?.state).to.equal('connected');
    expect(a.sctp?.maxMessageSize).to.equal(262144);
    dc.send('hello');
    dc.send(new Uint8Array([1, 2, 3]));
    await until(() => received.length === 2, 5000, 'messages');
    expect(received[0]).to.equal('hello');
    expect([...new Uint8Array(received[1] as ArrayBuffer)]).to.deep.equal([1, 2, 3]);
    const back: string[] = [];
    dc.onmessage = (m) => back.push(m.data as string);
    remote!.send('world');
    await until(() => back.length === 1, 5000, 'reply');
    expect(back).to.deep.equal(['world']);
    const stats = await a.getStats();
    const types = new Set([...stats.values()].map((s) => s.type));
    expect(types).to.include.members(['peer-connection', 'transport', 'candidate-pair', 'certificate', 'data-channel']);
    a.close();
    b.close();
  });

  it('sends RTP from a passthrough track and the remote track unmutes and receives it', async () => {
    const { a, b } = realPair();
    trickle(a, b);
    trickle(b, a);
    const source = new MediaStreamTrackSource({ kind: 'video' });
    const track = source.createTrack();
    const stream = new MediaStream([track]);
    a.addTrack(track, stream);
    const got: Uint8Array[] = [];
    let remoteStreamId = '';
    let unmuted = false;
    b.ontrack = (e) => {
      remoteStreamId = e.streams[0]?.id ?? '';
      e.track.onunmute = () => { unmuted = true; };
      readTrack(e.track, { rtp: (p) => got.push(p) });
    };
    await negotiate(a, b);
    await until(() => a.connectionState === 'connected' && b.connectionState === 'connected', 10000, 'connected');
    expect(remoteStreamId).to.equal(stream.id);
    for (let i = 0; i < 20 && got.length < 5; i++) {
      const p = Buffer.alloc(12 + 20);
      p[0] = 0x80; p[1] = 96; p.writeUInt16BE(1000 + i, 2); p.writeUInt32BE(90000 + i * 3000, 4); p.writeUInt32BE(0x1234, 8);
      p.fill(i, 12);
      source.writeRtp(p);
      await new Promise((r) => setTimeout(r, 10));
    }
    await until(() => got.length >= 5, 5000, 'RTP at the remote track');
    expect(unmuted).to.equal(true);
    const first = Buffer.from(got[0]!);
    expect(first[1]! & 0x7f).to.equal(96);
    expect(first.readUInt32BE(8)).to.not.equal(0x1234); // our SSRC, not the source's
    a.close();
    b.close();
  });
});

describe('renegotiation and ICE restart over the real stack', function () {
  this.timeout(20000);

  it('adds media to a data-only connection, restarts ICE, and keeps the data channel working', async () => {
    const config = { rivulet: { interfaceAddresses: ['127.0.0.1'] } };
    const a = new RTCPeerConnection(config);
    const b = new RTCPeerConnection(config);
    a.onicecandidate = (e) => { if (e.candidate?.candidate) void b.addIceCandidate(e.candidate).catch(() => {}); };
    b.onicecandidate = (e) => { if (e.candidate?.candidate) void a.addIceCandidate(e.candidate).catch(() => {}); };
    const dc = a.createDataChannel('keep');
    let remote: RTCDataChannel | undefined;
    const got: string[] = [];
    b.ondatachannel = (e) => { remote = e.channel; remote.onmessage = (m) => got.push(m.data as string); };
    await negotiate(a, b);
    await until(() => dc.readyState === 'open' && remote?.readyState === 'open', 10000, 'open');
    // Renegotiate: b adds audio (b offers this time; DTLS roles stay as they are).
    const src = new MediaStreamTrackSource({ kind: 'audio' });
    b.addTrack(src.createTrack(), new MediaStream());
    let tracks = 0;
    a.ontrack = () => tracks++;
    await negotiate(b, a);
    expect(tracks).to.equal(1);
    expect(a.getTransceivers()[0]!.currentDirection).to.equal('recvonly');
    const ufrag = (pc: RTCPeerConnection) => /a=ice-ufrag:(\S+)/.exec(pc.localDescription!.sdp)![1];
    const before = ufrag(a);
    const bBefore = ufrag(b);
    const ice = a.sctp!.transport.iceTransport;
    // The selected pair's candidates carry the ufrags of their ICE generation, as in browsers.
    expect(ice.getSelectedCandidatePair()!.local.usernameFragment).to.equal(before);
    expect(ice.getSelectedCandidatePair()!.remote.usernameFragment).to.equal(bBefore);
    let checksSent = 0;
    const readChecks = async () => (await a.getStats()).forEach((s: { type: string; rivuletCounters?: Record<string, number> }) => { if (s.type === 'transport') checksSent = s.rivuletCounters?.['checks-sent'] ?? 0; });
    await readChecks();
    const checksBefore = checksSent;
    const poll = setInterval(() => void readChecks(), 50);
    a.restartIce();
    // The restarting offer carries the re-signalled host candidate of the new generation.
    const offer = await a.createOffer();
    expect(offer.sdp!.match(/^a=candidate:.* typ host/gm), 'one host candidate per m-section in the restart offer').to.have.length(2);
    await negotiate(a, b);
    expect(ufrag(a)).to.not.equal(before);
    // RFC 8839 §4.4.1.1.1: the answer to a restarting offer has new credentials too.
    expect(ufrag(b)).to.not.equal(bBefore);
    dc.send('after restart');
    await until(() => got.includes('after restart'), 10000, 'message after ICE restart');
    await until(() => a.iceConnectionState === 'connected' || a.iceConnectionState === 'completed', 10000, 'ICE connected again');
    // New checks ran for the new generation (before the fix the agents never checked again).
    await until(() => checksSent > checksBefore, 10000, 'connectivity checks of the new generation', () => String(checksSent)).finally(() => clearInterval(poll));
    await until(() => ice.getSelectedCandidatePair()!.local.usernameFragment === ufrag(a), 10000, 'a pair of the new generation selected');
    expect(ice.getSelectedCandidatePair()!.remote.usernameFragment).to.equal(ufrag(b));
    // The same in getStats (webrtc-stats RTCIceCandidateStats.usernameFragment).
    const report = await a.getStats();
    const ufragOf = (type: string) => [...report.values()].find((x) => x.type === type)?.['usernameFragment'];
    expect(ufragOf('local-candidate')).to.equal(ufrag(a));
    expect(ufragOf('remote-candidate')).to.equal(ufrag(b));
    expect(a.connectionState).to.equal('connected');
    a.close();
    b.close();
  });
});

describe('abrupt end of the association', function () {
  this.timeout(20000);

  it('when the peer closes, open channels get an RTCError sctp-failure and close', async () => {
    const config = { rivulet: { interfaceAddresses: ['127.0.0.1'] } };
    const a = new RTCPeerConnection(config);
    const b = new RTCPeerConnection(config);
    trickle(a, b);
    trickle(b, a);
    const dc = a.createDataChannel('doomed');
    await negotiate(a, b);
    await until(() => dc.readyState === 'open', 10000, 'open');
    const events: string[] = [];
    dc.onerror = (e) => events.push(`error:${e.error.errorDetail}`);
    dc.onclose = () => events.push('close');
    b.close();
    await until(() => dc.readyState === 'closed', 10000, 'closed after the peer went away');
    // The peer's close() sends an SCTP ABORT (and DTLS close_notify) before its sockets go.
    expect(events).to.deep.equal(['error:sctp-failure', 'close']);
    expect(a.sctp!.state).to.equal('closed');
    a.close();
  });
});

describe('hostile datagrams on the real stack', function () {
  this.timeout(20000);

  it('garbage sent to our ICE port from the peer address is dropped and counted, the connection survives', async () => {
    const config = { rivulet: { interfaceAddresses: ['127.0.0.1'] } };
    const a = new RTCPeerConnection(config);
    const b = new RTCPeerConnection(config);
    trickle(a, b);
    trickle(b, a);
    const dc = a.createDataChannel('survivor');
    let remote: RTCDataChannel | undefined;
    const got: string[] = [];
    b.ondatachannel = (e) => { remote = e.channel; remote.onmessage = (m) => got.push(m.data as string); };
    await negotiate(a, b);
    await until(() => dc.readyState === 'open' && remote?.readyState === 'open', 10000, 'open');
    // Spoof: a socket of our own sends junk to b's selected local port (unknown source → dropped by ICE).
    const pair = b.sctp!.transport.iceTransport.getSelectedCandidatePair()!;
    const { createSocket } = await import('node:dgram');
    const sock = createSocket('udp4');
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
    for (let i = 0; i < 50; i++) {
      const junk = Buffer.alloc(1 + (i * 37) % 300, i);
      junk[0] = [0, 1, 22, 128, 200, 255][i % 6]!;
      sock.send(junk, pair.local.port!, '127.0.0.1');
    }
    await new Promise((r) => setTimeout(r, 100));
    sock.close();
    dc.send('still here');
    await until(() => got.includes('still here'), 5000, 'message after junk');
    const t = [...(await b.getStats()).values()].find((s) => s.type === 'transport')!;
    const counters = t['rivuletCounters'] as Record<string, number>;
    const dropped = Object.entries(counters).filter(([k]) => k !== 'data-sent' && k !== 'data-received' && k !== 'checks-sent' && !k.startsWith('dtls:datagrams') && !k.startsWith('dtls:application')).reduce((n, [, v]) => n + v, 0);
    expect(dropped, JSON.stringify(counters)).to.be.at.least(50);
    a.close();
    b.close();
  });
});

import { expect } from 'chai';
import { parseSdp, findAttributes, findAttribute, getRtpCodecs } from '@rivulet/sdp';
import { MediaStreamTrackSource, RTCPeerConnection, RTCRtpReceiver, RTCRtpSender } from '../src/index.js';
import { createPair, negotiate } from './helpers/peers.js';

const video = () => new MediaStreamTrackSource({ kind: 'video' }).createTrack();

describe('RTCRtpTransceiver, RTCRtpSender, RTCRtpReceiver', function () {
  this.timeout(10000);

  it('addTransceiver validates kind, direction and sendEncodings', () => {
    const pc = new RTCPeerConnection();
    expect(() => pc.addTransceiver('data')).to.throw(TypeError, /kind "data"/);
    expect(() => pc.addTransceiver('audio', { direction: 'sideways' as 'sendrecv' })).to.throw(TypeError, /direction/);
    expect(() => pc.addTransceiver('video', { sendEncodings: [{ rid: 'a' }, {}] })).to.throw(TypeError, /every encoding needs a rid/);
    expect(() => pc.addTransceiver('video', { sendEncodings: [{ rid: 'a' }, { rid: 'a' }] })).to.throw(TypeError, /more than once/);
    expect(() => pc.addTransceiver('video', { sendEncodings: [{ rid: 'a b' }] })).to.throw(TypeError, /rid-id/);
    expect(() => pc.addTransceiver('video', { sendEncodings: [{ scaleResolutionDownBy: 0.5 }] })).to.throw(RangeError, /below 1.0/);
    expect(() => pc.addTransceiver('video', { sendEncodings: [{ maxFramerate: -1 }] })).to.throw(RangeError, /negative/);
    expect(pc.getTransceivers()).to.have.length(0);
    pc.close();
  });

  it('offers simulcast with three rids and default scaleResolutionDownBy', async () => {
    const pc = new RTCPeerConnection();
    const t = pc.addTransceiver(video(), { direction: 'sendonly', sendEncodings: [{ rid: 'q' }, { rid: 'h' }, { rid: 'f' }] });
    expect(t.sender.getParameters().encodings.map((e) => [e.rid, e.scaleResolutionDownBy, e.active])).to.deep.equal([
      ['q', 4, true], ['h', 2, true], ['f', 1, true],
    ]);
    const offer = parseSdp((await pc.createOffer()).sdp!);
    const m = offer.media[0]!;
    expect(findAttributes(m.attributes, 'rid').map((r) => `${r.id} ${r.direction}`)).to.deep.equal(['q send', 'h send', 'f send']);
    expect(findAttribute(m.attributes, 'simulcast')?.directions[0]!.streams.map((s) => s[0]!.rid)).to.deep.equal(['q', 'h', 'f']);
    expect(findAttributes(m.attributes, 'extmap').map((e) => e.uri)).to.include('urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id');
    expect(findAttributes(m.attributes, 'ssrc')).to.have.length(0);
    pc.close();
  });

  it('answers a simulcast offer with recv rids and the same simulcast streams', async () => {
    const { a, b, close } = createPair();
    a.addTransceiver(video(), { direction: 'sendonly', sendEncodings: [{ rid: 'lo' }, { rid: 'hi' }] });
    await negotiate(a, b);
    const m = parseSdp(b.localDescription!.sdp).media[0]!;
    expect(findAttributes(m.attributes, 'rid').map((r) => `${r.id} ${r.direction}`)).to.deep.equal(['lo recv', 'hi recv']);
    expect(findAttribute(m.attributes, 'simulcast')?.directions).to.deep.equal([
      { direction: 'recv', streams: [[{ rid: 'lo', paused: false }], [{ rid: 'hi', paused: false }]] },
    ]);
    expect(a.getSenders()[0]!.getParameters().encodings.map((e) => e.rid)).to.deep.equal(['lo', 'hi']);
    close();
  });

  it('setCodecPreferences orders and filters the offer; rejects unknown codecs', async () => {
    const pc = new RTCPeerConnection();
    const t = pc.addTransceiver('video');
    const caps = RTCRtpReceiver.getCapabilities('video')!;
    const h264 = caps.codecs.filter((c) => c.mimeType === 'video/H264');
    const rtx = caps.codecs.filter((c) => c.mimeType === 'video/rtx');
    t.setCodecPreferences([...h264, ...rtx]);
    const codecs = getRtpCodecs(parseSdp((await pc.createOffer()).sdp!).media[0]!);
    expect(codecs.filter((c) => c.name !== 'rtx').map((c) => c.name)).to.deep.equal(h264.map(() => 'H264'));
    expect(codecs.filter((c) => c.name === 'rtx')).to.have.length(h264.length);
    expect(() => t.setCodecPreferences([{ mimeType: 'video/H265', clockRate: 90000 }])).to.throw(DOMException, /getCapabilities/);
    expect(() => t.setCodecPreferences(rtx)).to.throw(DOMException, /resiliency/);
    t.setCodecPreferences([]);
    const all = getRtpCodecs(parseSdp((await pc.createOffer()).sdp!).media[0]!);
    expect(all.map((c) => c.name)).to.include.members(['VP8', 'H264', 'VP9', 'AV1']);
    expect(RTCRtpSender.getCapabilities('data')).to.equal(null);
    pc.close();
  });

  it('the answer keeps the offerer payload types and matches H.264 on profile and packetization-mode', async () => {
    const { a, b, close } = createPair();
    a.addTransceiver('video');
    await a.setLocalDescription();
    // Only H.264 constrained-baseline pm=1 at an unusual payload type, plus an H.264 High we do not do.
    const sdp = a.localDescription!.sdp
      .replace(/m=video 9 UDP\/TLS\/RTP\/SAVPF [0-9 ]+/, 'm=video 9 UDP/TLS/RTP/SAVPF 120 121')
      .replace(/a=rtpmap:(?!120|121)\d+ [^\r]+\r\n/g, '').replace(/a=fmtp:\d+ [^\r]+\r\n/g, '').replace(/a=rtcp-fb:\d+ [^\r]+\r\n/g, '')
      .replace('a=rtcp-rsize\r\n', 'a=rtcp-rsize\r\na=rtpmap:120 H264/90000\r\na=fmtp:120 profile-level-id=640c1f;packetization-mode=1\r\na=rtpmap:121 H264/90000\r\na=fmtp:121 profile-level-id=42e034;packetization-mode=1\r\n');
    await b.setRemoteDescription({ type: 'offer', sdp });
    const answer = await b.createAnswer();
    const codecs = getRtpCodecs(parseSdp(answer.sdp!).media[0]!);
    // 640c1f is constrained-high (we do not offer it); 42e034 is constrained-baseline at another level (matches 42e01f).
    expect(codecs.map((c) => [c.payloadType, c.name, c.parameters.get('profile-level-id')])).to.deep.equal([[121, 'H264', '42e034']]);
    close();
  });

  it('getParameters/setParameters follow the transactionId rules', async () => {
    const pc = new RTCPeerConnection();
    const t = pc.addTransceiver(video(), { sendEncodings: [{ rid: 'a' }, { rid: 'b' }] });
    await pc.setLocalDescription();
    const sender = t.sender;
    await sender.setParameters(sender.getParameters()).then(() => undefined);
    const p = sender.getParameters();
    await sender.setParameters({ ...p, transactionId: 'other' }).then(() => expect.fail('resolved'), (e: DOMException) => expect(e.name).to.equal('InvalidModificationError'));
    const p2 = sender.getParameters();
    await sender.setParameters({ ...p2, encodings: [p2.encodings[0]!] }).then(() => expect.fail('resolved'), (e: DOMException) => expect(e.name).to.equal('InvalidModificationError'));
    const p3 = sender.getParameters();
    await sender.setParameters({ ...p3, encodings: p3.encodings.map((e) => ({ ...e, rid: 'x' + e.rid })) }).then(() => expect.fail('resolved'), (e: DOMException) => expect(e.name).to.equal('InvalidModificationError'));
    const p4 = sender.getParameters();
    await sender.setParameters({ ...p4, encodings: p4.encodings.map((e) => ({ ...e, scaleResolutionDownBy: 0.5 })) }).then(() => expect.fail('resolved'), (e: Error) => expect(e).to.be.instanceOf(RangeError));
    const p5 = sender.getParameters();
    p5.encodings[1]!.active = false;
    p5.encodings[0]!.maxBitrate = 100000;
    await sender.setParameters(p5);
    expect(sender.getParameters().encodings.map((e) => [e.active, e.maxBitrate])).to.deep.equal([[true, 100000], [false, undefined]]);
    // After a task, the last returned parameters are gone.
    const stale = sender.getParameters();
    await new Promise((r) => setImmediate(r));
    await sender.setParameters(stale).then(() => expect.fail('resolved'), (e: DOMException) => expect(e.name).to.equal('InvalidStateError'));
    pc.close();
  });

  it('direction setter and stop() errors', () => {
    const pc = new RTCPeerConnection();
    const t = pc.addTransceiver('audio');
    expect(() => { t.direction = 'stopped'; }).to.throw(TypeError);
    // WebIDL enum attribute: an invalid value is ignored, no exception (Chromium and Firefox alike).
    t.direction = 'recvonly';
    expect(() => { t.direction = 'bogus' as 'sendrecv'; }).to.not.throw();
    expect(t.direction).to.equal('recvonly');
    t.stop();
    t.stop();
    expect(() => { t.direction = 'sendrecv'; }).to.throw(DOMException, /stopping/);
    pc.close();
    expect(() => t.stop()).to.throw(DOMException, /closed/);
  });

  it('negotiates header extensions and rtcp parameters for senders and receivers', async () => {
    const { a, b, close } = createPair();
    a.addTransceiver(video());
    await negotiate(a, b);
    const sp = a.getSenders()[0]!.getParameters();
    expect(sp.codecs[0]!.mimeType).to.equal('video/VP8');
    expect(sp.headerExtensions.map((h) => h.uri)).to.include('urn:ietf:params:rtp-hdrext:sdes:mid');
    expect(sp.rtcp.reducedSize).to.equal(true);
    expect(sp.rtcp.cname).to.be.a('string');
    const rp = b.getReceivers()[0]!.getParameters();
    expect(rp.codecs.map((c) => c.payloadType)).to.deep.equal(sp.codecs.map((c) => c.payloadType));
    expect(b.getReceivers()[0]!.getSynchronizationSources()).to.deep.equal([]);
    expect(b.getReceivers()[0]!.getContributingSources()).to.deep.equal([]);
    close();
  });
});

describe('send codec selection', function () {
  this.timeout(10000);

  it('the answerer sends with the first codec of its answer (setCodecPreferences), not the offer order', async () => {
    const { a, b, close } = createPair();
    a.addTransceiver('video', { direction: 'recvonly' }); // offer lists VP8 first
    await a.setLocalDescription();
    await b.setRemoteDescription(a.localDescription!);
    const t = b.getTransceivers()[0]!;
    b.addTrack(video());
    const caps = RTCRtpReceiver.getCapabilities('video')!;
    t.setCodecPreferences(caps.codecs.filter((c) => c.mimeType === 'video/H264' || c.mimeType === 'video/rtx'));
    await b.setLocalDescription();
    await a.setRemoteDescription(b.localDescription!);
    expect(t.sender.getParameters().codecs[0]!.mimeType).to.equal('video/H264');
    // Only H.264 and its retransmission codecs were negotiated (webrtc-pc §5.2 lists rtx entries too).
    expect(a.getReceivers()[0]!.getParameters().codecs.every((c) => c.mimeType === 'video/H264' || c.mimeType === 'video/rtx')).to.equal(true);
    close();
  });
});

describe('simulcast requested by the remote (a=simulcast:recv)', function () {
  this.timeout(10000);

  it('a sender without rids takes the offered rids as its encodings and answers simulcast:send', async () => {
    const { a, b, close } = createPair();
    a.addTransceiver('video', { direction: 'recvonly' });
    await a.setLocalDescription();
    const sdp = a.localDescription!.sdp.replace('a=rtcp-rsize\r\n', 'a=rtcp-rsize\r\n')
      + 'a=rid:lo recv\r\na=rid:hi recv\r\na=simulcast:recv lo;~hi\r\n';
    await b.setRemoteDescription({ type: 'offer', sdp });
    const sender = b.addTrack(video());
    expect(sender.getParameters().encodings.map((e) => [e.rid, e.active])).to.deep.equal([['lo', true], ['hi', false]]);
    const answer = parseSdp((await b.createAnswer()).sdp!).media[0]!;
    expect(findAttributes(answer.attributes, 'rid').map((r) => `${r.id} ${r.direction}`)).to.deep.equal(['lo send', 'hi send']);
    expect(findAttribute(answer.attributes, 'simulcast')?.directions[0]!.direction).to.equal('send');
    close();
  });
});

describe('header extension ids across a BUNDLE group (RFC 8843 §9.2)', function () {
  this.timeout(10000);

  it('a re-offer keeps the peer’s URI ↔ id mapping and never gives one id two URIs', async () => {
    const { a, b, close } = createPair();
    b.addTransceiver('video');
    await b.setLocalDescription();
    // The peer numbers its extensions differently from us: mid=9, transport-cc=4, abs-send-time=1.
    const remap: Record<string, string> = { 'urn:ietf:params:rtp-hdrext:sdes:mid': '9', 'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01': '4', 'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time': '1' };
    const sdp = b.localDescription!.sdp.replace(/a=extmap:\d+ (\S+)\r\n/g, (line, uri: string) => (remap[uri] ? `a=extmap:${remap[uri]} ${uri}\r\n` : ''));
    await a.setRemoteDescription({ type: 'offer', sdp });
    await a.setLocalDescription();
    a.addTransceiver('audio');
    await a.setLocalDescription();
    const media = parseSdp(a.localDescription!.sdp).media;
    const byUri = new Map<string, Set<number>>();
    const byId = new Map<number, Set<string>>();
    for (const m of media) {
      for (const e of findAttributes(m.attributes, 'extmap')) {
        (byUri.get(e.uri) ?? byUri.set(e.uri, new Set()).get(e.uri)!).add(e.id);
        (byId.get(e.id) ?? byId.set(e.id, new Set()).get(e.id)!).add(e.uri);
      }
    }
    for (const [uri, ids] of byUri) expect([...ids], uri).to.have.length(1);
    for (const [id, uris] of byId) expect([...uris], `id ${id}`).to.have.length(1);
    const audio = findAttributes(media[1]!.attributes, 'extmap');
    expect(audio.find((e) => e.uri === 'urn:ietf:params:rtp-hdrext:sdes:mid')?.id).to.equal(9);
    expect(audio.find((e) => e.uri.includes('transport-wide-cc'))?.id).to.equal(4);
    close();
  });
});

describe('payload types across a BUNDLE group (RFC 8843 §9.1.1)', function () {
  this.timeout(10000);

  it('a new audio section avoids payload types the peer gave to video', async () => {
    const { a, b, close } = createPair();
    b.addTransceiver('video');
    await b.setLocalDescription();
    // The peer calls VP8 111 (our Opus number).
    const sdp = b.localDescription!.sdp.split('\r\n').map((l) => (/^(m=video|a=rtpmap:96 |a=rtcp-fb:96 |a=fmtp:96 |a=fmtp:\d+ apt=96$)/.test(l) ? l.replace(/\b96\b/g, '111') : l)).join('\r\n');
    await a.setRemoteDescription({ type: 'offer', sdp });
    await a.setLocalDescription();
    a.addTransceiver('audio');
    await a.setLocalDescription();
    const media = parseSdp(a.localDescription!.sdp).media;
    const video = getRtpCodecs(media[0]!);
    const audio = getRtpCodecs(media[1]!);
    expect(video.find((c) => c.name === 'VP8')?.payloadType).to.equal(111);
    const opus = audio.find((c) => c.name === 'opus')!;
    expect(opus.payloadType).to.not.equal(111);
    const videoPts = new Set(video.map((c) => c.payloadType));
    expect(audio.filter((c) => videoPts.has(c.payloadType))).to.deep.equal([]);
    close();
  });
});

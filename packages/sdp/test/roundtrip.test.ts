import { expect } from 'chai';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Counters } from '@rivulet/common';
import {
  parseSdp, serializeSdp, findAttribute, findAttributes, getBundleMids, getDirection, getMid, getRtpCodecs, isUnknown,
  type SdpParseCounter,
} from '../src/index.js';

const dir = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
const fixtures = readdirSync(dir).filter((f) => f.endsWith('.sdp')).sort();
const read = (name: string) => readFileSync(join(dir, name), 'utf8');

describe('sdp round trip on Chromium captures', () => {
  it('has the captured fixtures', () => {
    expect(fixtures).to.include.members([
      'chromium-av-data-offer.sdp', 'chromium-av-data-answer.sdp', 'chromium-simulcast-offer.sdp',
      'chromium-recvonly-offer.sdp', 'chromium-recvonly-answer.sdp', 'chromium-renegotiation-offer.sdp',
      'chromium-renegotiation-answer.sdp', 'chromium-data-offer.sdp',
    ]);
  });

  for (const f of fixtures) {
    it(`${f}: parse → serialize is identical and every WebRTC attribute is typed`, () => {
      const text = read(f);
      const counters = new Counters<SdpParseCounter>();
      const sdp = parseSdp(text, { counters });
      expect(serializeSdp(sdp)).to.equal(text);
      expect(counters.toJSON()).to.deep.equal({});
      const all = [...sdp.attributes, ...sdp.media.flatMap((m) => m.attributes)];
      // Only attributes we deliberately leave opaque stay unknown.
      const unknownNames = new Set(all.filter(isUnknown).map((a) => a.name));
      for (const n of unknownNames) expect(['sctpmap']).to.include(n);
    });
  }
});

describe('sdp typed fields from Chromium captures', () => {
  it('reads BUNDLE, mids, msid, ICE, DTLS and SCTP attributes of the av+data offer', () => {
    const sdp = parseSdp(read('chromium-av-data-offer.sdp'));
    expect(sdp.version).to.equal(0);
    expect(sdp.origin.sessionId).to.match(/^\d+$/);
    expect(getBundleMids(sdp)).to.deep.equal(['0', '1', '2']);
    expect(sdp.media.map((m) => m.kind)).to.deep.equal(['audio', 'video', 'application']);
    expect(sdp.media.map(getMid)).to.deep.equal(['0', '1', '2']);
    expect(sdp.media.map((m) => m.protocol)).to.deep.equal(['UDP/TLS/RTP/SAVPF', 'UDP/TLS/RTP/SAVPF', 'UDP/DTLS/SCTP']);
    const audio = sdp.media[0]!;
    expect(getDirection(audio)).to.equal('sendrecv');
    expect(findAttribute(audio.attributes, 'rtcp-mux')).to.deep.equal({ name: 'rtcp-mux' });
    expect(findAttribute(audio.attributes, 'setup')?.role).to.equal('actpass');
    expect(findAttribute(audio.attributes, 'fingerprint')?.algorithm).to.equal('sha-256');
    expect(findAttribute(audio.attributes, 'fingerprint')?.value).to.match(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(findAttribute(audio.attributes, 'ice-options')?.options).to.deep.equal(['trickle']);
    const msid = findAttribute(audio.attributes, 'msid')!;
    const semantic = findAttribute(sdp.attributes, 'msid-semantic')!;
    expect(semantic.semantic).to.equal('WMS');
    expect(semantic.identifiers).to.deep.equal([msid.streamId]);
    expect(msid.appData).to.match(/^[0-9a-f-]{36}$/);
    const opus = getRtpCodecs(audio).find((c) => c.name === 'opus')!;
    expect(opus).to.include({ payloadType: 111, mimeType: 'audio/opus', clockRate: 48000, channels: 2 });
    expect(opus.parameters.get('useinbandfec')).to.equal('1');
    expect(opus.rtcpFeedback).to.deep.include({ type: 'transport-cc' });
    const data = sdp.media[2]!;
    expect(data.formats).to.deep.equal(['webrtc-datachannel']);
    expect(findAttribute(data.attributes, 'sctp-port')?.port).to.equal(5000);
    expect(findAttribute(data.attributes, 'max-message-size')?.size).to.equal(262144);
    const video = sdp.media[1]!;
    const fid = findAttributes(video.attributes, 'ssrc-group')[0]!;
    expect(fid.semantics).to.equal('FID');
    expect(fid.ssrcs).to.have.length(2);
    const ssrcs = findAttributes(video.attributes, 'ssrc');
    expect(ssrcs.map((s) => s.ssrc)).to.include(fid.ssrcs[0]);
    expect(ssrcs.find((s) => s.attribute === 'cname')?.value).to.be.a('string');
    const tcc = findAttributes(video.attributes, 'extmap').find((e) => e.uri.includes('transport-wide-cc'));
    expect(tcc?.id).to.be.a('number');
  });

  it('reads rid and simulcast from the simulcast offer', () => {
    const sdp = parseSdp(read('chromium-simulcast-offer.sdp'));
    const v = sdp.media[0]!;
    expect(findAttributes(v.attributes, 'rid').map((r) => [r.id, r.direction])).to.deep.equal([
      ['q', 'send'], ['h', 'send'], ['f', 'send'],
    ]);
    expect(findAttribute(v.attributes, 'simulcast')?.directions).to.deep.equal([
      { direction: 'send', streams: [[{ rid: 'q', paused: false }], [{ rid: 'h', paused: false }], [{ rid: 'f', paused: false }]] },
    ]);
    expect(getDirection(v)).to.equal('sendonly');
    const h264 = getRtpCodecs(v).filter((c) => c.name === 'H264');
    expect(h264.length).to.be.greaterThan(1);
    expect(h264[0]!.parameters.get('profile-level-id')).to.match(/^[0-9a-f]{6}$/);
  });

  it('reads candidates with their extensions', () => {
    const sdp = parseSdp(read('chromium-simulcast-offer.sdp'));
    const cands = findAttributes(sdp.media[0]!.attributes, 'candidate');
    expect(cands.length).to.be.greaterThan(0);
    const tcp = cands.find((c) => c.transport === 'tcp');
    if (tcp) expect(tcp.tcpType).to.equal('active');
    const host = cands.find((c) => c.transport === 'udp')!;
    expect(host.type).to.equal('host');
    expect(host.component).to.equal(1);
    expect(host.extensions.map(([k]) => k)).to.include('generation');
  });

  it('sees recvonly, inactive (stopped) sections and renegotiated mids', () => {
    const rec = parseSdp(read('chromium-recvonly-offer.sdp'));
    expect(rec.media.map((m) => getDirection(m))).to.deep.equal(['recvonly', 'recvonly']);
    const ans = parseSdp(read('chromium-recvonly-answer.sdp'));
    expect(ans.media.map((m) => getDirection(m))).to.deep.equal(['inactive', 'inactive']);
    const reneg = parseSdp(read('chromium-renegotiation-offer.sdp'));
    // The stopped audio transceiver is port 0 and out of the bundle group.
    expect(reneg.media[0]!.port).to.equal(0);
    expect(getBundleMids(reneg)).to.not.include('0');
    expect(reneg.media.map(getMid)).to.deep.equal(['0', '1', '2', '3']);
  });
});

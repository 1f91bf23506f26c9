import { expect } from 'chai';
import { Counters } from '@rivulet/common';
import {
  parseSdp, serializeSdp, parseAttribute, formatAttribute, parseCandidate, formatCandidate, parseFmtpParameters,
  findAttribute, findAttributes, getDirection, getMediaOrSession, SdpParseError, type SdpParseCounter,
} from '../src/index.js';

const lines = (...l: string[]) => l.join('\r\n') + '\r\n';

const HAND_WRITTEN = lines(
  'v=0',
  'o=rivulet 4611731400430051336 2 IN IP4 127.0.0.1',
  's=-',
  'c=IN IP4 0.0.0.0',
  'b=AS:2000',
  't=0 0',
  'a=ice-lite',
  'a=group:BUNDLE a v',
  'a=msid-semantic:WMS *',
  'm=audio 9 UDP/TLS/RTP/SAVPF 111 0',
  'c=IN IP4 203.0.113.7',
  'b=TIAS:64000',
  'a=mid:a',
  'a=ice-ufrag:abcd',
  'a=ice-pwd:0123456789abcdefghijkl',
  'a=extmap:3/sendonly urn:ietf:params:rtp-hdrext:ssrc-audio-level vad=on',
  'a=rtcp-mux',
  'a=rtcp-mux-only',
  'a=rtpmap:111 opus/48000/2',
  'a=fmtp:111 minptime=10;useinbandfec=1',
  'a=candidate:1 1 udp 2130706431 203.0.113.7 40000 typ host',
  'a=candidate:2 1 udp 1694498815 198.51.100.1 40001 typ srflx raddr 203.0.113.7 rport 40000 generation 0',
  'a=end-of-candidates',
  'a=x-custom:keep me',
  'a=x-flag',
  'm=video 9 UDP/TLS/RTP/SAVPF 96 97',
  'a=mid:v',
  'a=recvonly',
  'a=rtpmap:96 VP8/90000',
  'a=rtpmap:97 rtx/90000',
  'a=fmtp:97 apt=96',
  'a=rtcp-fb:* nack',
  'a=rid:hi recv pt=96;max-width=1280',
  'a=rid:lo recv',
  'a=simulcast:recv hi,~lo;mid send x',
  'a=ssrc-group:SIM 1 2 3',
  'a=ssrc:1 cname:a:b',
);

describe('sdp attributes', () => {
  it('round-trips a hand-written description with every modelled attribute', () => {
    const counters = new Counters<SdpParseCounter>();
    const sdp = parseSdp(HAND_WRITTEN, { counters });
    expect(serializeSdp(sdp)).to.equal(HAND_WRITTEN);
    expect(counters.toJSON()).to.deep.equal({});
    expect(sdp.connection).to.deep.equal({ netType: 'IN', addrType: 'IP4', address: '0.0.0.0' });
    expect(sdp.bandwidths).to.deep.equal([{ type: 'AS', value: 2000 }]);
    const [a, v] = sdp.media as [typeof sdp.media[0], typeof sdp.media[0]];
    expect(a.connections[0]?.address).to.equal('203.0.113.7');
    expect(a.bandwidths).to.deep.equal([{ type: 'TIAS', value: 64000 }]);
    expect(findAttribute(a.attributes, 'extmap')).to.deep.equal({
      name: 'extmap', id: 3, direction: 'sendonly', uri: 'urn:ietf:params:rtp-hdrext:ssrc-audio-level', extensionAttributes: 'vad=on',
    });
    expect(findAttribute(a.attributes, 'rtcp-mux-only')).to.deep.equal({ name: 'rtcp-mux-only' });
    expect(findAttribute(a.attributes, 'end-of-candidates')).to.deep.equal({ name: 'end-of-candidates' });
    expect(getMediaOrSession(a, sdp, 'ice-lite')).to.deep.equal({ name: 'ice-lite' });
    const srflx = findAttributes(a.attributes, 'candidate')[1]!;
    expect(srflx).to.include({ type: 'srflx', relatedAddress: '203.0.113.7', relatedPort: 40001 - 1, priority: 1694498815 });
    expect(srflx.extensions).to.deep.equal([['generation', '0']]);
    expect(a.attributes.find((x) => x.name === 'x-custom')).to.deep.equal({ name: 'x-custom', value: 'keep me', unknown: true });
    expect(a.attributes.find((x) => x.name === 'x-flag')).to.deep.equal({ name: 'x-flag', unknown: true });
    expect(getDirection(v)).to.equal('recvonly');
    expect(getDirection(a)).to.equal('sendrecv');
    expect(findAttribute(v.attributes, 'rtcp-fb')).to.deep.equal({ name: 'rtcp-fb', payloadType: '*', type: 'nack' });
    expect(findAttributes(v.attributes, 'rid')[0]).to.deep.equal({ name: 'rid', id: 'hi', direction: 'recv', params: 'pt=96;max-width=1280' });
    expect(findAttribute(v.attributes, 'simulcast')?.directions).to.deep.equal([
      { direction: 'recv', streams: [[{ rid: 'hi', paused: false }, { rid: 'lo', paused: true }], [{ rid: 'mid', paused: false }]] },
      { direction: 'send', streams: [[{ rid: 'x', paused: false }]] },
    ]);
    expect(findAttribute(v.attributes, 'ssrc-group')).to.deep.equal({ name: 'ssrc-group', semantics: 'SIM', ssrcs: [1, 2, 3] });
    expect(findAttribute(v.attributes, 'ssrc')).to.deep.equal({ name: 'ssrc', ssrc: 1, attribute: 'cname', value: 'a:b' });
    expect(findAttribute(sdp.attributes, 'msid-semantic')).to.deep.equal({
      name: 'msid-semantic', semantic: 'WMS', identifiers: ['*'], spaceAfterColon: false,
    });
  });

  it('keeps a malformed known attribute verbatim and counts it', () => {
    const counters = new Counters<SdpParseCounter>();
    const text = lines('v=0', 'o=- 1 1 IN IP4 0.0.0.0', 's=-', 't=0 0', 'm=audio 9 RTP/AVP 0',
      'a=rtpmap:abc opus', 'a=extmap:0 urn:x', 'a=candidate:1 1 udp x 1.2.3.4 5 typ host', 'a=setup:sideways', 'a=mid');
    const sdp = parseSdp(text, { counters });
    expect(serializeSdp(sdp)).to.equal(text);
    expect(counters.get('malformed-attribute')).to.equal(5);
    expect(sdp.media[0]!.attributes.every((x) => 'unknown' in x)).to.equal(true);
  });

  it('accepts bare LF and writes CRLF; counts unknown line types', () => {
    const counters = new Counters<SdpParseCounter>();
    const sdp = parseSdp('v=0\no=- 1 1 IN IP4 0.0.0.0\ns=-\nt=0 0\ny=whatever\n', { counters });
    expect(serializeSdp(sdp)).to.equal('v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n');
    expect(counters.get('unknown-line')).to.equal(1);
  });

  it('throws SdpParseError naming the line for structural errors', () => {
    expect(() => parseSdp('')).to.throw(SdpParseError, /v= is required/);
    expect(() => parseSdp('o=- 1 1 IN IP4 0.0.0.0\r\n')).to.throw(SdpParseError, /line 1 .*first line must be v=/);
    expect(() => parseSdp('v=1\r\n')).to.throw(SdpParseError, /unsupported SDP version "1"/);
    expect(() => parseSdp('v=0\r\no=- 1 1 IN IP4\r\n')).to.throw(SdpParseError, /line 2 .*o= must have 6 fields/);
    expect(() => parseSdp('v=0\r\nm=audio x RTP/AVP 0\r\n')).to.throw(SdpParseError, /line 2/);
    expect(() => parseSdp('v=0\r\ngarbage\r\n')).to.throw(SdpParseError, /expected "<type>=<value>"/);
  });

  it('parses and formats candidate strings used by RTCIceCandidate', () => {
    const c = parseCandidate('842163049 1 udp 1677729535 198.51.100.9 61665 typ srflx raddr 0.0.0.0 rport 0 generation 0 ufrag ab network-cost 999')!;
    expect(c).to.include({ foundation: '842163049', component: 1, transport: 'udp', priority: 1677729535, port: 61665, relatedPort: 0 });
    expect(c.extensions).to.deep.equal([['generation', '0'], ['ufrag', 'ab'], ['network-cost', '999']]);
    expect(formatCandidate(c)).to.equal('842163049 1 udp 1677729535 198.51.100.9 61665 typ srflx raddr 0.0.0.0 rport 0 generation 0 ufrag ab network-cost 999');
    expect(parseCandidate('1 1 udp 5 1.2.3.4 70000 typ host')).to.equal(undefined);
    expect(parseCandidate('1 1 udp 5 1.2.3.4 7 host')).to.equal(undefined);
    expect(parseCandidate('1 1 udp 5 1.2.3.4 7 typ host dangling')).to.equal(undefined);
  });

  it('parses fmtp parameters case-insensitively and keeps bare values', () => {
    const p = parseFmtpParameters('Profile-Level-Id=42e01f; packetization-mode=1;level-asymmetry-allowed=1');
    expect([...p]).to.deep.equal([['profile-level-id', '42e01f'], ['packetization-mode', '1'], ['level-asymmetry-allowed', '1']]);
    expect([...parseFmtpParameters('0-15')]).to.deep.equal([['', '0-15']]);
  });

  it('formats typed attributes built by code', () => {
    expect(formatAttribute({ name: 'extmap', id: 4, uri: 'urn:ietf:params:rtp-hdrext:sdes:mid' })).to.equal('extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid');
    expect(formatAttribute({ name: 'rtpmap', payloadType: 111, encodingName: 'opus', clockRate: 48000, channels: 2 })).to.equal('rtpmap:111 opus/48000/2');
    expect(formatAttribute({ name: 'sendonly' })).to.equal('sendonly');
    expect(formatAttribute(parseAttribute('group', 'BUNDLE 0 1'))).to.equal('group:BUNDLE 0 1');
  });
});

import { expect } from 'chai';
import { parseClientMessage } from '../src/messages.js';
import { sendRidsOf } from '../src/publication.js';

describe('SFU signaling input (examples/sfu)', () => {
  it('accepts the three client messages and normalizes them', () => {
    expect(parseClientMessage('{"type":"description","description":{"type":"offer","sdp":"v=0\\r\\n","x":1}}'))
      .to.deep.equal({ type: 'description', description: { type: 'offer', sdp: 'v=0\r\n' } });
    expect(parseClientMessage('{"type":"candidate","candidate":{"candidate":"candidate:1 1 udp 1 127.0.0.1 9 typ host","sdpMid":"0"}}'))
      .to.deep.equal({ type: 'candidate', candidate: { candidate: 'candidate:1 1 udp 1 127.0.0.1 9 typ host', sdpMid: '0', sdpMLineIndex: null } });
    expect(parseClientMessage('{"type":"candidate","candidate":null}')).to.deep.equal({ type: 'candidate', candidate: null });
    expect(parseClientMessage('{"type":"layer","publicationId":"pub1","rid":"h"}')).to.deep.equal({ type: 'layer', publicationId: 'pub1', rid: 'h' });
  });

  it('drops malformed messages (returns undefined, never throws)', () => {
    for (const bad of ['', 'nul', '[]', '1', '{"type":"description"}', '{"type":"description","description":{"type":"pranswer","sdp":""}}',
      '{"type":"description","description":{"type":"offer","sdp":5}}', '{"type":"candidate","candidate":{"candidate":3}}',
      '{"type":"layer","publicationId":"p"}', '{"type":"hello"}']) {
      expect(parseClientMessage(bad), bad).to.equal(undefined);
    }
  });

  it('reads the rids a peer sends in one m-section (RFC 8851 a=rid … send)', () => {
    const sdp = ['v=0', 'm=audio 9 UDP/TLS/RTP/SAVPF 111', 'a=mid:0', 'a=rid:x send',
      'm=video 9 UDP/TLS/RTP/SAVPF 96', 'a=mid:1', 'a=rid:q send', 'a=rid:h send max-width=640', 'a=rid:r recv', 'a=rid:f send', 'a=simulcast:send q;h;f', ''].join('\r\n');
    expect(sendRidsOf(sdp, '1')).to.deep.equal(['q', 'h', 'f']);
    expect(sendRidsOf(sdp, '0')).to.deep.equal(['x']);
    expect(sendRidsOf(sdp, '2')).to.deep.equal([]);
  });
});

import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Counters } from '@rivulet/common';
import {
  findAttribute, formatAttribute, getRcvrRttMode, parseAttribute, parseSdp, serializeSdp, type SdpParseCounter,
} from '../src/index.js';

const lines = (...l: string[]) => l.join('\r\n') + '\r\n';

describe('sdp a=rtcp-xr (RFC 3611 §5.1)', () => {
  it('parses rcvr-rtt with its mode and max-size, and other xr-formats as written', () => {
    expect(parseAttribute('rtcp-xr', 'rcvr-rtt=all')).to.deep.equal({ name: 'rtcp-xr', formats: [{ name: 'rcvr-rtt', value: 'all' }] });
    expect(parseAttribute('rtcp-xr', 'pkt-loss-rle=400 rcvr-rtt=sender:1000 stat-summary=loss,jitt voip-metrics')).to.deep.equal({
      name: 'rtcp-xr',
      formats: [
        { name: 'pkt-loss-rle', value: '400' }, { name: 'rcvr-rtt', value: 'sender:1000' },
        { name: 'stat-summary', value: 'loss,jitt' }, { name: 'voip-metrics' },
      ],
    });
  });

  it('a bare a=rtcp-xr (errata 3795: the colon is optional) is typed with no formats', () => {
    const a = parseAttribute('rtcp-xr', undefined);
    expect(a).to.deep.equal({ name: 'rtcp-xr', formats: [] });
    expect(formatAttribute(a)).to.equal('rtcp-xr');
    expect(getRcvrRttMode([a])).to.equal(undefined);
  });

  it('formats back to the same text', () => {
    for (const v of ['rcvr-rtt=all', 'rcvr-rtt=sender:1000', 'pkt-loss-rle pkt-dup-rle=10 rcvr-rtt=all', 'x-new-block=1=2']) {
      expect(formatAttribute(parseAttribute('rtcp-xr', v))).to.equal(`rtcp-xr:${v}`);
    }
  });

  it('a malformed value stays verbatim and is reported', () => {
    for (const v of ['', 'rcvr-rtt', 'rcvr-rtt=', 'rcvr-rtt=some', 'rcvr-rtt=all:', 'rcvr-rtt=all:x', 'rcvr-rtt=all  voip-metrics', ' rcvr-rtt=all', '=all']) {
      const bad: string[] = [];
      const a = parseAttribute('rtcp-xr', v, (n, val) => bad.push(`${n}:${val}`));
      expect(a, v).to.deep.equal({ name: 'rtcp-xr', value: v, unknown: true });
      expect(bad, v).to.deep.equal([`rtcp-xr:${v}`]);
      expect(getRcvrRttMode([a])).to.equal(undefined);
    }
  });

  it('getRcvrRttMode reads the mode of the first a=rtcp-xr that lists rcvr-rtt', () => {
    expect(getRcvrRttMode([parseAttribute('rtcp-xr', 'voip-metrics'), parseAttribute('rtcp-xr', 'rcvr-rtt=sender:20')])).to.equal('sender');
    expect(getRcvrRttMode([parseAttribute('rtcp-xr', 'rcvr-rtt=all')])).to.equal('all');
    expect(getRcvrRttMode([parseAttribute('rtcp-xr', 'pkt-loss-rle')])).to.equal(undefined);
    expect(getRcvrRttMode([])).to.equal(undefined);
  });

  it('a description round-trips byte for byte with rtcp-xr at session and media level, no malformed count', () => {
    const text = lines(
      'v=0', 'o=- 1 2 IN IP4 127.0.0.1', 's=-', 't=0 0', 'a=rtcp-xr:pkt-loss-rle',
      'm=audio 9 UDP/TLS/RTP/SAVPF 111', 'c=IN IP4 0.0.0.0', 'a=mid:0', 'a=rtcp-xr:rcvr-rtt=all', 'a=rtpmap:111 opus/48000/2',
      'm=video 9 UDP/TLS/RTP/SAVPF 96', 'c=IN IP4 0.0.0.0', 'a=mid:1', 'a=rtcp-xr', 'a=rtpmap:96 VP8/90000',
    );
    const counters = new Counters<SdpParseCounter>();
    const sdp = parseSdp(text, { counters });
    expect(serializeSdp(sdp)).to.equal(text);
    expect(counters.toJSON()).to.deep.equal({});
    expect(findAttribute(sdp.attributes, 'rtcp-xr')?.formats).to.deep.equal([{ name: 'pkt-loss-rle' }]);
    expect(getRcvrRttMode(sdp.media[0]!.attributes)).to.equal('all');
    expect(getRcvrRttMode(sdp.media[1]!.attributes)).to.equal(undefined);
  });

  it('Chromium\'s captured offer carries rcvr-rtt=all in its audio and video sections', () => {
    const dir = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
    const sdp = parseSdp(readFileSync(join(dir, 'chromium-av-data-offer.sdp'), 'utf8'));
    expect(sdp.media.map((m) => getRcvrRttMode(m.attributes))).to.deep.equal(['all', 'all', undefined]);
  });
});

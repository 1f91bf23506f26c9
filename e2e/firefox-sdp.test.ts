import { expect } from 'chai';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Counters } from '@rivulet/common';
import {
  findAttribute, findAttributes, getBundleMids, getDirection, getMid, getRtpCodecs, isUnknown, parseSdp, serializeSdp,
  type SdpParseCounter,
} from '@rivulet/sdp';

/**
 * Firefox's own offers and answers (captured by e2e/fixtures/firefox/capture.ts
 * from Debian's firefox-esr) through @rivulet/sdp: the text must survive
 * parse → serialize unchanged, and the WebRTC attributes must come out typed.
 * No browser is needed for these.
 */
const dir = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'firefox');
const fixtures = readdirSync(dir).filter((f) => f.endsWith('.sdp')).sort();
const read = (name: string): string => readFileSync(join(dir, name), 'utf8');

/** The lines of `a` that differ from `b`, for a readable failure. */
function lineDiff(a: string, b: string): string[] {
  const x = a.split('\r\n');
  const y = b.split('\r\n');
  const out: string[] = [];
  for (let i = 0; i < Math.max(x.length, y.length); i++) if (x[i] !== y[i]) out.push(`line ${i + 1}: ${JSON.stringify(x[i])} → ${JSON.stringify(y[i])}`);
  return out;
}

describe('Firefox SDP fixtures through @rivulet/sdp', () => {
  it('has the captured fixtures', () => {
    expect(fixtures).to.deep.equal([
      'firefox-av-data-answer.sdp', 'firefox-av-data-offer.sdp', 'firefox-data-offer.sdp',
      'firefox-recvonly-answer.sdp', 'firefox-recvonly-offer.sdp', 'firefox-simulcast-offer.sdp',
    ]);
  });

  for (const f of fixtures) {
    it(`${f}: parse → serialize is byte-identical, nothing malformed or skipped`, () => {
      const text = read(f);
      expect(text.endsWith('\r\n')).to.equal(true);
      const counters = new Counters<SdpParseCounter>();
      const back = serializeSdp(parseSdp(text, { counters }));
      expect(lineDiff(text, back), 'differing lines').to.deep.equal([]);
      expect(back).to.equal(text);
      expect(counters.toJSON()).to.deep.equal({});
    });
  }

  it('every attribute Firefox writes is typed (none left opaque)', () => {
    const unknown = new Set<string>();
    for (const f of fixtures) {
      const sdp = parseSdp(read(f));
      for (const a of [...sdp.attributes, ...sdp.media.flatMap((m) => m.attributes)]) if (isUnknown(a)) unknown.add(a.name);
    }
    expect([...unknown].sort()).to.deep.equal([]);
  });

  it('reads the av+data offer: BUNDLE, session-level fingerprint, codecs, loopback candidates', () => {
    const sdp = parseSdp(read('firefox-av-data-offer.sdp'));
    expect(sdp.origin.username).to.equal('mozilla...THIS_IS_SDPARTA-99.0');
    expect(getBundleMids(sdp)).to.deep.equal(['0', '1', '2']);
    expect(sdp.media.map((m) => m.kind)).to.deep.equal(['audio', 'video', 'application']);
    expect(sdp.media.map(getMid)).to.deep.equal(['0', '1', '2']);
    expect(sdp.media.map((m) => m.protocol)).to.deep.equal(['UDP/TLS/RTP/SAVPF', 'UDP/TLS/RTP/SAVPF', 'UDP/DTLS/SCTP']);
    // Firefox puts the fingerprint at session level (RFC 8122 §5 allows either), unlike Chromium.
    expect(findAttribute(sdp.attributes, 'fingerprint')?.algorithm).to.equal('sha-256');
    expect(sdp.media.map((m) => getDirection(m, sdp))).to.deep.equal(['sendrecv', 'sendrecv', 'sendrecv']);
    expect(getRtpCodecs(sdp.media[0]!).map((c) => c.name)).to.deep.equal(['opus', 'G722', 'PCMU', 'PCMA', 'telephone-event']);
    // Debian's firefox-esr has no OpenH264 plugin: VP8/VP9/AV1 only (with rtx/red/ulpfec).
    const video = getRtpCodecs(sdp.media[1]!).map((c) => c.name);
    expect(video).to.include.members(['VP8', 'VP9']);
    expect(video).to.not.include('H264');
    const candidates = sdp.media.flatMap((m) => findAttributes(m.attributes, 'candidate'));
    expect(candidates.length).to.be.greaterThan(0);
    for (const c of candidates) {
      expect(['127.0.0.1', '::1']).to.include(c.address);
      expect(c.type).to.equal('host');
    }
    expect(findAttribute(sdp.media[2]!.attributes, 'sctp-port')?.port).to.equal(5000);
  });

  it('reads the simulcast offer: three send rids and a=simulcast:send h;m;l', () => {
    const video = parseSdp(read('firefox-simulcast-offer.sdp')).media[0]!;
    expect(findAttributes(video.attributes, 'rid').map((r) => [r.id, r.direction])).to.deep.equal([
      ['h', 'send'], ['m', 'send'], ['l', 'send'],
    ]);
    const sim = findAttribute(video.attributes, 'simulcast')!;
    expect(sim.directions.map((d) => [d.direction, d.streams.map((alt) => alt.map((s) => s.rid))])).to.deep.equal([
      ['send', [['h'], ['m'], ['l']]],
    ]);
    expect(getDirection(video)).to.equal('sendonly');
  });

  it('reads the recvonly offer and its answer (sendonly)', () => {
    const offer = parseSdp(read('firefox-recvonly-offer.sdp'));
    const answer = parseSdp(read('firefox-recvonly-answer.sdp'));
    expect(offer.media.map((m) => getDirection(m, offer))).to.deep.equal(['recvonly', 'recvonly']);
    expect(answer.media.map((m) => getDirection(m, answer))).to.deep.equal(['sendonly', 'sendonly']);
    expect(findAttribute(answer.media[0]!.attributes, 'setup')?.role).to.equal('active');
  });
});

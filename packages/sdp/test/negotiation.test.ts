import { expect } from 'chai';
import { codecsMatch, h264Profile, intersectDirection, reverseDirection, DIRECTIONS } from '../src/index.js';

const h264 = (profileLevelId: string | undefined, mode: string | undefined) => {
  const parameters: Record<string, string> = {};
  if (profileLevelId !== undefined) parameters['profile-level-id'] = profileLevelId;
  if (mode !== undefined) parameters['packetization-mode'] = mode;
  return { mimeType: 'video/H264', clockRate: 90000, parameters };
};

describe('sdp codec matching', () => {
  it('classifies H.264 profiles from profile-level-id (RFC 6184 §8.1)', () => {
    expect(h264Profile('42e01f')).to.equal('constrained-baseline');
    expect(h264Profile('42001f')).to.equal('baseline');
    expect(h264Profile('4de01f')).to.equal('constrained-baseline');
    expect(h264Profile('4d001f')).to.equal('main');
    expect(h264Profile('640c1f')).to.equal('constrained-high');
    expect(h264Profile('64001f')).to.equal('high');
    expect(h264Profile(undefined)).to.equal('baseline');
    expect(h264Profile('zz')).to.equal(undefined);
  });

  it('matches H.264 on profile and packetization-mode, not on mime type alone', () => {
    expect(codecsMatch(h264('42e01f', '1'), h264('42e01f', '1'))).to.equal(true);
    expect(codecsMatch(h264('42e01f', '1'), h264('42e034', '1'))).to.equal(true); // level differs only
    expect(codecsMatch(h264('42e01f', '1'), h264('4de01f', '1'))).to.equal(true); // both constrained baseline
    expect(codecsMatch(h264('42e01f', '1'), h264('42e01f', '0'))).to.equal(false);
    expect(codecsMatch(h264('42e01f', '1'), h264('42e01f', undefined))).to.equal(false); // default mode 0
    expect(codecsMatch(h264('42e01f', '1'), h264('4d001f', '1'))).to.equal(false);
    expect(codecsMatch(h264('42e01f', '1'), h264('640c1f', '1'))).to.equal(false);
  });

  it('matches audio on clock rate and channels, VP9 on profile-id', () => {
    const opus = { mimeType: 'audio/opus', clockRate: 48000, channels: 2, parameters: {} };
    expect(codecsMatch(opus, { ...opus, mimeType: 'audio/OPUS' })).to.equal(true);
    expect(codecsMatch(opus, { ...opus, channels: 1 })).to.equal(false);
    expect(codecsMatch(opus, { ...opus, clockRate: 16000 })).to.equal(false);
    const pcmu = { mimeType: 'audio/PCMU', clockRate: 8000, parameters: {} };
    expect(codecsMatch(pcmu, { ...pcmu, channels: 1 })).to.equal(true);
    const vp9 = (p?: string) => ({ mimeType: 'video/VP9', clockRate: 90000, parameters: (p ? { 'profile-id': p } : {}) as Record<string, string> });
    expect(codecsMatch(vp9('0'), vp9())).to.equal(true);
    expect(codecsMatch(vp9('0'), vp9('2'))).to.equal(false);
    expect(codecsMatch(vp9('0'), { ...vp9('0'), mimeType: 'video/VP8' })).to.equal(false);
  });
});

describe('sdp direction algebra (RFC 3264 §6.1)', () => {
  it('reverses directions', () => {
    expect(DIRECTIONS.map(reverseDirection)).to.deep.equal(['sendrecv', 'recvonly', 'sendonly', 'inactive']);
  });
  it('intersects an offer with the local preference', () => {
    const table: [string, string, string][] = [
      ['sendrecv', 'sendrecv', 'sendrecv'], ['sendonly', 'sendrecv', 'recvonly'], ['recvonly', 'sendrecv', 'sendonly'],
      ['inactive', 'sendrecv', 'inactive'], ['sendrecv', 'recvonly', 'recvonly'], ['sendonly', 'sendonly', 'inactive'],
      ['recvonly', 'recvonly', 'inactive'], ['sendrecv', 'sendonly', 'sendonly'],
    ];
    for (const [offer, local, answer] of table) {
      expect(intersectDirection(offer as 'sendrecv', local as 'sendrecv'), `${offer} x ${local}`).to.equal(answer);
    }
  });
});

import { expect } from 'chai';
import { ParseError } from '@rivulet/common';
import {
  RtpExtensionRegistry,
  RtpExtensionUri,
  absSendTimeCodec,
  absSendTimeFromNtp,
  absSendTimeFromMs,
  absSendTimeToSeconds,
  audioLevelCodec,
  videoOrientationCodec,
  playoutDelayCodec,
  sdesStringCodec,
  transportSequenceNumberCodec,
} from '../../src/extensions/index.js';
import { RtpPacket, parseRtp } from '../../src/rtp/index.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

describe('header extension value codecs', () => {
  it('abs-send-time is NTP bits 14..37 in 6.18 fixed point', () => {
    expect(absSendTimeFromNtp(0x0000000180000000n)).to.equal(0x060000); // 1.5 s
    expect(absSendTimeFromNtp(0xffffffffffffffffn)).to.equal(0xffffff);
    expect(absSendTimeToSeconds(0x060000)).to.equal(1.5);
    expect(absSendTimeFromMs(1500)).to.equal(0x060000);
    expect(absSendTimeFromMs(64000 + 1500)).to.equal(0x060000); // wraps every 64 s
    expect(absSendTimeCodec.serialize(0x060000).toString('hex')).to.equal('060000');
    expect(absSendTimeCodec.parse(hex('abcdef'))).to.equal(0xabcdef);
    expect(() => absSendTimeCodec.parse(hex('abcd'))).to.throw(ParseError, /3 bytes, got 2/);
    expect(() => absSendTimeCodec.serialize(0x1000000)).to.throw(/24-bit/);
  });

  it('transport-wide sequence number is a 16-bit big-endian value', () => {
    expect(transportSequenceNumberCodec.serialize(0x1234).toString('hex')).to.equal('1234');
    expect(transportSequenceNumberCodec.parse(hex('fffe'))).to.equal(65534);
    expect(() => transportSequenceNumberCodec.parse(hex('01'))).to.throw(ParseError);
  });

  it('audio level (RFC 6464 §3)', () => {
    expect(audioLevelCodec.parse(hex('8a'))).to.deep.equal({ voiceActivity: true, level: 10 });
    expect(audioLevelCodec.parse(hex('7f'))).to.deep.equal({ voiceActivity: false, level: 127 });
    expect(audioLevelCodec.serialize({ voiceActivity: true, level: 127 }).toString('hex')).to.equal('ff');
    expect(() => audioLevelCodec.serialize({ voiceActivity: false, level: 128 })).to.throw(/0..127 -dBov, got 128/);
  });

  it('video orientation (3GPP TS 26.114 CVO)', () => {
    expect(videoOrientationCodec.parse(hex('0b'))).to.deep.equal({ backCamera: true, flip: false, rotation: 270 });
    expect(videoOrientationCodec.parse(hex('05'))).to.deep.equal({ backCamera: false, flip: true, rotation: 90 });
    expect(videoOrientationCodec.serialize({ backCamera: false, flip: true, rotation: 180 }).toString('hex')).to.equal('06');
  });

  it('playout delay is two 12-bit values in 10 ms units', () => {
    expect(playoutDelayCodec.serialize({ minMs: 100, maxMs: 2000 }).toString('hex')).to.equal('00a0c8');
    expect(playoutDelayCodec.parse(hex('fff000'))).to.deep.equal({ minMs: 40950, maxMs: 0 });
    expect(() => playoutDelayCodec.serialize({ minMs: 15, maxMs: 20 })).to.throw(/multiple of 10 ms/);
    expect(() => playoutDelayCodec.serialize({ minMs: 30, maxMs: 20 })).to.throw(/exceeds/);
  });

  it('SDES strings (mid, rid) as UTF-8 without terminator', () => {
    expect(sdesStringCodec.serialize('0').toString('hex')).to.equal('30');
    expect(sdesStringCodec.parse(hex('686900'))).to.equal('hi');
    expect(() => sdesStringCodec.serialize('')).to.throw(/1..255 bytes, got 0/);
    expect(() => sdesStringCodec.parse(Buffer.alloc(0))).to.throw(ParseError);
  });
});

describe('RtpExtensionRegistry', () => {
  const reg = new RtpExtensionRegistry({
    1: RtpExtensionUri.mid,
    2: RtpExtensionUri.rid,
    3: RtpExtensionUri.absSendTime,
    4: RtpExtensionUri.transportCc,
    5: RtpExtensionUri.audioLevel,
    6: RtpExtensionUri.videoOrientation,
    7: RtpExtensionUri.playoutDelay,
    20: RtpExtensionUri.dependencyDescriptor,
  });

  it('writes typed values by URI and reads them back from the wire', () => {
    const p = new RtpPacket({ payloadType: 96, ssrc: 1, payload: Buffer.from([0]) });
    reg.write(p, RtpExtensionUri.mid, 'video0');
    reg.write(p, RtpExtensionUri.rid, 'hi');
    reg.write(p, RtpExtensionUri.absSendTime, 123456);
    reg.write(p, RtpExtensionUri.transportCc, 999);
    reg.write(p, RtpExtensionUri.audioLevel, { voiceActivity: true, level: 30 });
    reg.write(p, RtpExtensionUri.videoOrientation, { backCamera: false, flip: false, rotation: 90 });
    reg.write(p, RtpExtensionUri.playoutDelay, { minMs: 0, maxMs: 0 });
    const one = parseRtp(p.serialize());
    expect(one.extensionProfile).to.equal(0xbede);
    expect(reg.read(one, RtpExtensionUri.mid)).to.equal('video0');
    expect(reg.read(one, RtpExtensionUri.rid)).to.equal('hi');
    expect(reg.read(one, RtpExtensionUri.absSendTime)).to.equal(123456);
    expect(reg.read(one, RtpExtensionUri.transportCc)).to.equal(999);
    expect(reg.read(one, RtpExtensionUri.audioLevel)).to.deep.equal({ voiceActivity: true, level: 30 });
    expect(reg.read(one, RtpExtensionUri.videoOrientation)).to.deep.equal({ backCamera: false, flip: false, rotation: 90 });
    expect(reg.read(one, RtpExtensionUri.playoutDelay)).to.deep.equal({ minMs: 0, maxMs: 0 });
    expect(reg.read(one, RtpExtensionUri.repairedRid)).to.equal(undefined); // not mapped
    // id 20 forces the two-byte form (extmap-allow-mixed, RFC 8285 §6)
    reg.write(p, RtpExtensionUri.dependencyDescriptor, { startOfFrame: true, endOfFrame: false, templateId: 1, frameNumber: 0x1234 });
    const two = parseRtp(p.serialize());
    expect(two.extensionProfile).to.equal(0x1000);
    expect(two.getExtension(20)!.toString('hex')).to.equal('811234');
    expect(reg.read(two, RtpExtensionUri.dependencyDescriptor)).to.deep.equal({ startOfFrame: true, endOfFrame: false, templateId: 1, frameNumber: 0x1234 });
    expect(reg.read(two, RtpExtensionUri.mid)).to.equal('video0');
  });

  it('tryRead swallows malformed values; read throws ParseError', () => {
    const p = new RtpPacket({ extensions: [{ id: 3, data: hex('01') }] });
    expect(() => reg.read(p, RtpExtensionUri.absSendTime)).to.throw(ParseError);
    expect(reg.tryRead(p, RtpExtensionUri.absSendTime)).to.equal(undefined);
  });

  it('refuses conflicting or invalid mappings', () => {
    const r = new RtpExtensionRegistry([[1, RtpExtensionUri.mid]]);
    expect(() => r.register(1, RtpExtensionUri.rid)).to.throw(/already urn:ietf:params:rtp-hdrext:sdes:mid/);
    expect(() => r.register(2, RtpExtensionUri.mid)).to.throw(/already has id 1/);
    expect(() => r.register(0, RtpExtensionUri.rid)).to.throw(/1..255, got 0/);
    expect(() => r.write(new RtpPacket(), RtpExtensionUri.rid, 'x')).to.throw(/no negotiated extmap id/);
    expect(r.idOf(RtpExtensionUri.mid)).to.equal(1);
    expect(r.uriOf(1)).to.equal(RtpExtensionUri.mid);
    expect(r.encode(RtpExtensionUri.mid, 'a')).to.deep.equal({ id: 1, data: Buffer.from('a') });
  });
});

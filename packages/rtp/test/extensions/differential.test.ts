import { expect } from 'chai';
import * as W from 'werift-rtp';
import { RtpExtensionRegistry, RtpExtensionUri, absSendTimeFromNtp } from '../../src/extensions/index.js';
import { RtpPacket } from '../../src/rtp/index.js';
import { Prng } from '../rtp/prng.js';

// Header extension values cross-checked with werift-rtp's value codecs (mid, rid,
// repaired rid, transport-cc, abs-send-time, audio level, video orientation).

const MAP: Record<number, string> = {
  1: RtpExtensionUri.mid,
  2: RtpExtensionUri.rid,
  3: RtpExtensionUri.repairedRid,
  4: RtpExtensionUri.transportCc,
  5: RtpExtensionUri.absSendTime,
  6: RtpExtensionUri.audioLevel,
  7: RtpExtensionUri.videoOrientation,
};

describe('header extension values against werift-rtp', () => {
  const reg = new RtpExtensionRegistry(MAP);

  it('werift reads the values we write (1000 packets, seed 51)', () => {
    const r = new Prng(51);
    const word = (): string => Array.from({ length: r.int(1, 16) }, () => r.pick([...'abcdefghijklmnopqrstuvwxyz0123456789'])).join('');
    for (let i = 0; i < 1000; i++) {
      const v = {
        mid: word(),
        rid: word(),
        rrid: word(),
        tcc: r.int(0, 0xffff),
        ntp: (BigInt(r.u32()) << 32n) | BigInt(r.u32()),
        level: { voiceActivity: r.bool(), level: r.int(0, 127) },
        cvo: { backCamera: r.bool(), flip: r.bool(), rotation: r.pick([0, 90, 180, 270] as const) },
      };
      const p = new RtpPacket({ payloadType: 96, ssrc: 1, payload: Buffer.from([1]) });
      reg.write(p, RtpExtensionUri.mid, v.mid);
      reg.write(p, RtpExtensionUri.rid, v.rid);
      reg.write(p, RtpExtensionUri.repairedRid, v.rrid);
      reg.write(p, RtpExtensionUri.transportCc, v.tcc);
      reg.write(p, RtpExtensionUri.absSendTime, absSendTimeFromNtp(v.ntp));
      reg.write(p, RtpExtensionUri.audioLevel, v.level);
      reg.write(p, RtpExtensionUri.videoOrientation, v.cvo);
      const w = W.RtpPacket.deSerialize(p.serialize());
      const parsed = W.rtpHeaderExtensionsParser(w.header.extensions, MAP);
      expect(parsed[RtpExtensionUri.mid]).to.equal(v.mid);
      expect(parsed[RtpExtensionUri.rid]).to.equal(v.rid);
      expect(parsed[RtpExtensionUri.repairedRid]).to.equal(v.rrid);
      expect(parsed[RtpExtensionUri.transportCc]).to.equal(v.tcc);
      expect(parsed[RtpExtensionUri.absSendTime]).to.equal(Number((v.ntp >> 14n) & 0xffffffn));
      expect(parsed[RtpExtensionUri.audioLevel]).to.deep.equal({ v: v.level.voiceActivity, level: v.level.level });
      const rot = [0, 90, 180, 270].indexOf(v.cvo.rotation);
      expect(parsed[RtpExtensionUri.videoOrientation]).to.deep.equal({ c: v.cvo.backCamera ? 1 : 0, f: v.cvo.flip ? 1 : 0, r1: rot >> 1, r0: rot & 1 });
    }
  });

  it('we read the values werift writes (1000 packets, seed 52)', () => {
    const r = new Prng(52);
    for (let i = 0; i < 1000; i++) {
      const mid = String(r.int(0, 99999));
      const tcc = r.int(0, 0xffff);
      const ntp = (BigInt(r.u32()) << 32n) | BigInt(r.u32());
      const level = r.int(0, 127);
      const header = new W.RtpHeader({
        payloadType: 96,
        extension: true,
        extensions: [
          { id: 1, payload: W.serializeSdesMid(mid) },
          { id: 2, payload: W.serializeSdesRTPStreamID(mid + 'r') },
          { id: 4, payload: W.serializeTransportWideCC(tcc) },
          { id: 5, payload: W.serializeAbsSendTime(ntp) },
          { id: 6, payload: Buffer.from(W.serializeAudioLevelIndication(level)) },
        ],
      });
      const p = RtpPacket.parse(new W.RtpPacket(header, Buffer.from([0])).serialize());
      expect(reg.read(p, RtpExtensionUri.mid)).to.equal(mid);
      expect(reg.read(p, RtpExtensionUri.rid)).to.equal(mid + 'r');
      expect(reg.read(p, RtpExtensionUri.transportCc)).to.equal(tcc);
      expect(reg.read(p, RtpExtensionUri.absSendTime)).to.equal(absSendTimeFromNtp(ntp));
      // werift always sets the V flag when writing the audio level
      expect(reg.read(p, RtpExtensionUri.audioLevel)).to.deep.equal({ voiceActivity: true, level });
    }
  });
});

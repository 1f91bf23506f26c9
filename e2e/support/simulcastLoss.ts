import { expect } from 'chai';
import { RtpPacket } from '@rivulet/rtp';
import { readTrack, simulcastLayerTrack, type RTCRtpReceiver } from '@rivulet/webrtc';

/**
 * Loses every `every`-th media packet of each SSRC (at most `maxPerSsrc` per SSRC), once each, as it
 * reaches Rivulet's socket: pass `drop` to `droppingNetwork`. SRTP leaves the RTP header readable
 * (RFC 3711 §3.1), so packets are picked by payload type; RTCP (RFC 5761 §4 ranges) and other
 * payload types pass. Nothing is lost until `mediaPt` is set (from the negotiated codec).
 */
export class MediaLoss {
  mediaPt: number | undefined;
  /** Lost sequence numbers per SSRC, in loss order. */
  readonly lost = new Map<number, number[]>();
  private readonly seen = new Map<number, number>();

  constructor(private readonly every: number, private readonly maxPerSsrc: number) {}

  readonly drop = (d: Buffer): boolean => {
    if (this.mediaPt === undefined || d.length < 12 || d[0]! < 128 || d[0]! > 191) return false;
    if (d[1]! >= 192 && d[1]! <= 223) return false;
    if ((d[1]! & 0x7f) !== this.mediaPt) return false;
    const ssrc = d.readUInt32BE(8);
    const n = (this.seen.get(ssrc) ?? 0) + 1;
    this.seen.set(ssrc, n);
    const mine = this.lost.get(ssrc) ?? [];
    if (n % this.every !== 0 || mine.length >= this.maxPerSsrc) return false;
    mine.push(d.readUInt16BE(2));
    this.lost.set(ssrc, mine);
    return true;
  };
}

export interface LayerLog { ssrcs: Set<number>; seqs: Set<number> }

/** Per simulcast layer of a receiver: every SSRC and sequence number that reached the layer's track. */
export function recordLayers(receiver: RTCRtpReceiver, rids: readonly string[]): Map<string, LayerLog> {
  const layers = new Map(rids.map((rid) => [rid, { ssrcs: new Set<number>(), seqs: new Set<number>() }]));
  for (const rid of rids) {
    const l = layers.get(rid)!;
    readTrack(simulcastLayerTrack(receiver, rid), {
      rtp: (raw) => {
        const p = RtpPacket.parse(Buffer.from(raw));
        l.ssrcs.add(p.ssrc);
        l.seqs.add(p.sequenceNumber);
      },
    });
  }
  return layers;
}

/**
 * Asserts that every lost packet's SSRC belongs to a layer and that each lost sequence number reached
 * that layer's track afterwards (repaired by RTX, RFC 4588); returns how many were lost and repaired.
 */
export function expectLossesRepaired(lost: ReadonlyMap<number, number[]>, layers: ReadonlyMap<string, LayerLog>): number {
  const ssrcOfRid = new Map([...layers].map(([rid, l]) => [rid, [...l.ssrcs]]));
  let repaired = 0;
  for (const [ssrc, seqs] of lost) {
    const rid = [...ssrcOfRid].find(([, s]) => s.includes(ssrc))?.[0];
    expect(rid, `lost SSRC ${ssrc} belongs to a layer`).to.not.equal(undefined);
    const got = layers.get(rid!)!.seqs;
    expect(seqs.filter((s) => !got.has(s)), `layer ${rid}: lost sequence numbers never repaired`).to.deep.equal([]);
    repaired += seqs.length;
  }
  return repaired;
}

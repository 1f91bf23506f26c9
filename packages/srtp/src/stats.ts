import { Counters } from '@rivulet/common';

/** Why an incoming packet was dropped (or, for the index, why SRTCP needs re-keying). */
export type SrtpDropReason =
  | 'rtpTooShort'
  | 'rtpMalformed'
  | 'rtpAuthFailed'
  | 'rtpReplayed'
  | 'rtpTooOld'
  | 'rtcpTooShort'
  | 'rtcpMalformed'
  | 'rtcpAuthFailed'
  | 'rtcpReplayed'
  | 'rtcpTooOld';

/**
 * Packet counts on the hot path are plain number fields (a Map lookup per packet is measurable);
 * the rarer drop reasons go to a Counters.
 */
export class SrtpStats {
  rtpProtected = 0;
  rtpUnprotected = 0;
  rtcpProtected = 0;
  rtcpUnprotected = 0;
  readonly dropped = new Counters<SrtpDropReason>();

  toJSON(): Record<string, number | Record<string, number>> {
    return {
      rtpProtected: this.rtpProtected,
      rtpUnprotected: this.rtpUnprotected,
      rtcpProtected: this.rtcpProtected,
      rtcpUnprotected: this.rtcpUnprotected,
      dropped: this.dropped.toJSON(),
    };
  }
}

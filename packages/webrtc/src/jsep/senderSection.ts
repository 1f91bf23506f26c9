/** The sender-dependent parts of an RTP m-section: msid, ssrc lines and simulcast rids (RFC 8830, 5576, 8853). */
import type { SimulcastAttribute } from '@rivulet/sdp';
import { senderInternals } from '../transceiver/RTCRtpSender.js';
import type { RTCRtpTransceiver } from '../transceiver/RTCRtpTransceiver.js';
import type { NegotiatedCodec } from './codecNegotiation.js';
import type { RtpSectionOptions } from './sections.js';

export type SenderParts = Pick<RtpSectionOptions, 'msid' | 'ssrcs' | 'cname' | 'rids' | 'simulcast'>;

/**
 * `sends`: whether the written direction includes send. `simulcastRids`
 * overrides the sender's own rids (answers echo the offer's simulcast recv).
 */
export function senderParts(t: RTCRtpTransceiver, sends: boolean, codecs: NegotiatedCodec[], simulcastRids?: string[]): SenderParts {
  const s = senderInternals.state(t.sender);
  const rids = simulcastRids ?? s.encodings.filter((e) => e.rid !== undefined).map((e) => e.rid!);
  const msid = sends ? { streamIds: s.streamIds, trackId: s.track?.id ?? s.senderId } : null;
  const hasRtx = codecs.some((c) => c.rtxPayloadType !== undefined);
  let simulcast: SimulcastAttribute | null = null;
  let ssrcs: SenderParts['ssrcs'] = [];
  if (sends && rids.length > 0) {
    simulcast = { name: 'simulcast', directions: [{ direction: 'send', streams: rids.map((rid) => [{ rid, paused: false }]) }] };
  } else if (sends) {
    const first = s.streams[0]!;
    ssrcs = [{ ssrc: first.ssrc, rtxSsrc: hasRtx ? first.rtxSsrc : undefined }];
  }
  return {
    msid, ssrcs, cname: s.cname,
    rids: sends ? rids.map((id) => ({ id, direction: 'send' as const })) : [],
    simulcast,
  };
}

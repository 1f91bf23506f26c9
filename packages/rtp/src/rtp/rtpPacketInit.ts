import type { RtpHeaderExtension } from './headerExtensionBlock.js';
import type { RtpPacket } from './rtpPacket.js';

/** The plain-object form of an RTP packet: what the RtpPacket constructor takes. */
export interface RtpPacketInit {
  marker?: boolean;
  payloadType?: number;
  sequenceNumber?: number;
  timestamp?: number;
  ssrc?: number;
  csrcs?: number[];
  extensionProfile?: number;
  extensions?: RtpHeaderExtension[];
  extensionData?: Buffer;
  payload?: Buffer;
  paddingLength?: number;
}

/** Every field of a packet as a plain object (RtpPacket.toJSON); only the extension block may be absent. */
export type RtpPacketFields = Required<Omit<RtpPacketInit, 'extensionProfile' | 'extensionData'>> & Pick<RtpPacketInit, 'extensionProfile' | 'extensionData'>;

/**
 * The fields of `p` with new CSRC and extension arrays (the values are still shared views), so
 * that `new RtpPacket(rtpPacketFields(p))` is a copy that can be edited without touching `p`.
 */
export function rtpPacketFields(p: RtpPacket): RtpPacketFields {
  return {
    marker: p.marker,
    payloadType: p.payloadType,
    sequenceNumber: p.sequenceNumber,
    timestamp: p.timestamp,
    ssrc: p.ssrc,
    csrcs: p.csrcs.slice(),
    extensionProfile: p.extensionProfile,
    extensions: p.extensions.map((e) => ({ id: e.id, data: e.data })),
    extensionData: p.extensionData,
    payload: p.payload,
    paddingLength: p.paddingLength,
  };
}

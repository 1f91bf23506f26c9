export type {
  SessionDescription, MediaDescription, Origin, Connection, Bandwidth, Timing,
} from './types.js';
export { SdpParseError } from './types.js';
export type * from './attributes/model.js';
export { DIRECTIONS, isUnknown } from './attributes/model.js';
export { parseAttribute, formatAttribute, formatAttributeValue } from './attributes/codec.js';
export { parseCandidate, formatCandidate } from './attributes/ice.js';
export { parseFmtpParameters, formatFmtpParameters } from './attributes/rtp.js';
export { parseSimulcast, formatSimulcast, parseRid, formatRid } from './attributes/simulcast.js';
export { parseRtcpXr, formatRtcpXr, getRcvrRttMode } from './attributes/rtcpXr.js';
export { parseSdp, type ParseOptions, type SdpParseCounter } from './parse.js';
export { serializeSdp } from './serialize.js';
export {
  findAttribute, findAttributes, hasAttribute, findUnknownAttributes, getDirection, getMid, getMediaOrSession,
  getBundleMids,
} from './query.js';
export { directionSends, directionReceives, makeDirection, reverseDirection, intersectDirection } from './direction.js';
export { getRtpCodecs, codecsMatch, h264Profile, type SdpRtpCodec, type CodecLike } from './codecs.js';

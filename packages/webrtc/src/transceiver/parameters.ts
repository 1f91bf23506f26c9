/** RTCRtpParameters dictionaries (webrtc-pc §5.2) and the sendEncodings checks of addTransceiver (§4.4.1.9). */
import type { RTCRtpCodecParameters } from '../jsep/capabilities.js';

export type RTCPriorityType = 'very-low' | 'low' | 'medium' | 'high';

export interface RTCRtpEncodingParameters {
  rid?: string;
  active?: boolean;
  maxBitrate?: number;
  maxFramerate?: number;
  scaleResolutionDownBy?: number;
  priority?: RTCPriorityType;
  networkPriority?: RTCPriorityType;
}

export interface RTCRtpHeaderExtensionParameters {
  uri: string;
  id: number;
  encrypted?: boolean;
}

export interface RTCRtcpParameters {
  cname?: string;
  reducedSize?: boolean;
}

export interface RTCRtpParameters {
  headerExtensions: RTCRtpHeaderExtensionParameters[];
  rtcp: RTCRtcpParameters;
  codecs: RTCRtpCodecParameters[];
}

export type RTCDegradationPreference = 'maintain-framerate' | 'maintain-resolution' | 'balanced';

export interface RTCRtpSendParameters extends RTCRtpParameters {
  transactionId: string;
  encodings: RTCRtpEncodingParameters[];
  degradationPreference?: RTCDegradationPreference;
}

export type RTCRtpReceiveParameters = RTCRtpParameters;

/** RFC 8851 §10 rid-id = 1*(alpha-numeric / "-" / "_"); webrtc-pc additionally caps it at 255 characters. */
const RID = /^[A-Za-z0-9_-]{1,255}$/;

/** The most simulcast layers we send (browsers allow 3-4). */
export const MAX_SIMULCAST_LAYERS = 4;

/**
 * webrtc-pc §4.4.1.9 addTransceiver steps for sendEncodings: TypeError for a
 * bad/duplicate/missing rid, RangeError for scaleResolutionDownBy < 1 or
 * maxFramerate < 0; audio drops the video-only members; video gets the
 * default scaleResolutionDownBy 2^(n-1-i).
 */
export function validateSendEncodings(kind: 'audio' | 'video', encodings: readonly RTCRtpEncodingParameters[] | undefined): RTCRtpEncodingParameters[] {
  if (encodings === undefined || encodings.length === 0) return [{ active: true }];
  if (!Array.isArray(encodings)) throw new TypeError('sendEncodings must be an array of RTCRtpEncodingParameters');
  const withRid = encodings.filter((e) => e.rid !== undefined);
  for (const e of withRid) {
    if (typeof e.rid !== 'string' || !RID.test(e.rid)) {
      throw new TypeError(`sendEncodings: rid ${JSON.stringify(e.rid)} does not match RFC 8851 rid-id (1-255 of A-Z a-z 0-9 - _)`);
    }
  }
  if (encodings.length > 1 && withRid.length !== encodings.length) {
    throw new TypeError('sendEncodings: with more than one encoding every encoding needs a rid');
  }
  const seen = new Set<string>();
  for (const e of withRid) {
    if (seen.has(e.rid!)) throw new TypeError(`sendEncodings: rid ${JSON.stringify(e.rid)} appears more than once`);
    seen.add(e.rid!);
  }
  for (const e of encodings) {
    if (e.scaleResolutionDownBy !== undefined && !(e.scaleResolutionDownBy >= 1)) {
      throw new RangeError(`sendEncodings: scaleResolutionDownBy ${e.scaleResolutionDownBy} is below 1.0`);
    }
    if (e.maxFramerate !== undefined && !(e.maxFramerate >= 0)) {
      throw new RangeError(`sendEncodings: maxFramerate ${e.maxFramerate} is negative`);
    }
  }
  const out = encodings.slice(0, MAX_SIMULCAST_LAYERS).map((e) => {
    const copy: RTCRtpEncodingParameters = { ...e, active: e.active ?? true };
    if (kind === 'audio') {
      delete copy.scaleResolutionDownBy;
      delete copy.maxFramerate;
    }
    return copy;
  });
  if (kind === 'video') {
    out.forEach((e, i) => {
      e.scaleResolutionDownBy ??= 2 ** (out.length - 1 - i);
    });
  }
  return out;
}

/**
 * webrtc-pc §5.2 setParameters checks against the last getParameters():
 * InvalidModificationError when the encodings count/order/rid or a read-only
 * member changed; RangeError for bad values.
 */
export function checkSetParameters(
  next: RTCRtpSendParameters,
  last: RTCRtpSendParameters,
  kind: 'audio' | 'video',
): string | RangeError | undefined {
  if (next === null || typeof next !== 'object') return 'parameters must be an RTCRtpSendParameters object';
  if (next.transactionId !== last.transactionId) {
    return `transactionId ${JSON.stringify(next.transactionId)} does not match the last getParameters() (${JSON.stringify(last.transactionId)})`;
  }
  if (!Array.isArray(next.encodings) || next.encodings.length !== last.encodings.length) {
    return `encodings length ${Array.isArray(next.encodings) ? next.encodings.length : 'n/a'} differs from ${last.encodings.length}`;
  }
  for (let i = 0; i < last.encodings.length; i++) {
    if (next.encodings[i]!.rid !== last.encodings[i]!.rid) return `encodings[${i}].rid cannot be changed`;
  }
  if (JSON.stringify(next.headerExtensions) !== JSON.stringify(last.headerExtensions)) return 'headerExtensions are read-only';
  if (JSON.stringify(next.rtcp) !== JSON.stringify(last.rtcp)) return 'rtcp is read-only';
  if (JSON.stringify(next.codecs) !== JSON.stringify(last.codecs)) return 'codecs are read-only';
  for (const [i, e] of next.encodings.entries()) {
    if (kind === 'video' && e.scaleResolutionDownBy !== undefined && !(e.scaleResolutionDownBy >= 1)) {
      return new RangeError(`encodings[${i}].scaleResolutionDownBy ${e.scaleResolutionDownBy} is below 1.0`);
    }
    if (e.maxFramerate !== undefined && !(e.maxFramerate >= 0)) {
      return new RangeError(`encodings[${i}].maxFramerate ${e.maxFramerate} is negative`);
    }
  }
  return undefined;
}

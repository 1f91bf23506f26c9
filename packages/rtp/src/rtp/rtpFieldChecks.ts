import type { RtpPacket } from './rtpPacket.js';

/**
 * Field checks run before an RTP packet is written (RFC 3550 §5.1 field widths): a bad value is
 * API misuse, reported with the field and the value instead of being silently masked.
 */
export function validateRtpFields(p: RtpPacket): void {
  const pt = p.payloadType;
  if (!Number.isInteger(pt) || pt < 0 || pt > 127) throw new Error(`RTP payloadType must be 0..127, got ${pt}`);
  const seq = p.sequenceNumber;
  if (!Number.isInteger(seq) || seq < 0 || seq > 0xffff) throw new Error(`RTP sequenceNumber must be 0..65535, got ${seq}`);
  const ts = p.timestamp;
  if (!Number.isInteger(ts) || ts < 0 || ts > 0xffffffff) throw new Error(`RTP timestamp must be a uint32, got ${ts}`);
  const ssrc = p.ssrc;
  if (!Number.isInteger(ssrc) || ssrc < 0 || ssrc > 0xffffffff) throw new Error(`RTP ssrc must be a uint32, got ${ssrc}`);
  if (p.csrcs.length > 15) throw new Error(`RTP packet can carry at most 15 CSRCs, got ${p.csrcs.length}`);
  const pad = p.paddingLength;
  if (!Number.isInteger(pad) || pad < 0 || pad > 255) throw new Error(`RTP paddingLength must be 0..255, got ${pad}`);
  const profile = p.extensionProfile;
  if (profile !== undefined && (!Number.isInteger(profile) || profile < 0 || profile > 0xffff)) {
    throw new Error(`RTP extensionProfile must be a uint16, got ${profile}`);
  }
}

/** RFC 3550 §5.3.1: a non-RFC 8285 block is opaque, a whole number of 32-bit words. */
export function validateOpaqueExtension(profile: number, elementCount: number, data: Buffer | undefined): void {
  if (elementCount > 0) {
    throw new Error(`RTP extensionProfile 0x${profile.toString(16)} is not RFC 8285, but ${elementCount} extensions are set`);
  }
  const d = data?.length ?? 0;
  if (d % 4 !== 0) throw new Error(`RTP extensionData must be a multiple of 4 bytes, got ${d}`);
  if (d / 4 > 0xffff) throw new Error(`RTP extensionData too long: ${d} bytes`);
}

/** Same header fields, CSRCs, extension profile, extensions (ids and bytes, in order), payload bytes and padding. */
export function rtpPacketsEqual(a: RtpPacket, b: RtpPacket): boolean {
  if (
    a.marker !== b.marker ||
    a.payloadType !== b.payloadType ||
    a.sequenceNumber !== b.sequenceNumber ||
    a.timestamp !== b.timestamp ||
    a.ssrc !== b.ssrc ||
    a.paddingLength !== b.paddingLength ||
    a.extensionProfile !== b.extensionProfile ||
    a.csrcs.length !== b.csrcs.length ||
    a.csrcs.some((c, i) => c !== b.csrcs[i])
  ) {
    return false;
  }
  const ea = a.extensions;
  const eb = b.extensions;
  if (ea.length !== eb.length || ea.some((e, i) => e.id !== eb[i]!.id || !e.data.equals(eb[i]!.data))) return false;
  const da = a.extensionData;
  const db = b.extensionData;
  if ((da === undefined) !== (db === undefined) || (da !== undefined && !da.equals(db!))) return false;
  return a.payload.equals(b.payload);
}

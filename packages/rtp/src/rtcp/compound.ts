import { ByteWriter, type Counters, ParseError } from '@rivulet/common';
import { RtcpPacketType, checkUint, writeRtcpPacket } from './header.js';
import { type RtcpSenderReport, parseSenderReport, writeSenderReport } from './senderReport.js';
import { type RtcpReceiverReport, parseReceiverReport, writeReceiverReport } from './receiverReport.js';
import { type RtcpSourceDescription, parseSourceDescription, writeSourceDescription } from './sdes.js';
import { type RtcpGoodbye, parseGoodbye, writeGoodbye } from './bye.js';
import { type RtcpApplicationDefined, parseApplicationDefined, writeApplicationDefined } from './app.js';
import { type RtcpGenericNack, NACK_FMT, parseGenericNack, writeGenericNack } from './nack.js';
import { type RtcpTransportCc, TWCC_FMT, parseTransportCc, writeTransportCc } from './transportCc.js';
import { type RtcpPictureLossIndication, PLI_FMT, parsePictureLossIndication, writePictureLossIndication } from './pli.js';
import { type RtcpFullIntraRequest, FIR_FMT, parseFullIntraRequest, writeFullIntraRequest } from './fir.js';
import { type RtcpReceiverEstimatedMaxBitrate, AFB_FMT, isRembFci, parseRemb, writeRemb } from './remb.js';
import { type RtcpExtendedReport, parseExtendedReport, writeExtendedReport } from './extendedReport.js';
import { type RtcpGenericFeedback, parseGenericFeedback, writeGenericFeedback } from './feedback.js';

/** A packet type we do not model, kept as its count field and body. */
export interface RtcpUnknown {
  kind: 'unknown';
  packetType: number;
  count: number;
  /** Body after the 4-byte header, padding removed. */
  body: Buffer;
}

export type RtcpPacket =
  | RtcpSenderReport
  | RtcpReceiverReport
  | RtcpSourceDescription
  | RtcpGoodbye
  | RtcpApplicationDefined
  | RtcpGenericNack
  | RtcpTransportCc
  | RtcpPictureLossIndication
  | RtcpFullIntraRequest
  | RtcpReceiverEstimatedMaxBitrate
  | RtcpExtendedReport
  | RtcpGenericFeedback
  | RtcpUnknown;

function parseOne(packetType: number, count: number, body: Buffer): RtcpPacket {
  switch (packetType) {
    case RtcpPacketType.SR:
      return parseSenderReport(count, body);
    case RtcpPacketType.RR:
      return parseReceiverReport(count, body);
    case RtcpPacketType.SDES:
      return parseSourceDescription(count, body);
    case RtcpPacketType.BYE:
      return parseGoodbye(count, body);
    case RtcpPacketType.APP:
      return parseApplicationDefined(count, body);
    case RtcpPacketType.RTPFB:
      if (count === NACK_FMT) return parseGenericNack(body);
      if (count === TWCC_FMT) return parseTransportCc(body);
      return parseGenericFeedback(205, count, body);
    case RtcpPacketType.PSFB:
      if (count === PLI_FMT) return parsePictureLossIndication(body);
      if (count === FIR_FMT) return parseFullIntraRequest(body);
      if (count === AFB_FMT && isRembFci(body.subarray(8))) return parseRemb(body);
      return parseGenericFeedback(206, count, body);
    case RtcpPacketType.XR:
      return parseExtendedReport(body);
    default:
      return { kind: 'unknown', packetType, count, body };
  }
}

/**
 * Parses a compound (RFC 3550 §6.1) or reduced-size (RFC 5506) RTCP packet into
 * its packets, in order. Bodies are views of `buf`. Unknown packet types are
 * kept as `kind: 'unknown'`. Throws ParseError on malformed input; the
 * compound rules (first packet SR/RR, SDES CNAME present) are not enforced here
 * so that reduced-size RTCP is accepted (see isFullCompound).
 */
export function parseRtcp(buf: Buffer): RtcpPacket[] {
  const out: RtcpPacket[] = [];
  let pos = 0;
  if (buf.length < 4) throw new ParseError(`RTCP packet of ${buf.length} bytes is shorter than a header`);
  while (pos < buf.length) {
    if (buf.length - pos < 4) throw new ParseError(`${buf.length - pos} trailing bytes after RTCP packet at offset ${pos}`);
    const b0 = buf[pos]!;
    if (b0 >> 6 !== 2) throw new ParseError(`RTCP version must be 2, got ${b0 >> 6} at offset ${pos}`);
    const packetType = buf[pos + 1]!;
    const end = pos + 4 + buf.readUInt16BE(pos + 2) * 4;
    if (end > buf.length) throw new ParseError(`RTCP packet type ${packetType} at offset ${pos} claims ${end - pos} bytes, ${buf.length - pos} left`);
    let bodyEnd = end;
    if (b0 & 0x20) {
      // RFC 3550 §6.4.1: the last octet counts padding octets, itself included.
      const pad = buf[end - 1]!;
      if (pad === 0 || pad > end - pos - 4) throw new ParseError(`RTCP padding length ${pad} invalid at offset ${pos}`);
      bodyEnd = end - pad;
    }
    try {
      out.push(parseOne(packetType, b0 & 0x1f, buf.subarray(pos + 4, bodyEnd)));
    } catch (e) {
      if (e instanceof ParseError) throw new ParseError(`RTCP packet type ${packetType} at offset ${pos}: ${e.message}`);
      throw e;
    }
    pos = end;
  }
  return out;
}

/** Like parseRtcp but returns undefined on malformed input (never throws), counting 'rtcpMalformed'. */
export function tryParseRtcp(buf: Buffer, counters?: Counters<'rtcpMalformed'>): RtcpPacket[] | undefined {
  try {
    return parseRtcp(buf);
  } catch {
    counters?.inc('rtcpMalformed');
    return undefined;
  }
}

function writeOne(p: RtcpPacket, w: ByteWriter): void {
  switch (p.kind) {
    case 'sr':
      return writeRtcpPacket(w, RtcpPacketType.SR, (w) => writeSenderReport(p, w));
    case 'rr':
      return writeRtcpPacket(w, RtcpPacketType.RR, (w) => writeReceiverReport(p, w));
    case 'sdes':
      return writeRtcpPacket(w, RtcpPacketType.SDES, (w) => writeSourceDescription(p, w));
    case 'bye':
      return writeRtcpPacket(w, RtcpPacketType.BYE, (w) => writeGoodbye(p, w));
    case 'app':
      return writeRtcpPacket(w, RtcpPacketType.APP, (w) => writeApplicationDefined(p, w));
    case 'nack':
      return writeRtcpPacket(w, RtcpPacketType.RTPFB, (w) => writeGenericNack(p, w));
    case 'twcc':
      return writeRtcpPacket(w, RtcpPacketType.RTPFB, (w) => writeTransportCc(p, w));
    case 'pli':
      return writeRtcpPacket(w, RtcpPacketType.PSFB, (w) => writePictureLossIndication(p, w));
    case 'fir':
      return writeRtcpPacket(w, RtcpPacketType.PSFB, (w) => writeFullIntraRequest(p, w));
    case 'remb':
      return writeRtcpPacket(w, RtcpPacketType.PSFB, (w) => writeRemb(p, w));
    case 'xr':
      return writeRtcpPacket(w, RtcpPacketType.XR, (w) => writeExtendedReport(p, w));
    case 'feedback':
      if (p.packetType !== 205 && p.packetType !== 206) throw new Error(`feedback packetType must be 205 or 206, got ${String(p.packetType)}`);
      return writeRtcpPacket(w, p.packetType, (w) => writeGenericFeedback(p, w));
    case 'unknown':
      checkUint('unknown RTCP packetType', p.packetType, 8);
      if (p.body.length % 4 !== 0) throw new Error(`unknown RTCP packet body must be a multiple of 4 bytes, got ${p.body.length}`);
      return writeRtcpPacket(w, p.packetType, (w) => {
        w.bytes(p.body);
        return p.count;
      });
    default: {
      const never: never = p;
      throw new Error(`unknown RTCP packet kind ${JSON.stringify((never as { kind: unknown }).kind)}`);
    }
  }
}

/**
 * Serializes packets back to back (a compound packet, or a single reduced-size
 * one). No RTCP padding is added; SRTCP needs none. Throws on invalid fields.
 */
export function serializeRtcp(packets: readonly RtcpPacket[]): Buffer {
  if (packets.length === 0) throw new Error('serializeRtcp needs at least one packet');
  const w = new ByteWriter(64 * packets.length);
  for (const p of packets) writeOne(p, w);
  return Buffer.from(w.finish());
}

/**
 * RFC 3550 §6.1: a full compound packet starts with SR or RR and carries an
 * SDES CNAME. RFC 5506 §3 allows reduced-size packets that do not.
 */
export function isFullCompound(packets: readonly RtcpPacket[]): boolean {
  if (packets.length === 0) return false;
  const first = packets[0]!.kind;
  if (first !== 'sr' && first !== 'rr') return false;
  return packets.some((p) => p.kind === 'sdes' && p.chunks.some((c) => c.items.some((i) => i.type === 1)));
}

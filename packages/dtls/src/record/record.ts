import { ContentType } from '../constants.js';

/** RFC 6347 §4.1: type(1) version(2) epoch(2) sequence_number(6) length(2). */
export const RECORD_HEADER_LENGTH = 13;
/** RFC 6347 §4.1 / RFC 5246 §6.2.3: a ciphertext fragment is at most 2^14 + 2048 bytes. */
export const MAX_RECORD_FRAGMENT = 16384 + 2048;
/** RFC 5246 §6.2.1: plaintext fragments are at most 2^14 bytes. */
export const MAX_PLAINTEXT = 16384;

export interface DtlsRecord {
  type: number;
  version: number;
  epoch: number;
  sequenceNumber: number;
  /** A view into the datagram. */
  fragment: Buffer;
}

export type RecordParseProblem = 'truncatedRecord' | 'badContentType' | 'badVersion' | 'oversizedRecord';

function knownType(type: number): boolean {
  return (
    type === ContentType.changeCipherSpec ||
    type === ContentType.alert ||
    type === ContentType.handshake ||
    type === ContentType.applicationData
  );
}

/**
 * Splits a datagram into records (RFC 6347 §4.1.1: several records may share a datagram; a record
 * never spans two). Parsing stops at the first malformed header, since the rest of the datagram can
 * no longer be framed; the problem is reported so the caller can count it.
 */
export function parseRecords(datagram: Buffer): { records: DtlsRecord[]; problem?: RecordParseProblem } {
  const records: DtlsRecord[] = [];
  let offset = 0;
  while (offset < datagram.length) {
    if (datagram.length - offset < RECORD_HEADER_LENGTH) return { records, problem: 'truncatedRecord' };
    const type = datagram[offset]!;
    const version = datagram.readUInt16BE(offset + 1);
    const epoch = datagram.readUInt16BE(offset + 3);
    const sequenceNumber = datagram.readUIntBE(offset + 5, 6);
    const length = datagram.readUInt16BE(offset + 11);
    if (!knownType(type)) return { records, problem: 'badContentType' };
    // Major version 254 is DTLS; minor 255 (1.0) may appear in an initial ClientHello record.
    if (version >> 8 !== 0xfe) return { records, problem: 'badVersion' };
    if (length > MAX_RECORD_FRAGMENT) return { records, problem: 'oversizedRecord' };
    const start = offset + RECORD_HEADER_LENGTH;
    if (start + length > datagram.length) return { records, problem: 'truncatedRecord' };
    records.push({ type, version, epoch, sequenceNumber, fragment: datagram.subarray(start, start + length) });
    offset = start + length;
  }
  return { records };
}

export function writeRecordHeader(type: number, version: number, epoch: number, seq: number, length: number): Buffer {
  const header = Buffer.alloc(RECORD_HEADER_LENGTH);
  header[0] = type;
  header.writeUInt16BE(version, 1);
  header.writeUInt16BE(epoch, 3);
  header.writeUIntBE(seq, 5, 6);
  header.writeUInt16BE(length, 11);
  return header;
}

/** RFC 7983 §7: a first byte in 20..63 demultiplexes to DTLS. */
export function isDtlsPacket(firstByte: number): boolean {
  return firstByte >= 20 && firstByte <= 63;
}

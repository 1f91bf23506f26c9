import { ParseError } from '@rivulet/common';
import type { RtpExtensionCodec } from './codec.js';

/**
 * RFC 8843 §15.1 (mid), RFC 8852 §3 (rid, repaired rid): the SDES item text as
 * the whole extension value, UTF-8 without terminator. RFC 8852 §3.3 restricts
 * rid to alphanumerics, '-' and '_'; we do not enforce it on input.
 */
export const sdesStringCodec: RtpExtensionCodec<string> = {
  parse(data: Buffer): string {
    if (data.length === 0) throw new ParseError('SDES string header extension is empty');
    // Some senders pad the value with NULs to fill the element; they are not part of the text.
    let end = data.length;
    while (end > 0 && data[end - 1] === 0) end--;
    return data.toString('utf8', 0, end);
  },
  serialize(value: string): Buffer {
    const b = Buffer.from(value, 'utf8');
    if (b.length < 1 || b.length > 255) throw new Error(`SDES string header extension must be 1..255 bytes, got ${b.length} (${JSON.stringify(value)})`);
    return b;
  },
};

import { ParseError } from '@rivulet/common';
import type { RtpExtensionCodec } from './codec.js';

/** draft-holmer-rmcat-transport-wide-cc-extensions-01 §2: 16-bit transport-wide sequence number. */
export const transportSequenceNumberCodec: RtpExtensionCodec<number> = {
  parse(data: Buffer): number {
    if (data.length !== 2) throw new ParseError(`transport-wide sequence number must be 2 bytes, got ${data.length}`);
    return (data[0]! << 8) | data[1]!;
  },
  serialize(value: number): Buffer {
    if (!Number.isInteger(value) || value < 0 || value > 0xffff) throw new Error(`transport-wide sequence number must be 0..65535, got ${value}`);
    return Buffer.from([value >>> 8, value & 0xff]);
  },
};

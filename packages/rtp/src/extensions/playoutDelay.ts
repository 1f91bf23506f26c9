import { ParseError } from '@rivulet/common';
import type { RtpExtensionCodec } from './codec.js';

/** playout-delay (webrtc.org experiment): 12-bit min and 12-bit max delay in 10 ms units. */
export interface PlayoutDelay {
  /** Minimum playout delay in ms (multiple of 10, 0..40950). */
  minMs: number;
  /** Maximum playout delay in ms (multiple of 10, 0..40950). */
  maxMs: number;
}

function units(what: string, ms: number): number {
  if (!Number.isInteger(ms) || ms < 0 || ms > 40950 || ms % 10 !== 0) {
    throw new Error(`playout delay ${what} must be a multiple of 10 ms in 0..40950, got ${ms}`);
  }
  return ms / 10;
}

export const playoutDelayCodec: RtpExtensionCodec<PlayoutDelay> = {
  parse(data: Buffer): PlayoutDelay {
    if (data.length !== 3) throw new ParseError(`playout delay must be 3 bytes, got ${data.length}`);
    const v = (data[0]! << 16) | (data[1]! << 8) | data[2]!;
    return { minMs: (v >>> 12) * 10, maxMs: (v & 0xfff) * 10 };
  },
  serialize(value: PlayoutDelay): Buffer {
    const min = units('minMs', value.minMs);
    const max = units('maxMs', value.maxMs);
    if (min > max) throw new Error(`playout delay minMs ${value.minMs} exceeds maxMs ${value.maxMs}`);
    const v = (min << 12) | max;
    return Buffer.from([v >>> 16, (v >>> 8) & 0xff, v & 0xff]);
  },
};

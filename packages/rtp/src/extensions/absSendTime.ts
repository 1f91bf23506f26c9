import { ParseError } from '@rivulet/common';
import type { RtpExtensionCodec } from './codec.js';

/**
 * abs-send-time (webrtc.org experiment): 24-bit send time in seconds as 6.18
 * fixed point, i.e. bits 14..37 of the 64-bit NTP timestamp; wraps every 64 s.
 * The value is the raw 24-bit number.
 */
export const absSendTimeCodec: RtpExtensionCodec<number> = {
  parse(data: Buffer): number {
    if (data.length !== 3) throw new ParseError(`abs-send-time must be 3 bytes, got ${data.length}`);
    return (data[0]! << 16) | (data[1]! << 8) | data[2]!;
  },
  serialize(value: number): Buffer {
    if (!Number.isInteger(value) || value < 0 || value > 0xffffff) throw new Error(`abs-send-time must be a 24-bit integer, got ${value}`);
    return Buffer.from([value >>> 16, (value >>> 8) & 0xff, value & 0xff]);
  },
};

/** 24-bit abs-send-time from a 64-bit NTP timestamp (drops the top 8 seconds bits and low 14 fraction bits). */
export function absSendTimeFromNtp(ntp: bigint): number {
  return Number((ntp >> 14n) & 0xffffffn);
}

/** 24-bit abs-send-time from milliseconds on any clock (only the value mod 64 s matters). */
export function absSendTimeFromMs(ms: number): number {
  return Math.floor((ms * 262144) / 1000) % 0x1000000;
}

/** abs-send-time to seconds in [0, 64). */
export function absSendTimeToSeconds(value: number): number {
  return value / 262144;
}

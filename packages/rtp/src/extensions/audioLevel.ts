import { ParseError } from '@rivulet/common';
import type { RtpExtensionCodec } from './codec.js';

/** RFC 6464 §3 client-to-mixer audio level. */
export interface AudioLevel {
  /** V flag: the encoder believes the packet contains voice. */
  voiceActivity: boolean;
  /** Level in -dBov, 0 (loudest) .. 127 (silence). */
  level: number;
}

export const audioLevelCodec: RtpExtensionCodec<AudioLevel> = {
  parse(data: Buffer): AudioLevel {
    // RFC 6464 §3: one byte in the one-byte form; the two-byte form may pad (§4 allows 1 byte + padding).
    if (data.length < 1) throw new ParseError('audio level extension is empty');
    return { voiceActivity: (data[0]! & 0x80) !== 0, level: data[0]! & 0x7f };
  },
  serialize(value: AudioLevel): Buffer {
    if (!Number.isInteger(value.level) || value.level < 0 || value.level > 127) throw new Error(`audio level must be 0..127 -dBov, got ${value.level}`);
    return Buffer.from([(value.voiceActivity ? 0x80 : 0) | value.level]);
  },
};

import { ParseError } from '@rivulet/common';
import type { RtpExtensionCodec } from './codec.js';

/** 3GPP TS 26.114 §7.4.5 CVO byte: 0 0 0 0 C F R1 R0. */
export interface VideoOrientation {
  /** C: true = back-facing camera, false = front-facing (or unknown). */
  backCamera: boolean;
  /** F: horizontal flip applied before sending. */
  flip: boolean;
  /** Rotation as sent, counter-clockwise degrees (R1R0: 0, 90, 180, 270). */
  rotation: 0 | 90 | 180 | 270;
}

const ROT = [0, 90, 180, 270] as const;

export const videoOrientationCodec: RtpExtensionCodec<VideoOrientation> = {
  parse(data: Buffer): VideoOrientation {
    if (data.length < 1) throw new ParseError('video orientation extension is empty');
    const b = data[0]!;
    return { backCamera: (b & 0x08) !== 0, flip: (b & 0x04) !== 0, rotation: ROT[b & 3]! };
  },
  serialize(value: VideoOrientation): Buffer {
    const r = ROT.indexOf(value.rotation);
    if (r < 0) throw new Error(`video orientation rotation must be 0, 90, 180 or 270, got ${String(value.rotation)}`);
    return Buffer.from([(value.backCamera ? 0x08 : 0) | (value.flip ? 0x04 : 0) | r]);
  },
};

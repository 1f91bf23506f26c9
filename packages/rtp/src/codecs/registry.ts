import { Av1Depayloader, Av1Payloader } from './av1.js';
import { G711Depayloader, G711Payloader } from './g711.js';
import { H264Depayloader } from './h264Depayloader.js';
import { H264Payloader } from './h264.js';
import { OpusDepayloader, OpusPayloader } from './opus.js';
import type { Depayloader, Payloader } from './types.js';
import { Vp8Depayloader, Vp8Payloader } from './vp8.js';
import { Vp9Depayloader, Vp9Payloader } from './vp9.js';

const NAMES = 'VP8, VP9, H264, AV1, opus, PCMU, PCMA';

/**
 * Picks a payloader by the SDP rtpmap encoding name (case-insensitive, e.g.
 * 'VP8', 'H264', 'AV1', 'opus', 'PCMU'). Throws for a codec we cannot payload.
 */
export function createPayloader(
  encodingName: string,
  options: { maxPayloadSize?: number; /** H.264 only (fmtp packetization-mode) */ packetizationMode?: 0 | 1 } = {},
): Payloader {
  switch (encodingName.toLowerCase()) {
    case 'vp8':
      return new Vp8Payloader({ maxPayloadSize: options.maxPayloadSize });
    case 'vp9':
      return new Vp9Payloader({ maxPayloadSize: options.maxPayloadSize });
    case 'h264':
      return new H264Payloader(options);
    case 'av1':
      return new Av1Payloader({ maxPayloadSize: options.maxPayloadSize });
    case 'opus':
      return new OpusPayloader({ maxPayloadSize: options.maxPayloadSize });
    case 'pcmu':
    case 'pcma':
      return new G711Payloader({ maxPayloadSize: options.maxPayloadSize });
    default:
      throw new Error(`createPayloader: no payloader for encoding '${encodingName}'; supported: ${NAMES}`);
  }
}

/** Picks a depayloader by the SDP rtpmap encoding name (case-insensitive). Throws for an unknown codec. */
export function createDepayloader(encodingName: string): Depayloader {
  switch (encodingName.toLowerCase()) {
    case 'vp8':
      return new Vp8Depayloader();
    case 'vp9':
      return new Vp9Depayloader();
    case 'h264':
      return new H264Depayloader();
    case 'av1':
      return new Av1Depayloader();
    case 'opus':
      return new OpusDepayloader();
    case 'pcmu':
      return new G711Depayloader('pcmu');
    case 'pcma':
      return new G711Depayloader('pcma');
    default:
      throw new Error(`createDepayloader: no depayloader for encoding '${encodingName}'; supported: ${NAMES}`);
  }
}

export type {
  RtpPayload,
  RtpPacketLike,
  Payloader,
  PacketInfo,
  DepayloadedFrame,
  DepayloadDropReason,
  Depayloader,
} from './types.js';
export { Vp8Payloader, Vp8Depayloader, parseVp8Descriptor, isVp8KeyframeData } from './vp8.js';
export type { Vp8Descriptor, Vp8PayloaderOptions } from './vp8.js';
export { Vp9Payloader, Vp9Depayloader, parseVp9Descriptor, parseVp9FrameHeader, superframeIndex } from './vp9.js';
export type { Vp9Descriptor, Vp9FrameHeader, Vp9PayloaderOptions } from './vp9.js';
export { H264Payloader } from './h264.js';
export type { H264PayloaderOptions, H264PayloaderEvent } from './h264.js';
export { H264Depayloader } from './h264Depayloader.js';
export type { H264DepayloaderOptions } from './h264Depayloader.js';
export { H264NalType, h264NalType, isH264Vcl, splitAnnexB, joinAnnexB } from './h264Nal.js';
export { Av1Payloader, Av1Depayloader, parseAv1Packet } from './av1.js';
export type { Av1PayloaderOptions, Av1PayloaderEvent, Av1DepayloaderOptions } from './av1.js';
export { Av1ObuType, splitAv1Obus, av1StartsCodedVideoSequence } from './av1Obu.js';
export type { Av1Obu } from './av1Obu.js';
export { OpusPayloader, OpusDepayloader } from './opus.js';
export type { OpusPayloaderOptions } from './opus.js';
export { G711Payloader, G711Depayloader, G711Framer, G711_CLOCK_RATE } from './g711.js';
export type { G711PayloaderOptions, G711Frame } from './g711.js';
export { createDepayloader, createPayloader } from './registry.js';
export { isKeyframe } from './keyframes.js';
export * from './containers/index.js';

// Each area has its own index; this file only gathers them.
export * from './rtp/index.js';
export * from './rtcp/index.js';
export * from './extensions/index.js';
export * from './codecs/index.js';
export * from './jitter/index.js';
export * from './interceptors/index.js';
// Black video frames for disabled tracks (no encoder needed).
export { BoolEncoder, BoolDecoder } from './codecs/boolEncoder.js';
export type { Vp8Prob, Vp8Tree } from './codecs/boolEncoder.js';
export { BitWriter, h264NalUnit } from './codecs/bitWriter.js';
export { vp8BlackKeyframe, vp8BlackInterframe, vp8KeyframeSize, VP8_MAX_DIMENSION } from './codecs/vp8/blackFrame.js';
export type { Vp8BlackFrameOptions } from './codecs/vp8/blackFrame.js';
export { H264BlackFrames, H264_BLACK_MAX_DIMENSION } from './codecs/h264/blackFrame.js';
export type { H264BlackFrameOptions } from './codecs/h264/blackFrame.js';
export { h264SpsSize, h264AccessUnitSize } from './codecs/h264/spsSize.js';

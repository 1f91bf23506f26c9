export { AnnexBSplitter, H264AccessUnitSplitter } from './annexB.js';
export type { AnnexBDropReason, H264AccessUnit } from './annexB.js';
export { IvfReader, ivfPtsToRtp } from './ivf.js';
export type { IvfHeader, IvfFrame, IvfDropReason } from './ivf.js';
export { OggPageReader, OggOpusReader, oggCrc32, opusPacketSamples } from './ogg.js';
export type { OggPage, OggDropReason, OpusHead, OggOpusPacket } from './ogg.js';

export { findFfmpeg, requireFfmpeg } from './ffmpeg/locate.js';
export { FfmpegProcess, type FfmpegProcessEvents } from './ffmpeg/process.js';
export { inputArgs, type MediaInput, type TestPatternInput, type FileInput, type RtspInput, type V4l2Input, type AlsaInput, type InputArgs } from './sources/inputs.js';
export { containerOf, videoOutputArgs, audioOutputArgs, type VideoEncoding, type AudioEncoding, type VideoCodecName, type AudioCodecName } from './sources/encodings.js';
export { enumerateDevices, TEST_PATTERN_DEVICE_ID, type MediaDeviceInfo, type EnumerateOptions } from './devices/enumerate.js';
export type { EncodedFrame } from './sources/encodedFrame.js';
export { createFrameReader, type FrameReader } from './sources/frameReaders.js';
export { FfmpegSource, type FfmpegSourceOptions, type FfmpegSourceEvents } from './sources/ffmpegSource.js';
export { getUserMedia, stopUserMedia, type UserMediaConstraints, type VideoConstraints, type AudioConstraints } from './getUserMedia.js';

// Each area has its own index; this file only gathers them.
export * from './rtp/index.js';
export * from './rtcp/index.js';
export * from './extensions/index.js';
export * from './codecs/index.js';
export * from './jitter/index.js';
export * from './interceptors/index.js';

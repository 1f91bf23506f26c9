export * from './headerExtensionBlock.js';
export * from './rtpPacket.js';
export * from './rewrite.js';
export * from './rtx.js';
export * from './demux.js';

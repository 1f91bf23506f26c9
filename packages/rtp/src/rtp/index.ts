export {
  type RtpHeaderExtension,
  ONE_BYTE_PROFILE,
  TWO_BYTE_PROFILE,
  isOneByteProfile,
  isTwoByteProfile,
} from './headerExtensionBlock.js';
export * from './rtpPacket.js';
export * from './rewrite.js';
export * from './rtx.js';
export * from './demux.js';

export { SctpAssociation, type AssociationState, type AssociationEvents, type AssociationStats, type DropReason } from './association.js';
export { DEFAULT_RTO, type SctpAssociationOptions } from './options.js';
export type { RtoConfig } from './congestion.js';
export type { SendOptions } from './sender.js';
export {
  DataChannelManager,
  LOCAL_MAX_MESSAGE_SIZE,
  type DataChannelInit,
  type DataChannelManagerOptions,
  type DataChannelManagerEvents,
  type DcepDropReason,
} from './channelManager.js';
export { SctpDataChannel, type DataChannelState, type DataChannelEvents } from './dataChannel.js';
export { Ppid, ChannelType, parseDcep, serializeDcep, type ChannelPriority, type DcepMessage, type DataChannelOpen } from './dcep.js';
export { crc32c, sctpChecksum } from './crc32c.js';
export { parsePacket, serializePacket, verifyChecksum, type ParsedPacket, type PacketHeader } from './packet.js';
export { parseChunk, serializeChunk } from './chunks/chunk.js';
export * from './chunks/types.js';
export { plpmtuCap, BASE_PLPMTU, DTLS_MAX_PLAINTEXT, DEFAULT_PEER_MAX_DATAGRAM, type PathCapInput } from './pmtu/cap.js';
export type { PlpmtudState, PlpmtudStats } from './pmtu/plpmtud.js';
export type { PlpmtudOptions } from './options.js';

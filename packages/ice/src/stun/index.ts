// STUN (RFC 8489 / RFC 5389): codec, integrity, transactions and a binding server.
export * from './constants.js';
export { StunMessage, encodeMessageType, decodeMessageType, type StunAttribute } from './message.js';
export {
  attr,
  ipToBytes,
  bytesToIp,
  encodeAddress,
  decodeAddress,
  encodeXorAddress,
  decodeXorAddress,
  encodeErrorCode,
  decodeErrorCode,
  encodeUnknownAttributes,
  decodeUnknownAttributes,
} from './attributes.js';
export { saslprep } from './saslprep.js';
export {
  shortTermKey,
  longTermKey,
  encodeStun,
  verifyIntegrity,
  verifyIntegritySha256,
  verifyFingerprint,
  type EncodeOptions,
} from './integrity.js';
export { parseStun, isStunMessage, stunCounters, type StunDropReason } from './safe.js';
export {
  StunClientTransaction,
  StunTransactionTable,
  StunTimeoutError,
  StunCancelledError,
  DEFAULT_RTO_MS,
  DEFAULT_RC,
  DEFAULT_RM,
  type TransactionOptions,
} from './transaction.js';
export { StunBindingServer, type StunServerCounter } from './server.js';

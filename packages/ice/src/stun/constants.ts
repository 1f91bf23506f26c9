/**
 * STUN wire constants (RFC 8489 §5, §18; TURN RFC 8656 §18; ICE RFC 8445 §16).
 * Numbers are facts from the IANA STUN registries.
 */

/** RFC 8489 §5: fixed value in bytes 4..7 of every RFC 5389+ message. */
export const MAGIC_COOKIE = 0x2112a442;
export const HEADER_LENGTH = 20;
export const TRANSACTION_ID_LENGTH = 12;

/** The two class bits C1 C0 (RFC 8489 §5). */
export const StunClass = {
  Request: 0,
  Indication: 1,
  SuccessResponse: 2,
  ErrorResponse: 3,
} as const;
export type StunClass = (typeof StunClass)[keyof typeof StunClass];

/** Methods: Binding (RFC 8489) and the TURN methods (RFC 8656 §18, RFC 6062). */
export const StunMethod = {
  Binding: 0x001,
  Allocate: 0x003,
  Refresh: 0x004,
  Send: 0x006,
  Data: 0x007,
  CreatePermission: 0x008,
  ChannelBind: 0x009,
  Connect: 0x00a,
  ConnectionBind: 0x00b,
  ConnectionAttempt: 0x00c,
} as const;
export type StunMethod = (typeof StunMethod)[keyof typeof StunMethod];

/** Attribute types. 0x0000–0x7FFF are comprehension-required (RFC 8489 §14). */
export const StunAttr = {
  MappedAddress: 0x0001,
  Username: 0x0006,
  MessageIntegrity: 0x0008,
  ErrorCode: 0x0009,
  UnknownAttributes: 0x000a,
  ChannelNumber: 0x000c,
  Lifetime: 0x000d,
  XorPeerAddress: 0x0012,
  Data: 0x0013,
  Realm: 0x0014,
  Nonce: 0x0015,
  XorRelayedAddress: 0x0016,
  RequestedAddressFamily: 0x0017,
  EvenPort: 0x0018,
  RequestedTransport: 0x0019,
  DontFragment: 0x001a,
  MessageIntegritySha256: 0x001c,
  PasswordAlgorithm: 0x001d,
  Userhash: 0x001e,
  XorMappedAddress: 0x0020,
  ReservationToken: 0x0022,
  Priority: 0x0024,
  UseCandidate: 0x0025,
  ConnectionId: 0x002a,
  // comprehension-optional
  AdditionalAddressFamily: 0x8000,
  AddressErrorCode: 0x8001,
  PasswordAlgorithms: 0x8002,
  AlternateDomain: 0x8003,
  Software: 0x8022,
  AlternateServer: 0x8023,
  Fingerprint: 0x8028,
  IceControlled: 0x8029,
  IceControlling: 0x802a,
} as const;
export type StunAttr = (typeof StunAttr)[keyof typeof StunAttr];

/** RFC 8489 §14: types below 0x8000 must be understood or the request rejected with 420. */
export function isComprehensionRequired(type: number): boolean {
  return type < 0x8000;
}

const KNOWN_ATTRIBUTES: ReadonlySet<number> = new Set(Object.values(StunAttr));

/** Whether this codec knows the attribute type (for 420 Unknown Attribute decisions). */
export function isKnownAttribute(type: number): boolean {
  return KNOWN_ATTRIBUTES.has(type);
}

/** RFC 8489 §14.8 / RFC 8445 §7.3.1.1 / RFC 8656 §18 error codes used by ICE and TURN. */
export const StunErrorCode = {
  TryAlternate: 300,
  BadRequest: 400,
  Unauthorized: 401,
  Forbidden: 403,
  UnknownAttribute: 420,
  AllocationMismatch: 437,
  StaleNonce: 438,
  AddressFamilyNotSupported: 440,
  WrongCredentials: 441,
  UnsupportedTransportProtocol: 442,
  PeerAddressFamilyMismatch: 443,
  AllocationQuotaReached: 486,
  RoleConflict: 487,
  ServerError: 500,
  InsufficientCapacity: 508,
} as const;

/** RFC 8489 §14.7: FINGERPRINT is CRC-32 XOR this constant ("STUN"). */
export const FINGERPRINT_XOR = 0x5354554e;

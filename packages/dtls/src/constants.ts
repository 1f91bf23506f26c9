/**
 * Wire constants of DTLS 1.2 (RFC 6347 over RFC 5246) and the extensions we
 * speak. These are registry values (IANA TLS parameters), not policy.
 */

/** RFC 6347 §4.1: DTLS 1.2 is {254, 253}; DTLS 1.0 is {254, 255}. */
export const DTLS_1_2 = 0xfefd;
export const DTLS_1_0 = 0xfeff;

/** RFC 5246 §6.2.1 ContentType. */
export const ContentType = {
  changeCipherSpec: 20,
  alert: 21,
  handshake: 22,
  applicationData: 23,
} as const;

/** RFC 5246 §7.4 / RFC 6347 §4.3.2 HandshakeType. */
export const HandshakeType = {
  helloRequest: 0,
  clientHello: 1,
  serverHello: 2,
  helloVerifyRequest: 3,
  certificate: 11,
  serverKeyExchange: 12,
  certificateRequest: 13,
  serverHelloDone: 14,
  certificateVerify: 15,
  clientKeyExchange: 16,
  finished: 20,
} as const;

export function handshakeTypeName(type: number): string {
  for (const [name, value] of Object.entries(HandshakeType)) if (value === type) return name;
  return `unknown(${type})`;
}

/** RFC 5246 §7.2 AlertLevel and AlertDescription (plus RFC 5746/7627 use). */
export const AlertLevel = { warning: 1, fatal: 2 } as const;
export const AlertDescription = {
  closeNotify: 0,
  unexpectedMessage: 10,
  badRecordMac: 20,
  handshakeFailure: 40,
  badCertificate: 42,
  unsupportedCertificate: 43,
  certificateExpired: 45,
  illegalParameter: 47,
  decodeError: 50,
  decryptError: 51,
  protocolVersion: 70,
  insufficientSecurity: 71,
  internalError: 80,
  userCanceled: 90,
  noRenegotiation: 100,
  unsupportedExtension: 110,
} as const;

export function alertName(code: number): string {
  for (const [name, value] of Object.entries(AlertDescription)) if (value === code) return name;
  return `alert(${code})`;
}

/** IANA ExtensionType values. */
export const ExtensionType = {
  serverName: 0,
  supportedGroups: 10,
  ecPointFormats: 11,
  signatureAlgorithms: 13,
  useSrtp: 14,
  encryptThenMac: 22,
  extendedMasterSecret: 23,
  sessionTicket: 35,
  /** RFC 8446 §4.2.1; a DTLS 1.3-capable client lists 0xfefc (DTLS 1.3) and 0xfefd here. */
  supportedVersions: 43,
  /** RFC 8446 §4.2.8 (TLS 1.3 only: a 1.2 server ignores it and never echoes it). */
  keyShare: 51,
  /** RFC 8446 §4.2.9 (TLS 1.3 only). */
  pskKeyExchangeModes: 45,
  renegotiationInfo: 0xff01,
} as const;

/** RFC 9147 §5.3: the DTLS 1.3 version number (only recognised in supported_versions; we speak 1.2). */
export const DTLS_1_3 = 0xfefc;

/** RFC 5746 §3.3: the signalling cipher suite value, equivalent to an empty renegotiation_info. */
export const TLS_EMPTY_RENEGOTIATION_INFO_SCSV = 0x00ff;

/** IANA NamedGroup (RFC 8422 §5.1.1, RFC 7748). */
export const NamedGroup = { secp256r1: 23, secp384r1: 24, x25519: 29 } as const;
export type NamedGroupId = (typeof NamedGroup)[keyof typeof NamedGroup];

/** RFC 8422 §5.4 ECCurveType.named_curve. */
export const EC_CURVE_TYPE_NAMED = 3;
/** RFC 8422 §5.1.2 ECPointFormat.uncompressed. */
export const EC_POINT_FORMAT_UNCOMPRESSED = 0;

/** RFC 5246 §7.4.4 ClientCertificateType. */
export const ClientCertificateType = { rsaSign: 1, ecdsaSign: 64 } as const;

/** RFC 5764 §4.1.2 and RFC 7714 §14.2 SRTP protection profiles. */
export const SrtpProfile = {
  SRTP_AES128_CM_HMAC_SHA1_80: 0x0001,
  SRTP_AES128_CM_HMAC_SHA1_32: 0x0002,
  SRTP_AEAD_AES_128_GCM: 0x0007,
  SRTP_AEAD_AES_256_GCM: 0x0008,
} as const;

/** Master key and salt lengths per profile (RFC 5764 §4.1.2, RFC 7714 §12). */
export const SRTP_PROFILE_KEY_LENGTHS: Readonly<Record<number, { keyLength: number; saltLength: number }>> = {
  0x0001: { keyLength: 16, saltLength: 14 },
  0x0002: { keyLength: 16, saltLength: 14 },
  0x0007: { keyLength: 16, saltLength: 12 },
  0x0008: { keyLength: 32, saltLength: 12 },
};

/** Our default offer/preference: AEAD profiles first (cheaper per packet), then the mandatory _80. */
export const DEFAULT_SRTP_PROFILES: readonly number[] = [0x0007, 0x0008, 0x0001, 0x0002];

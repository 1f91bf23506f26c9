/**
 * SRTP protection profiles: their DTLS-SRTP ids (RFC 5764 §4.1.2, RFC 7714 §14.2),
 * key/salt/tag sizes, and the split of the DTLS exporter output (RFC 5764 §4.2).
 */

export type SrtpProfile =
  | 'AES_CM_128_HMAC_SHA1_80'
  | 'AES_CM_128_HMAC_SHA1_32'
  | 'AEAD_AES_128_GCM'
  | 'AEAD_AES_256_GCM'
  /** RFC 6188 §3. No DTLS-SRTP id is registered for it; usable with keys from elsewhere (SDES). */
  | 'AES_256_CM_HMAC_SHA1_80';

export const SRTP_PROFILES: readonly SrtpProfile[] = [
  'AES_CM_128_HMAC_SHA1_80',
  'AES_CM_128_HMAC_SHA1_32',
  'AEAD_AES_128_GCM',
  'AEAD_AES_256_GCM',
  'AES_256_CM_HMAC_SHA1_80',
];

export interface SrtpProfileParams {
  /** 'cm' = AES counter mode + HMAC-SHA1 (RFC 3711); 'gcm' = AEAD AES-GCM (RFC 7714). */
  readonly kind: 'cm' | 'gcm';
  /** Master key and session encryption key length, bytes. */
  readonly keyLength: number;
  /** Master salt length: 14 for AES-CM (RFC 3711 §8.2), 12 for GCM (RFC 7714 §12). */
  readonly saltLength: number;
  /** SRTP authentication tag length, bytes (HMAC truncation, or the GCM tag). */
  readonly rtpTagLength: number;
  /** SRTCP tag length: 10 even for the _32 profile (RFC 5764 §4.1.2). */
  readonly rtcpTagLength: number;
  /** HMAC-SHA1 session auth key length (RFC 3711 §8.2: 160 bits); 0 for GCM. */
  readonly authKeyLength: number;
  /** OpenSSL cipher name used by node:crypto. */
  readonly cipher: string;
  /** DTLS-SRTP SRTPProtectionProfile value, or undefined when none is registered. */
  readonly dtlsId: number | undefined;
}

const PARAMS: Record<SrtpProfile, SrtpProfileParams> = {
  AES_CM_128_HMAC_SHA1_80: {
    kind: 'cm', keyLength: 16, saltLength: 14, rtpTagLength: 10, rtcpTagLength: 10,
    authKeyLength: 20, cipher: 'aes-128-ecb', dtlsId: 0x0001,
  },
  AES_CM_128_HMAC_SHA1_32: {
    kind: 'cm', keyLength: 16, saltLength: 14, rtpTagLength: 4, rtcpTagLength: 10,
    authKeyLength: 20, cipher: 'aes-128-ecb', dtlsId: 0x0002,
  },
  AEAD_AES_128_GCM: {
    kind: 'gcm', keyLength: 16, saltLength: 12, rtpTagLength: 16, rtcpTagLength: 16,
    authKeyLength: 0, cipher: 'aes-128-gcm', dtlsId: 0x0007,
  },
  AEAD_AES_256_GCM: {
    kind: 'gcm', keyLength: 32, saltLength: 12, rtpTagLength: 16, rtcpTagLength: 16,
    authKeyLength: 0, cipher: 'aes-256-gcm', dtlsId: 0x0008,
  },
  AES_256_CM_HMAC_SHA1_80: {
    kind: 'cm', keyLength: 32, saltLength: 14, rtpTagLength: 10, rtcpTagLength: 10,
    authKeyLength: 20, cipher: 'aes-256-ecb', dtlsId: undefined,
  },
};

/** Sizes and cipher of a profile; throws for an unknown profile name. */
export function profileParams(profile: SrtpProfile): SrtpProfileParams {
  const p = (PARAMS as Record<string, SrtpProfileParams | undefined>)[profile];
  if (p === undefined) {
    throw new Error(`unknown SRTP profile ${JSON.stringify(profile)}; expected one of ${SRTP_PROFILES.join(', ')}`);
  }
  return p;
}

/** Map a use_srtp SRTPProtectionProfile id to our profile name; undefined when we do not support it. */
export function srtpProfileFromDtlsId(id: number): SrtpProfile | undefined {
  for (const name of SRTP_PROFILES) {
    if (PARAMS[name].dtlsId === id) return name;
  }
  return undefined;
}

/** The use_srtp SRTPProtectionProfile id of a profile (RFC 5764 §4.1.2, RFC 7714 §14.2). */
export function dtlsIdOf(profile: SrtpProfile): number {
  const id = profileParams(profile).dtlsId;
  if (id === undefined) {
    throw new Error(`SRTP profile ${profile} has no registered DTLS-SRTP protection profile id; it cannot be negotiated with use_srtp`);
  }
  return id;
}

/** Bytes to request from the DTLS exporter: 2 × (key + salt) (RFC 5764 §4.2). */
export function keyingMaterialLength(profile: SrtpProfile): number {
  const p = profileParams(profile);
  return 2 * (p.keyLength + p.saltLength);
}

export interface SrtpKeyingMaterial {
  localKey: Buffer;
  localSalt: Buffer;
  remoteKey: Buffer;
  remoteSalt: Buffer;
}

/**
 * RFC 5764 §4.2: the exporter output is client_key ‖ server_key ‖ client_salt ‖ server_salt.
 * The client protects with the client half, the server with the server half.
 */
export function splitDtlsSrtpKeyingMaterial(
  material: Buffer,
  profile: SrtpProfile,
  role: 'client' | 'server',
): SrtpKeyingMaterial {
  const p = profileParams(profile);
  const need = 2 * (p.keyLength + p.saltLength);
  if (material.length !== need) {
    throw new Error(`DTLS-SRTP keying material for ${profile} must be ${need} bytes, got ${material.length}`);
  }
  if (role !== 'client' && role !== 'server') {
    throw new Error(`role must be 'client' or 'server', got ${JSON.stringify(role)}`);
  }
  const k = p.keyLength;
  const s = p.saltLength;
  const clientKey = Buffer.from(material.subarray(0, k));
  const serverKey = Buffer.from(material.subarray(k, 2 * k));
  const clientSalt = Buffer.from(material.subarray(2 * k, 2 * k + s));
  const serverSalt = Buffer.from(material.subarray(2 * k + s, 2 * k + 2 * s));
  return role === 'client'
    ? { localKey: clientKey, localSalt: clientSalt, remoteKey: serverKey, remoteSalt: serverSalt }
    : { localKey: serverKey, localSalt: serverSalt, remoteKey: clientKey, remoteSalt: clientSalt };
}

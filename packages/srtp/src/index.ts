export {
  type SrtpProfile,
  type SrtpProfileParams,
  type SrtpKeyingMaterial,
  SRTP_PROFILES,
  profileParams,
  srtpProfileFromDtlsId,
  dtlsIdOf,
  keyingMaterialLength,
  splitDtlsSrtpKeyingMaterial,
} from './profiles.js';
export { type SrtpSessionKeys, KDF_LABEL, srtpKdf, deriveSessionKeys } from './kdf.js';
export { AesCmKeystream, setSrtpIv, xorInPlace } from './keystream.js';
export { SrtpKeystreamCache } from './keystreamCache.js';
export { HmacSha1, HMAC_HEADROOM } from './hmacSha1.js';
export { type SrtpCipher, SRTCP_E_FLAG } from './cipher.js';
export { AesCmHmacCipher } from './cmCipher.js';
export { AesGcmCipher } from './gcmCipher.js';
export { createSrtpCipher } from './ciphers.js';
export { ReplayWindow, type ReplayVerdict, DEFAULT_REPLAY_WINDOW, MAX_REPLAY_WINDOW } from './replay.js';
export { RolloverState } from './rollover.js';
export { SrtpStats, type SrtpDropReason } from './stats.js';
export { SrtpContext, type SrtpContextOptions } from './srtpContext.js';
export { SrtcpContext, type SrtcpContextOptions } from './srtcpContext.js';
export { SrtpSession, type SrtpSessionOptions } from './session.js';

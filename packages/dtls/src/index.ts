export { DtlsEndpoint, type DtlsState, type DtlsEndpointEvents } from './endpoint.js';
export type { SrtpKeyingMaterial } from './keying.js';
export type { DtlsEndpointOptions } from './options.js';
export {
  generateCertificate,
  loadCertificate,
  computeFingerprint,
  fingerprintMatches,
  type DtlsCertificate,
  type CertificateFingerprint,
  type FingerprintAlgorithm,
  type GenerateCertificateOptions,
} from './certificate.js';
export { isDtlsPacket } from './record/record.js';
export { CipherSuite, cipherSuiteName, DEFAULT_CIPHER_SUITES } from './crypto/cipherSuites.js';
export { SignatureScheme } from './crypto/signature.js';
export { SrtpProfile, DEFAULT_SRTP_PROFILES, SRTP_PROFILE_KEY_LENGTHS, NamedGroup, AlertDescription } from './constants.js';
export { DtlsAlertError, DtlsPeerAlertError } from './errors.js';
export { prf, masterSecret, extendedMasterSecret, keyBlock, verifyData, exportKeyingMaterial } from './crypto/prf.js';

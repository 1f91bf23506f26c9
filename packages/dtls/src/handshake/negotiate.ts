import { AlertDescription, DTLS_1_2, ExtensionType, NamedGroup, TLS_EMPTY_RENEGOTIATION_INFO_SCSV, type NamedGroupId } from '../constants.js';
import { cipherSuiteInfo, cipherSuiteName, type CipherSuiteInfo } from '../crypto/cipherSuites.js';
import { DEFAULT_GROUPS } from '../crypto/keyExchange.js';
import { chooseSignatureScheme, keyKind } from '../crypto/signature.js';
import { DtlsAlertError } from '../errors.js';
import type { HandshakeConfig } from './context.js';
import {
  decodeSupportedVersions,
  decodeU16List,
  decodeUseSrtp,
  encodeEmptyRenegotiationInfo,
  encodePointFormats,
  encodeUseSrtp,
  isEmptyRenegotiationInfo,
  pointFormatsIncludeUncompressed,
  type Extensions,
} from './extensions.js';
import type { ClientHello } from './messages.js';

/** What the server chose from a ClientHello, and the extensions its ServerHello carries. */
export interface Negotiated {
  suite: CipherSuiteInfo;
  group: NamedGroupId;
  scheme: number;
  ems: boolean;
  srtpProfile: number | undefined;
  serverExtensions: Extensions;
}

function chooseSuite(cfg: HandshakeConfig, offered: number[]): CipherSuiteInfo {
  const kind = keyKind(cfg.certificate.privateKey);
  for (const id of cfg.cipherSuites) {
    const info = cipherSuiteInfo(id);
    if (info && offered.includes(id) && (info.authentication === 'ecdsa' ? 'ec' : 'rsa') === kind) return info;
  }
  throw new DtlsAlertError(
    AlertDescription.handshakeFailure,
    `no common cipher suite: client offered [${offered.map(cipherSuiteName).join(', ')}], we accept [${cfg.cipherSuites
      .map(cipherSuiteName)
      .join(', ')}] with a ${kind} certificate`,
  );
}

/**
 * RFC 8446 §4.2.1 / RFC 9147 §5.3: a client that also speaks DTLS 1.3 lists its versions in
 * supported_versions (legacy_version stays 0xfefd). We implement only 1.2: accept it when listed,
 * ignore 1.3 and GREASE entries, and answer with a plain 1.2 ServerHello. The RFC 8446 §4.1.3
 * downgrade sentinel is for servers that support 1.3 as well, so we never set it.
 */
function checkVersions(hello: ClientHello): void {
  // DTLS versions count down: 0xfefd (1.2) < 0xfeff (1.0). A client offering only 1.0 is refused.
  if (hello.version > DTLS_1_2) {
    throw new DtlsAlertError(AlertDescription.protocolVersion, `client offers DTLS version 0x${hello.version.toString(16)}; we require DTLS 1.2`);
  }
  const versionsData = hello.extensions.get(ExtensionType.supportedVersions);
  if (!versionsData) return;
  const versions = decodeSupportedVersions(versionsData);
  if (!versions.includes(DTLS_1_2)) {
    throw new DtlsAlertError(
      AlertDescription.protocolVersion,
      `client's supported_versions [${versions.map((v) => '0x' + v.toString(16)).join(', ')}] does not include DTLS 1.2 (0xfefd)`,
    );
  }
}

/**
 * The server's choices for one ClientHello (RFC 5246 §7.4.1.2–4, RFC 8422 §5.1, RFC 5764 §4.1.3,
 * RFC 7627, RFC 5746). Anything we do not implement — TLS 1.3 suites, key_share, psk modes,
 * unknown groups such as X25519MLKEM768, GREASE (RFC 8701) — is ignored, and the answer only
 * carries 1.2 extensions that the client offered. Throws DtlsAlertError when there is no overlap.
 */
export function negotiateClientHello(cfg: HandshakeConfig, hello: ClientHello): Negotiated {
  checkVersions(hello);
  if (!hello.compressionMethods.includes(0)) {
    throw new DtlsAlertError(AlertDescription.illegalParameter, 'ClientHello does not offer null compression');
  }
  const suite = chooseSuite(cfg, hello.cipherSuites);
  const ext = hello.extensions;
  const groupsData = ext.get(ExtensionType.supportedGroups);
  const clientGroups = groupsData ? decodeU16List(groupsData, 'supported_groups') : [NamedGroup.secp256r1];
  const group = DEFAULT_GROUPS.find((g) => clientGroups.includes(g));
  if (group === undefined) {
    throw new DtlsAlertError(AlertDescription.handshakeFailure, `no common ECDHE group: client offered [${clientGroups.join(', ')}], we support [${DEFAULT_GROUPS.join(', ')}]`);
  }
  const formats = ext.get(ExtensionType.ecPointFormats);
  if (formats && !pointFormatsIncludeUncompressed(formats)) {
    throw new DtlsAlertError(AlertDescription.illegalParameter, 'client does not accept uncompressed EC points (RFC 8422 §5.1.2)');
  }
  const sigData = ext.get(ExtensionType.signatureAlgorithms);
  const clientSchemes = sigData ? decodeU16List(sigData, 'signature_algorithms') : undefined;
  const scheme = chooseSignatureScheme(cfg.certificate.privateKey, clientSchemes);
  if (scheme === undefined) {
    throw new DtlsAlertError(AlertDescription.handshakeFailure, `client accepts none of the signature schemes our certificate key can make`);
  }
  const ems = ext.has(ExtensionType.extendedMasterSecret);
  if (!ems && cfg.requireExtendedMasterSecret) {
    throw new DtlsAlertError(AlertDescription.handshakeFailure, 'client does not offer extended_master_secret (RFC 7627), which we require');
  }
  const reneg = ext.get(ExtensionType.renegotiationInfo);
  if (reneg && !isEmptyRenegotiationInfo(reneg)) {
    throw new DtlsAlertError(AlertDescription.handshakeFailure, 'renegotiation_info in an initial ClientHello is not empty (RFC 5746 §3.6)');
  }
  const secureRenegotiation = reneg !== undefined || hello.cipherSuites.includes(TLS_EMPTY_RENEGOTIATION_INFO_SCSV);
  let srtpProfile: number | undefined;
  const srtpData = ext.get(ExtensionType.useSrtp);
  if (srtpData && cfg.srtpProfiles.length > 0) {
    const offered = decodeUseSrtp(srtpData).profiles;
    // RFC 5764 §4.1.3: the server picks one; no overlap means no extension in the answer.
    srtpProfile = cfg.srtpProfiles.find((p) => offered.includes(p));
  }

  const serverExtensions: Extensions = new Map();
  if (secureRenegotiation) serverExtensions.set(ExtensionType.renegotiationInfo, encodeEmptyRenegotiationInfo());
  if (ems) serverExtensions.set(ExtensionType.extendedMasterSecret, Buffer.alloc(0));
  if (formats) serverExtensions.set(ExtensionType.ecPointFormats, encodePointFormats());
  if (srtpProfile !== undefined) serverExtensions.set(ExtensionType.useSrtp, encodeUseSrtp([srtpProfile]));
  return { suite, group, scheme, ems, srtpProfile, serverExtensions };
}

import { ByteWriter } from '@rivulet/common';
import { DTLS_1_2, DTLS_1_3, ExtensionType, NamedGroup } from '../../src/constants.js';
import { encodeSupportedVersions, encodeU16List, type Extensions } from '../../src/handshake/extensions.js';
import type { ClientHello } from '../../src/handshake/messages.js';

/** RFC 8701 GREASE values (0x0a0a, 0x1a1a, … 0xfafa). */
export const GREASE = [0x0a0a, 0x3a3a, 0x4a4a, 0x6a6a, 0x8a8a, 0xdada];
/** draft-ietf-tls-ecdhe-mlkem: X25519MLKEM768, a hybrid group we do not implement. */
export const X25519_MLKEM768 = 0x11ec;
/** Its client key share: ML-KEM-768 encapsulation key (1184 bytes) ‖ X25519 share (32 bytes). */
const MLKEM_SHARE_LENGTH = 1216;

/** RFC 8446 §4.2.8 KeyShareClientHello: client_shares<0..2^16-1> of { group, key_exchange<1..2^16-1> }. */
function keyShare(entries: [number, Buffer][]): Buffer {
  const w = new ByteWriter();
  w.u16(0);
  for (const [group, key] of entries) w.u16(group).u16(key.length).bytes(key);
  w.patchU16(0, w.length - 2);
  return w.finish();
}

function deterministicBytes(length: number, salt: number): Buffer {
  const b = Buffer.alloc(length);
  for (let i = 0; i < length; i++) b[i] = (i * 131 + salt * 17 + 7) & 0xff;
  return b;
}

export interface ModernHelloOptions {
  /** supported_groups, GREASE and the hybrid group first (default: Chromium's order). */
  groups?: number[];
  /** supported_versions (default GREASE, DTLS 1.3, DTLS 1.2). */
  versions?: number[];
}

/**
 * Rewrites our client's ClientHello to look like a 2026 Chromium/BoringSSL one offering DTLS 1.3:
 * GREASE cipher suites and extensions (RFC 8701), TLS 1.3 suites, supported_versions with 1.3 and
 * 1.2, a key_share with a large X25519MLKEM768 entry (so the hello exceeds 1200 bytes and must be
 * fragmented), psk_key_exchange_modes. It keeps what our client needs (use_srtp, EMS, our suites)
 * and is deterministic, as the cookie-bearing repeat must be identical apart from the cookie.
 */
export function chromiumLikeHello(options: ModernHelloOptions = {}): (hello: ClientHello) => ClientHello {
  const groups = options.groups ?? [GREASE[2]!, X25519_MLKEM768, NamedGroup.x25519, NamedGroup.secp256r1, NamedGroup.secp384r1];
  const versions = options.versions ?? [GREASE[3]!, DTLS_1_3, DTLS_1_2];
  return (hello) => {
    const ext: Extensions = new Map();
    ext.set(GREASE[4]!, Buffer.alloc(0));
    ext.set(ExtensionType.extendedMasterSecret, Buffer.alloc(0));
    ext.set(ExtensionType.renegotiationInfo, hello.extensions.get(ExtensionType.renegotiationInfo)!);
    ext.set(ExtensionType.supportedGroups, encodeU16List(groups));
    ext.set(ExtensionType.ecPointFormats, Buffer.from([1, 0]));
    // ecdsa_secp256r1_sha256, rsa_pss_rsae_sha256, rsa_pkcs1_sha256, ecdsa_secp384r1_sha384,
    // rsa_pss_rsae_sha384, rsa_pkcs1_sha384, rsa_pss_rsae_sha512, rsa_pkcs1_sha512 (Chromium's list)
    ext.set(ExtensionType.signatureAlgorithms, encodeU16List([0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601]));
    const srtp = hello.extensions.get(ExtensionType.useSrtp);
    if (srtp) ext.set(ExtensionType.useSrtp, srtp);
    ext.set(ExtensionType.supportedVersions, encodeSupportedVersions(versions));
    ext.set(
      ExtensionType.keyShare,
      keyShare([
        [GREASE[2]!, Buffer.from([0])],
        [X25519_MLKEM768, deterministicBytes(MLKEM_SHARE_LENGTH, 1)],
        [NamedGroup.x25519, deterministicBytes(32, 2)],
      ]),
    );
    ext.set(ExtensionType.pskKeyExchangeModes, Buffer.from([1, 1])); // psk_dhe_ke
    ext.set(GREASE[5]!, Buffer.from([0]));
    return {
      ...hello,
      // GREASE first, then the TLS 1.3 suites (TLS_AES_128_GCM_SHA256 …), then the 1.2 ones.
      cipherSuites: [GREASE[1]!, 0x1301, 0x1302, 0x1303, ...hello.cipherSuites, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035],
      extensions: ext,
    };
  };
}

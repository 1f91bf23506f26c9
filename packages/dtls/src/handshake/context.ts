import { X509Certificate, type KeyObject } from 'node:crypto';
import type { Clock, Counters } from '@rivulet/common';
import { AlertDescription } from '../constants.js';
import type { CertificateFingerprint, DtlsCertificate } from '../certificate.js';
import { computeFingerprint, fingerprintMatches } from '../certificate.js';
import { RecordCipher, keyBlockLength, splitKeyBlock } from '../crypto/aead.js';
import type { CipherSuiteInfo } from '../crypto/cipherSuites.js';
import { extendedMasterSecret, keyBlock, masterSecret } from '../crypto/prf.js';
import { keyKind } from '../crypto/signature.js';
import { DtlsAlertError } from '../errors.js';
import type { FlightTransmitter } from '../flight.js';
import type { RecordLayer } from '../record/recordLayer.js';
import type { HandshakeFragment, HandshakeMessage } from './fragment.js';
import { ecPublicKeyFromCertificate } from './peerKey.js';
import type { Transcript } from './transcript.js';

/** Options after defaults were applied. */
export interface HandshakeConfig {
  role: 'client' | 'server';
  certificate: DtlsCertificate;
  remoteFingerprints: CertificateFingerprint[] | undefined;
  srtpProfiles: number[];
  cipherSuites: number[];
  requireExtendedMasterSecret: boolean;
}

/** What the endpoint gives a role's handshake logic. */
export interface HandshakeHost {
  readonly config: HandshakeConfig;
  readonly records: RecordLayer;
  readonly flights: FlightTransmitter;
  readonly counters: Counters<string>;
  readonly clock: Clock;
  /** Sends records once, outside any flight (HelloVerifyRequest, RFC 6347 §4.2.1: stateless). */
  sendRecords(records: Buffer[]): void;
  /** Epoch-1 keys are installed: re-feed records that arrived early. */
  keysInstalled(pending: import('../record/record.js').DtlsRecord[]): void;
  /** Sets the next message_seq we expect from the peer (stateless server after the cookie check). */
  expectMessageSeq(seq: number): void;
  /** Finished verified on both sides. */
  handshakeComplete(): void;
  /** A valid in-order message after completion that we refuse (renegotiation, RFC 5746 §4.5). */
  refuseRenegotiation(): void;
}

/** The negotiated result, readable by the endpoint once the handshake completed. */
export interface SessionParameters {
  suite: CipherSuiteInfo;
  clientRandom: Buffer;
  serverRandom: Buffer;
  masterSecret: Buffer;
  extendedMasterSecret: boolean;
  srtpProfile: number | undefined;
  remoteCertificate: Buffer;
}

export interface RoleHandshake {
  start(): void;
  /** Server only: an epoch-0 handshake fragment seen before the cookie exchange completed; true = consumed. */
  handleStatelessHello?(fragment: HandshakeFragment, recordSeq: number): boolean;
  handle(message: HandshakeMessage): void;
  readonly session: SessionParameters | undefined;
  readonly complete: boolean;
}

export function unexpected(message: HandshakeMessage, expected: string): DtlsAlertError {
  return new DtlsAlertError(
    AlertDescription.unexpectedMessage,
    `unexpected handshake message type ${message.msgType} (message_seq ${message.messageSeq}); expected ${expected}`,
  );
}

/**
 * Checks the peer's leaf certificate: it must parse, match a signalled fingerprint (RFC 8122 §5,
 * RFC 8827 §6.5 — this is the WebRTC identity check), and carry a key of the suite's type.
 */
export function checkPeerCertificate(
  der: Buffer,
  expected: CertificateFingerprint[] | undefined,
  requiredKind: 'ec' | 'rsa' | undefined,
): KeyObject {
  let key: KeyObject;
  try {
    // EC certificates (what WebRTC stacks generate) take the cheap path; see peerKey.ts.
    key = ecPublicKeyFromCertificate(der) ?? new X509Certificate(der).publicKey;
  } catch (err) {
    throw new DtlsAlertError(AlertDescription.badCertificate, `peer certificate does not parse: ${(err as Error).message}`);
  }
  if (expected && expected.length > 0 && !expected.some((fp) => fingerprintMatches(der, fp))) {
    const want = expected.map((fp) => `${fp.algorithm} ${fp.value}`).join(', ');
    const first = expected[0]!.algorithm;
    let got: string;
    try {
      got = `${first} ${computeFingerprint(der, first)}`;
    } catch {
      got = `sha-256 ${computeFingerprint(der, 'sha-256')}`;
    }
    throw new DtlsAlertError(
      AlertDescription.badCertificate,
      `remote certificate fingerprint mismatch: expected ${want}, got ${got}`,
    );
  }
  const kind = keyKind(key);
  if (!kind) throw new DtlsAlertError(AlertDescription.unsupportedCertificate, `peer certificate key type ${key.asymmetricKeyType} is not supported`);
  if (requiredKind && kind !== requiredKind) {
    throw new DtlsAlertError(
      AlertDescription.unsupportedCertificate,
      `peer certificate has a ${kind} key but the cipher suite needs ${requiredKind}`,
    );
  }
  return key;
}

export function suiteKeyKind(suite: CipherSuiteInfo): 'ec' | 'rsa' {
  return suite.authentication === 'ecdsa' ? 'ec' : 'rsa';
}

/**
 * RFC 5246 §8.1 / RFC 7627 §4 master secret, then RFC 5246 §6.3 key block, installed as epoch 1.
 * `transcript` must end with the ClientKeyExchange when EMS is in use.
 */
export function deriveAndInstallKeys(
  host: HandshakeHost,
  suite: CipherSuiteInfo,
  preMaster: Buffer,
  clientRandom: Buffer,
  serverRandom: Buffer,
  ems: boolean,
  transcript: Transcript,
): Buffer {
  const master = ems
    ? extendedMasterSecret(suite.prfHash, preMaster, transcript.hash(suite.prfHash))
    : masterSecret(suite.prfHash, preMaster, clientRandom, serverRandom);
  const keys = splitKeyBlock(suite, keyBlock(suite.prfHash, master, clientRandom, serverRandom, keyBlockLength(suite)));
  const clientCipher = new RecordCipher(suite, keys.clientWriteKey, keys.clientWriteIv);
  const serverCipher = new RecordCipher(suite, keys.serverWriteKey, keys.serverWriteIv);
  const isClient = host.config.role === 'client';
  const pending = host.records.installKeys(1, isClient ? clientCipher : serverCipher, isClient ? serverCipher : clientCipher);
  host.keysInstalled(pending);
  return master;
}

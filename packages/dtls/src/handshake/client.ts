import { randomBytes, timingSafeEqual, type KeyObject } from 'node:crypto';
import { AlertDescription, DTLS_1_2, ExtensionType, HandshakeType, ClientCertificateType } from '../constants.js';
import { cipherSuiteInfo, type CipherSuiteInfo } from '../crypto/cipherSuites.js';
import { DEFAULT_GROUPS, EphemeralKey, isSupportedGroup } from '../crypto/keyExchange.js';
import { verifyData } from '../crypto/prf.js';
import { chooseSignatureScheme, DEFAULT_SIGNATURE_SCHEMES, keyKind, signWithScheme, verifyWithScheme } from '../crypto/signature.js';
import { DtlsAlertError } from '../errors.js';
import type { FlightEntry } from '../flight.js';
import {
  checkPeerCertificate,
  deriveAndInstallKeys,
  suiteKeyKind,
  unexpected,
  type HandshakeHost,
  type RoleHandshake,
  type SessionParameters,
} from './context.js';
import {
  decodeUseSrtp,
  encodeEmptyRenegotiationInfo,
  encodePointFormats,
  encodeU16List,
  encodeUseSrtp,
  isEmptyRenegotiationInfo,
  type Extensions,
} from './extensions.js';
import type { HandshakeMessage } from './fragment.js';
import {
  decodeCertificate,
  decodeCertificateRequest,
  decodeHelloVerifyRequest,
  decodeServerHello,
  decodeServerKeyExchange,
  encodeCertificate,
  encodeCertificateVerify,
  encodeClientHello,
  encodeClientKeyExchange,
  type CertificateRequest,
  type ClientHello,
} from './messages.js';
import { Transcript } from './transcript.js';

type ClientState = 'hello' | 'certificate' | 'keyExchange' | 'requestOrDone' | 'finished' | 'done';

/** The client side of the RFC 6347 §4.2.4 flights: 1/3 (ClientHello), 5 (Certificate … Finished). */
export class ClientHandshake implements RoleHandshake {
  private state: ClientState = 'hello';
  private readonly clientRandom = randomBytes(32);
  private cookie = Buffer.alloc(0);
  private sendSeq = 0;
  private hello: { seq: number; body: Buffer } | undefined;
  private readonly transcript = new Transcript();
  private suite: CipherSuiteInfo | undefined;
  private serverRandom = Buffer.alloc(0);
  private ems = false;
  private srtpProfile: number | undefined;
  private peerKey: KeyObject | undefined;
  private peerCertificate: Buffer | undefined;
  private serverPublic: { group: number; key: Buffer } | undefined;
  private certificateRequest: CertificateRequest | undefined;
  private master: Buffer | undefined;
  session: SessionParameters | undefined;
  /**
   * Test hook (not part of the package API): rewrites our ClientHello before it is sent, e.g. to
   * make it look like a browser's. It must be deterministic: the cookie-bearing hello repeats it.
   */
  transformHello: ((hello: ClientHello) => ClientHello) | undefined;

  constructor(private readonly host: HandshakeHost) {}

  get complete(): boolean {
    return this.state === 'done';
  }

  start(): void {
    this.sendHello();
  }

  private sendHello(): void {
    const cfg = this.host.config;
    const extensions: Extensions = new Map();
    extensions.set(ExtensionType.supportedGroups, encodeU16List(DEFAULT_GROUPS));
    extensions.set(ExtensionType.ecPointFormats, encodePointFormats());
    extensions.set(ExtensionType.signatureAlgorithms, encodeU16List(DEFAULT_SIGNATURE_SCHEMES));
    if (cfg.srtpProfiles.length > 0) extensions.set(ExtensionType.useSrtp, encodeUseSrtp(cfg.srtpProfiles));
    extensions.set(ExtensionType.extendedMasterSecret, Buffer.alloc(0));
    extensions.set(ExtensionType.renegotiationInfo, encodeEmptyRenegotiationInfo());
    const hello: ClientHello = {
      version: DTLS_1_2,
      random: this.clientRandom,
      sessionId: Buffer.alloc(0),
      cookie: this.cookie,
      cipherSuites: cfg.cipherSuites,
      compressionMethods: Buffer.from([0]),
      extensions,
    };
    const body = encodeClientHello(this.transformHello ? this.transformHello(hello) : hello);
    const seq = this.sendSeq++;
    this.hello = { seq, body };
    this.host.flights.start([{ kind: 'handshake', msgType: HandshakeType.clientHello, messageSeq: seq, body, epoch: 0 }], true);
  }

  handle(m: HandshakeMessage): void {
    switch (this.state) {
      case 'hello':
        if (m.msgType === HandshakeType.helloVerifyRequest) return this.onHelloVerifyRequest(m);
        if (m.msgType === HandshakeType.serverHello) return this.onServerHello(m);
        throw unexpected(m, 'HelloVerifyRequest or ServerHello');
      case 'certificate':
        if (m.msgType !== HandshakeType.certificate) throw unexpected(m, 'Certificate');
        return this.onCertificate(m);
      case 'keyExchange':
        if (m.msgType !== HandshakeType.serverKeyExchange) throw unexpected(m, 'ServerKeyExchange');
        return this.onServerKeyExchange(m);
      case 'requestOrDone':
        if (m.msgType === HandshakeType.certificateRequest && !this.certificateRequest) {
          this.certificateRequest = decodeCertificateRequest(m.body);
          this.transcript.add(m.msgType, m.messageSeq, m.body);
          return;
        }
        if (m.msgType === HandshakeType.serverHelloDone) return this.onServerHelloDone(m);
        throw unexpected(m, 'CertificateRequest or ServerHelloDone');
      case 'finished':
        if (m.msgType !== HandshakeType.finished) throw unexpected(m, 'Finished');
        return this.onFinished(m);
      case 'done':
        // RFC 5746 §4.5 / our policy: never renegotiate.
        if (m.msgType === HandshakeType.helloRequest) return this.host.refuseRenegotiation();
        throw unexpected(m, 'nothing (handshake complete)');
    }
  }

  private onHelloVerifyRequest(m: HandshakeMessage): void {
    const hvr = decodeHelloVerifyRequest(m.body);
    // RFC 6347 §4.2.1: the HelloVerifyRequest version may be DTLS 1.0 whatever is negotiated.
    if (hvr.version !== DTLS_1_2 && hvr.version !== 0xfeff) {
      throw new DtlsAlertError(AlertDescription.protocolVersion, `HelloVerifyRequest version 0x${hvr.version.toString(16)}`);
    }
    this.cookie = Buffer.from(hvr.cookie);
    this.sendSeq = m.messageSeq + 1;
    this.sendHello();
  }

  private onServerHello(m: HandshakeMessage): void {
    const sh = decodeServerHello(m.body);
    const cfg = this.host.config;
    if (sh.version !== DTLS_1_2) {
      throw new DtlsAlertError(AlertDescription.protocolVersion, `server chose version 0x${sh.version.toString(16)}; we speak DTLS 1.2 (0xfefd) only`);
    }
    const suite = cipherSuiteInfo(sh.cipherSuite);
    if (!suite || !cfg.cipherSuites.includes(sh.cipherSuite)) {
      throw new DtlsAlertError(AlertDescription.illegalParameter, `server chose cipher suite 0x${sh.cipherSuite.toString(16)} that we did not offer`);
    }
    if (sh.compressionMethod !== 0) throw new DtlsAlertError(AlertDescription.illegalParameter, `server chose compression ${sh.compressionMethod}`);
    const offered = new Set<number>([
      ExtensionType.supportedGroups,
      ExtensionType.ecPointFormats,
      ExtensionType.signatureAlgorithms,
      ExtensionType.extendedMasterSecret,
      ExtensionType.renegotiationInfo,
    ]);
    if (cfg.srtpProfiles.length > 0) offered.add(ExtensionType.useSrtp);
    for (const type of sh.extensions.keys()) {
      // RFC 5246 §7.4.1.4: a server must not send an extension the client did not offer.
      if (!offered.has(type)) throw new DtlsAlertError(AlertDescription.unsupportedExtension, `ServerHello carries extension ${type} we did not offer`);
    }
    const reneg = sh.extensions.get(ExtensionType.renegotiationInfo);
    if (reneg && !isEmptyRenegotiationInfo(reneg)) {
      throw new DtlsAlertError(AlertDescription.handshakeFailure, 'renegotiation_info in the initial ServerHello is not empty (RFC 5746 §3.4)');
    }
    this.ems = sh.extensions.has(ExtensionType.extendedMasterSecret);
    if (!this.ems && cfg.requireExtendedMasterSecret) {
      throw new DtlsAlertError(AlertDescription.handshakeFailure, 'server does not support extended_master_secret (RFC 7627), which we require');
    }
    const srtp = sh.extensions.get(ExtensionType.useSrtp);
    if (srtp) {
      const { profiles } = decodeUseSrtp(srtp);
      // RFC 5764 §4.1.1: the server answers with exactly one of the offered profiles.
      if (profiles.length !== 1 || !cfg.srtpProfiles.includes(profiles[0]!)) {
        throw new DtlsAlertError(AlertDescription.illegalParameter, `server chose SRTP profiles [${profiles.join(', ')}] not offered by us`);
      }
      this.srtpProfile = profiles[0];
    }
    this.suite = suite;
    this.serverRandom = Buffer.from(sh.random);
    this.transcript.add(HandshakeType.clientHello, this.hello!.seq, this.hello!.body);
    this.transcript.add(m.msgType, m.messageSeq, m.body);
    this.sendSeq = Math.max(this.sendSeq, this.hello!.seq + 1);
    this.state = 'certificate';
  }

  private onCertificate(m: HandshakeMessage): void {
    const chain = decodeCertificate(m.body);
    if (chain.length === 0) throw new DtlsAlertError(AlertDescription.handshakeFailure, 'server sent an empty certificate list');
    this.peerKey = checkPeerCertificate(chain[0]!, this.host.config.remoteFingerprints, suiteKeyKind(this.suite!));
    this.peerCertificate = Buffer.from(chain[0]!);
    this.transcript.add(m.msgType, m.messageSeq, m.body);
    this.state = 'keyExchange';
  }

  private onServerKeyExchange(m: HandshakeMessage): void {
    const ske = decodeServerKeyExchange(m.body);
    if (!isSupportedGroup(ske.group)) {
      throw new DtlsAlertError(AlertDescription.illegalParameter, `server chose group ${ske.group}, not one we offered`);
    }
    if (!DEFAULT_SIGNATURE_SCHEMES.includes(ske.scheme)) {
      throw new DtlsAlertError(AlertDescription.illegalParameter, `server signed with scheme 0x${ske.scheme.toString(16)} that we did not offer`);
    }
    // RFC 8422 §5.4: the signature covers client_random ‖ server_random ‖ ServerECDHParams.
    const signed = Buffer.concat([this.clientRandom, this.serverRandom, ske.params]);
    if (!verifyWithScheme(ske.scheme, this.peerKey!, signed, ske.signature)) {
      throw new DtlsAlertError(AlertDescription.decryptError, 'ServerKeyExchange signature does not verify with the server certificate key');
    }
    this.serverPublic = { group: ske.group, key: Buffer.from(ske.publicKey) };
    this.transcript.add(m.msgType, m.messageSeq, m.body);
    this.state = 'requestOrDone';
  }

  private onServerHelloDone(m: HandshakeMessage): void {
    if (m.body.length !== 0) throw new DtlsAlertError(AlertDescription.decodeError, 'ServerHelloDone is not empty');
    this.transcript.add(m.msgType, m.messageSeq, m.body);
    const cfg = this.host.config;
    const suite = this.suite!;
    const flight: FlightEntry[] = [];
    const push = (msgType: number, body: Buffer, epoch = 0): void => {
      const messageSeq = this.sendSeq++;
      flight.push({ kind: 'handshake', msgType, messageSeq, body, epoch });
      this.transcript.add(msgType, messageSeq, body);
    };
    const request = this.certificateRequest;
    if (request) {
      const ourKind = keyKind(cfg.certificate.privateKey);
      const wanted = ourKind === 'ec' ? ClientCertificateType.ecdsaSign : ClientCertificateType.rsaSign;
      if (!request.certificateTypes.includes(wanted)) this.host.counters.inc('certificateTypeNotRequested');
      push(HandshakeType.certificate, encodeCertificate([cfg.certificate.certificateDer]));
    }
    const ephemeral = new EphemeralKey(this.serverPublic!.group as (typeof DEFAULT_GROUPS)[number]);
    const preMaster = ephemeral.computeSecret(this.serverPublic!.key);
    if (preMaster instanceof Error) throw new DtlsAlertError(AlertDescription.illegalParameter, `server ECDHE value rejected: ${preMaster.message}`);
    push(HandshakeType.clientKeyExchange, encodeClientKeyExchange(ephemeral.publicKey));
    this.master = deriveAndInstallKeys(this.host, suite, preMaster, this.clientRandom, this.serverRandom, this.ems, this.transcript);
    if (request) {
      const scheme = chooseSignatureScheme(cfg.certificate.privateKey, request.signatureSchemes);
      if (scheme === undefined) {
        throw new DtlsAlertError(
          AlertDescription.handshakeFailure,
          `server accepts none of our signature schemes for a ${keyKind(cfg.certificate.privateKey)} key (it offered ${request.signatureSchemes.map((s) => '0x' + s.toString(16)).join(', ')})`,
        );
      }
      // RFC 5246 §7.4.8: the signature covers every handshake message so far.
      push(HandshakeType.certificateVerify, encodeCertificateVerify(scheme, signWithScheme(scheme, cfg.certificate.privateKey, this.transcript.bytes())));
    }
    flight.push({ kind: 'changeCipherSpec' });
    push(HandshakeType.finished, verifyData(suite.prfHash, this.master, 'client', this.transcript.bytes()), 1);
    this.host.flights.start(flight, true);
    this.state = 'finished';
  }

  private onFinished(m: HandshakeMessage): void {
    if (m.epoch !== 1) throw new DtlsAlertError(AlertDescription.unexpectedMessage, 'server Finished arrived without ChangeCipherSpec (epoch 0)');
    const expected = verifyData(this.suite!.prfHash, this.master!, 'server', this.transcript.bytes());
    if (m.body.length !== expected.length || !timingSafeEqual(m.body, expected)) {
      throw new DtlsAlertError(AlertDescription.decryptError, 'server Finished verify_data does not match our transcript');
    }
    this.transcript.add(m.msgType, m.messageSeq, m.body);
    this.session = {
      suite: this.suite!,
      clientRandom: this.clientRandom,
      serverRandom: this.serverRandom,
      masterSecret: this.master!,
      extendedMasterSecret: this.ems,
      srtpProfile: this.srtpProfile,
      remoteCertificate: this.peerCertificate!,
    };
    this.state = 'done';
    this.host.flights.clear();
    this.host.handshakeComplete();
  }
}

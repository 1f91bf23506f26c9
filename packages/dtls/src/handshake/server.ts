import { randomBytes, timingSafeEqual, type KeyObject } from 'node:crypto';
import { ParseError } from '@rivulet/common';
import {
  AlertDescription,
  ClientCertificateType,
  ContentType,
  DTLS_1_2,
  ExtensionType,
  HandshakeType,
  NamedGroup,
  TLS_EMPTY_RENEGOTIATION_INFO_SCSV,
} from '../constants.js';
import { CookieAuthority } from '../cookie.js';
import { cipherSuiteInfo, cipherSuiteName, type CipherSuiteInfo } from '../crypto/cipherSuites.js';
import { DEFAULT_GROUPS, EphemeralKey } from '../crypto/keyExchange.js';
import { verifyData } from '../crypto/prf.js';
import { chooseSignatureScheme, DEFAULT_SIGNATURE_SCHEMES, keyKind, signWithScheme, verifyWithScheme } from '../crypto/signature.js';
import { DtlsAlertError } from '../errors.js';
import type { FlightEntry } from '../flight.js';
import {
  checkPeerCertificate,
  deriveAndInstallKeys,
  unexpected,
  type HandshakeHost,
  type RoleHandshake,
  type SessionParameters,
} from './context.js';
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
import { fragmentMessage, type HandshakeFragment, type HandshakeMessage } from './fragment.js';
import { ClientHelloAssembler, type HelloAssemblerLimits } from './helloAssembler.js';
import {
  decodeCertificate,
  decodeCertificateVerify,
  decodeClientHello,
  decodeClientKeyExchange,
  encodeCertificate,
  encodeCertificateRequest,
  encodeHelloVerifyRequest,
  encodeServerEcdhParams,
  encodeServerHello,
  encodeServerKeyExchange,
  type ClientHello,
} from './messages.js';
import { Transcript } from './transcript.js';

type ServerState = 'hello' | 'certificate' | 'keyExchange' | 'verify' | 'finished' | 'done';

/** The server side of RFC 6347 §4.2.4: flights 2 (HelloVerifyRequest, stateless), 4 and 6. */
export class ServerHandshake implements RoleHandshake {
  private state: ServerState = 'hello';
  private readonly cookies: CookieAuthority;
  private readonly helloFragments: ClientHelloAssembler;
  private readonly serverRandom = randomBytes(32);
  private clientRandom = Buffer.alloc(0);
  private sendSeq = 0;
  private readonly transcript = new Transcript();
  private suite: CipherSuiteInfo | undefined;
  private ems = false;
  private srtpProfile: number | undefined;
  private ephemeral: EphemeralKey | undefined;
  private peerKey: KeyObject | undefined;
  private peerCertificate: Buffer | undefined;
  private master: Buffer | undefined;
  session: SessionParameters | undefined;

  constructor(
    private readonly host: HandshakeHost,
    cookieSecret?: Buffer,
    helloLimits?: HelloAssemblerLimits,
  ) {
    this.cookies = new CookieAuthority(cookieSecret);
    this.helloFragments = new ClientHelloAssembler(host.clock, host.counters, helloLimits);
  }

  get complete(): boolean {
    return this.state === 'done';
  }

  start(): void {
    // The server speaks only when spoken to.
  }

  /**
   * RFC 6347 §4.2.1: before the cookie round trip we keep no per-client handshake state. A
   * ClientHello may arrive in fragments (§4.2.3; modern browsers' hellos exceed one datagram): those
   * are reassembled in a strictly bounded buffer first. A hello without a valid cookie is answered
   * with a HelloVerifyRequest that echoes its record sequence number and message_seq, and forgotten.
   */
  handleStatelessHello(fragment: HandshakeFragment, recordSeq: number): boolean {
    if (this.state !== 'hello') return false;
    if (fragment.msgType !== HandshakeType.clientHello) {
      this.host.counters.inc('unexpectedBeforeClientHello');
      return true;
    }
    if (fragment.fragmentOffset === 0 && fragment.body.length === fragment.length) {
      this.onStatelessHello(fragment.body, fragment.messageSeq, recordSeq);
      return true;
    }
    const whole = this.helloFragments.add(fragment, recordSeq);
    if (whole) this.onStatelessHello(whole.body, whole.messageSeq, whole.recordSeq);
    return true;
  }

  /** A whole ClientHello body: check the cookie (computed over the hello's fields, never its fragmentation). */
  private onStatelessHello(body: Buffer, messageSeq: number, recordSeq: number): void {
    let hello: ClientHello;
    try {
      hello = decodeClientHello(body);
    } catch (err) {
      if (!(err instanceof ParseError)) throw err;
      this.host.counters.inc('malformedHandshake');
      return;
    }
    if (hello.cookie.length === 0 || !this.cookies.verify(body, hello.cookie)) {
      if (hello.cookie.length > 0) this.host.counters.inc('badCookie');
      const hvr = encodeHelloVerifyRequest(DTLS_1_2, this.cookies.issue(body));
      const records = fragmentMessage(HandshakeType.helloVerifyRequest, messageSeq, hvr, hvr.length).map((f) =>
        this.host.records.seal(ContentType.handshake, 0, f, recordSeq),
      );
      this.host.sendRecords(records);
      return;
    }
    this.helloFragments.clear();
    this.host.records.setWriteSequence(0, recordSeq);
    this.sendSeq = messageSeq;
    this.host.expectMessageSeq(messageSeq + 1);
    this.onClientHello(hello, body, messageSeq);
  }

  handle(m: HandshakeMessage): void {
    switch (this.state) {
      case 'hello':
        throw unexpected(m, 'ClientHello');
      case 'certificate':
        if (m.msgType !== HandshakeType.certificate) throw unexpected(m, 'Certificate (we require client authentication)');
        return this.onCertificate(m);
      case 'keyExchange':
        if (m.msgType !== HandshakeType.clientKeyExchange) throw unexpected(m, 'ClientKeyExchange');
        return this.onClientKeyExchange(m);
      case 'verify':
        if (m.msgType !== HandshakeType.certificateVerify) throw unexpected(m, 'CertificateVerify');
        return this.onCertificateVerify(m);
      case 'finished':
        if (m.msgType !== HandshakeType.finished) throw unexpected(m, 'Finished');
        return this.onFinished(m);
      case 'done':
        if (m.msgType === HandshakeType.clientHello) return this.host.refuseRenegotiation();
        throw unexpected(m, 'nothing (handshake complete)');
    }
  }

  private chooseSuite(offered: number[]): CipherSuiteInfo {
    const kind = keyKind(this.host.config.certificate.privateKey);
    for (const id of this.host.config.cipherSuites) {
      const info = cipherSuiteInfo(id);
      if (info && offered.includes(id) && (info.authentication === 'ecdsa' ? 'ec' : 'rsa') === kind) return info;
    }
    throw new DtlsAlertError(
      AlertDescription.handshakeFailure,
      `no common cipher suite: client offered [${offered.map(cipherSuiteName).join(', ')}], we accept [${this.host.config.cipherSuites
        .map(cipherSuiteName)
        .join(', ')}] with a ${kind} certificate`,
    );
  }

  private onClientHello(hello: ClientHello, body: Buffer, messageSeq: number): void {
    const cfg = this.host.config;
    // DTLS versions count down: 0xfefd (1.2) < 0xfeff (1.0). A client offering only 1.0 is refused.
    if (hello.version > DTLS_1_2) {
      throw new DtlsAlertError(AlertDescription.protocolVersion, `client offers DTLS version 0x${hello.version.toString(16)}; we require DTLS 1.2`);
    }
    // RFC 8446 §4.2.1 / RFC 9147 §5.3: a client that also speaks DTLS 1.3 lists its versions in
    // supported_versions (legacy_version stays 0xfefd). We implement only 1.2: pick it when listed,
    // ignore 1.3 and GREASE entries, and answer with a plain 1.2 ServerHello. The RFC 8446 §4.1.3
    // downgrade sentinel is for servers that support 1.3 as well, so we must not set it.
    const versionsData = hello.extensions.get(ExtensionType.supportedVersions);
    if (versionsData) {
      const versions = decodeSupportedVersions(versionsData);
      if (!versions.includes(DTLS_1_2)) {
        throw new DtlsAlertError(
          AlertDescription.protocolVersion,
          `client's supported_versions [${versions.map((v) => '0x' + v.toString(16)).join(', ')}] does not include DTLS 1.2 (0xfefd)`,
        );
      }
    }
    if (!hello.compressionMethods.includes(0)) {
      throw new DtlsAlertError(AlertDescription.illegalParameter, 'ClientHello does not offer null compression');
    }
    const suite = this.chooseSuite(hello.cipherSuites);
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
    this.ems = ext.has(ExtensionType.extendedMasterSecret);
    if (!this.ems && cfg.requireExtendedMasterSecret) {
      throw new DtlsAlertError(AlertDescription.handshakeFailure, 'client does not offer extended_master_secret (RFC 7627), which we require');
    }
    const reneg = ext.get(ExtensionType.renegotiationInfo);
    if (reneg && !isEmptyRenegotiationInfo(reneg)) {
      throw new DtlsAlertError(AlertDescription.handshakeFailure, 'renegotiation_info in an initial ClientHello is not empty (RFC 5746 §3.6)');
    }
    const secureRenegotiation = reneg !== undefined || hello.cipherSuites.includes(TLS_EMPTY_RENEGOTIATION_INFO_SCSV);
    const srtpData = ext.get(ExtensionType.useSrtp);
    if (srtpData && cfg.srtpProfiles.length > 0) {
      const offered = decodeUseSrtp(srtpData).profiles;
      // RFC 5764 §4.1.3: the server picks one; no overlap means no extension in the answer.
      this.srtpProfile = cfg.srtpProfiles.find((p) => offered.includes(p));
    }

    this.suite = suite;
    this.clientRandom = Buffer.from(hello.random);
    this.transcript.add(HandshakeType.clientHello, messageSeq, body);

    const serverExtensions: Extensions = new Map();
    if (secureRenegotiation) serverExtensions.set(ExtensionType.renegotiationInfo, encodeEmptyRenegotiationInfo());
    if (this.ems) serverExtensions.set(ExtensionType.extendedMasterSecret, Buffer.alloc(0));
    if (formats) serverExtensions.set(ExtensionType.ecPointFormats, encodePointFormats());
    if (this.srtpProfile !== undefined) serverExtensions.set(ExtensionType.useSrtp, encodeUseSrtp([this.srtpProfile]));

    const flight: FlightEntry[] = [];
    const push = (msgType: number, msgBody: Buffer): void => {
      const seq = this.sendSeq++;
      flight.push({ kind: 'handshake', msgType, messageSeq: seq, body: msgBody, epoch: 0 });
      this.transcript.add(msgType, seq, msgBody);
    };
    push(
      HandshakeType.serverHello,
      encodeServerHello({
        version: DTLS_1_2,
        random: this.serverRandom,
        sessionId: Buffer.alloc(0), // no resumption: nothing to name
        cipherSuite: suite.id,
        compressionMethod: 0,
        extensions: serverExtensions,
      }),
    );
    push(HandshakeType.certificate, encodeCertificate([cfg.certificate.certificateDer]));
    this.ephemeral = new EphemeralKey(group);
    const params = encodeServerEcdhParams(group, this.ephemeral.publicKey);
    const signature = signWithScheme(scheme, cfg.certificate.privateKey, Buffer.concat([this.clientRandom, this.serverRandom, params]));
    push(HandshakeType.serverKeyExchange, encodeServerKeyExchange(params, scheme, signature));
    // WebRTC needs mutual authentication (RFC 8827 §6.5): always ask for the client's certificate.
    push(
      HandshakeType.certificateRequest,
      encodeCertificateRequest({
        certificateTypes: [ClientCertificateType.ecdsaSign, ClientCertificateType.rsaSign],
        signatureSchemes: [...DEFAULT_SIGNATURE_SCHEMES],
        authorities: Buffer.alloc(0),
      }),
    );
    push(HandshakeType.serverHelloDone, Buffer.alloc(0));
    this.state = 'certificate';
    this.host.flights.start(flight, true);
  }

  private onCertificate(m: HandshakeMessage): void {
    const chain = decodeCertificate(m.body);
    if (chain.length === 0) {
      throw new DtlsAlertError(AlertDescription.handshakeFailure, 'client sent no certificate; WebRTC requires mutual authentication');
    }
    this.peerKey = checkPeerCertificate(chain[0]!, this.host.config.remoteFingerprints, undefined);
    this.peerCertificate = Buffer.from(chain[0]!);
    this.transcript.add(m.msgType, m.messageSeq, m.body);
    this.state = 'keyExchange';
  }

  private onClientKeyExchange(m: HandshakeMessage): void {
    const point = decodeClientKeyExchange(m.body);
    const preMaster = this.ephemeral!.computeSecret(point);
    if (preMaster instanceof Error) throw new DtlsAlertError(AlertDescription.illegalParameter, `client ECDHE value rejected: ${preMaster.message}`);
    this.transcript.add(m.msgType, m.messageSeq, m.body);
    this.master = deriveAndInstallKeys(this.host, this.suite!, preMaster, this.clientRandom, this.serverRandom, this.ems, this.transcript);
    this.state = 'verify';
  }

  private onCertificateVerify(m: HandshakeMessage): void {
    const cv = decodeCertificateVerify(m.body);
    if (!DEFAULT_SIGNATURE_SCHEMES.includes(cv.scheme)) {
      throw new DtlsAlertError(AlertDescription.illegalParameter, `client signed with scheme 0x${cv.scheme.toString(16)} that we did not request`);
    }
    if (!verifyWithScheme(cv.scheme, this.peerKey!, this.transcript.bytes(), cv.signature)) {
      throw new DtlsAlertError(AlertDescription.decryptError, 'CertificateVerify signature does not verify with the client certificate key');
    }
    this.transcript.add(m.msgType, m.messageSeq, m.body);
    this.state = 'finished';
  }

  private onFinished(m: HandshakeMessage): void {
    if (m.epoch !== 1) throw new DtlsAlertError(AlertDescription.unexpectedMessage, 'client Finished arrived without ChangeCipherSpec (epoch 0)');
    const suite = this.suite!;
    const expected = verifyData(suite.prfHash, this.master!, 'client', this.transcript.bytes());
    if (m.body.length !== expected.length || !timingSafeEqual(m.body, expected)) {
      throw new DtlsAlertError(AlertDescription.decryptError, 'client Finished verify_data does not match our transcript');
    }
    this.transcript.add(m.msgType, m.messageSeq, m.body);
    const finished = verifyData(suite.prfHash, this.master!, 'server', this.transcript.bytes());
    const seq = this.sendSeq++;
    this.transcript.add(HandshakeType.finished, seq, finished);
    this.session = {
      suite,
      clientRandom: this.clientRandom,
      serverRandom: this.serverRandom,
      masterSecret: this.master!,
      extendedMasterSecret: this.ems,
      srtpProfile: this.srtpProfile,
      remoteCertificate: this.peerCertificate!,
    };
    this.state = 'done';
    // RFC 6347 §4.2.4: the last flight has no timer; it is resent when the client's flight 5 repeats.
    this.host.flights.start([{ kind: 'changeCipherSpec' }, { kind: 'handshake', msgType: HandshakeType.finished, messageSeq: seq, body: finished, epoch: 1 }], false);
    this.host.handshakeComplete();
  }
}

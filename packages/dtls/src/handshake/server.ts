import { randomBytes, timingSafeEqual, type KeyObject } from 'node:crypto';
import { ParseError } from '@rivulet/common';
import { AlertDescription, ClientCertificateType, ContentType, DTLS_1_2, HandshakeType } from '../constants.js';
import { CookieAuthority } from '../cookie.js';
import type { CipherSuiteInfo } from '../crypto/cipherSuites.js';
import { EphemeralKey } from '../crypto/keyExchange.js';
import { verifyData } from '../crypto/prf.js';
import { DEFAULT_SIGNATURE_SCHEMES, signWithScheme, verifyWithScheme } from '../crypto/signature.js';
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
import { negotiateClientHello } from './negotiate.js';
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
    /** false: accept a ClientHello without a cookie (see DtlsEndpointOptions.cookieExchange). */
    private readonly cookieExchange = true,
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
    // Without cookie exchange a hello is accepted as it is (a cookie, if any, is ignored: we never issued one).
    if (this.cookieExchange && (hello.cookie.length === 0 || !this.cookies.verify(body, hello.cookie))) {
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

  private onClientHello(hello: ClientHello, body: Buffer, messageSeq: number): void {
    const cfg = this.host.config;
    const { suite, group, scheme, ems, srtpProfile, serverExtensions } = negotiateClientHello(cfg, hello);
    this.ems = ems;
    this.srtpProfile = srtpProfile;
    this.suite = suite;
    this.clientRandom = Buffer.from(hello.random);
    this.transcript.add(HandshakeType.clientHello, messageSeq, body);

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

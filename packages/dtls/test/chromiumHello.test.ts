import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { FakeClock } from '@rivulet/common';
import { CipherSuite, DtlsEndpoint, NamedGroup, type DtlsCertificate } from '../src/index.js';
import { DTLS_1_2, DTLS_1_3, ExtensionType, HandshakeType } from '../src/constants.js';
import { decodeSupportedVersions, decodeU16List, decodeUseSrtp } from '../src/handshake/extensions.js';
import { writeHandshakeHeader } from '../src/handshake/fragment.js';
import { decodeClientHello, decodeHelloVerifyRequest, decodeServerHello, encodeClientHello } from '../src/handshake/messages.js';
import { writeRecordHeader } from '../src/record/record.js';
import { handshakeFragments, messageBody } from './helpers/helloWire.js';
import { testCertificates } from './helpers/pair.js';

/**
 * The ClientHello that /usr/bin/chromium (Debian, 2026) sent our server when it was the DTLS client
 * of a WebRTC connection, captured as it arrived: 1413 bytes in two fragments (1175 + 238) in two
 * records. It offers DTLS 1.3 (supported_versions 0xfefc, 0xfefd), an X25519MLKEM768 key share of
 * 1216 bytes plus X25519, TLS 1.3 suites first. Only public handshake bytes; no secrets.
 */
const FIXTURE = new URL('./fixtures/chromium-clienthello.jsonl', import.meta.url);
interface Captured {
  recordSeq: number;
  seq: number;
  length: number;
  off: number;
  hex: string;
}
const captured: Captured[] = readFileSync(FIXTURE, 'utf8')
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l) as Captured);

function record(recordSeq: number, seq: number, length: number, offset: number, body: Buffer): Buffer {
  const frag = Buffer.concat([writeHandshakeHeader(HandshakeType.clientHello, length, seq, offset, body.length), body]);
  return Buffer.concat([writeRecordHeader(22, DTLS_1_2, 0, recordSeq, frag.length), frag]);
}

function wholeBody(): Buffer {
  const body = Buffer.alloc(captured[0]!.length);
  for (const c of captured) Buffer.from(c.hex, 'hex').copy(body, c.off);
  return body;
}

describe("dtls server with Chromium's real (captured) fragmented DTLS 1.3-capable ClientHello", function () {
  this.timeout(10_000);
  let cert: DtlsCertificate;
  before(async () => {
    cert = (await testCertificates()).ec[1]!;
  });

  it('the fixture is what we think: 2 fragments, 1413 bytes, supported_versions 1.3+1.2, X25519MLKEM768 key share', () => {
    expect(captured.map((c) => [c.recordSeq, c.seq, c.off, c.hex.length / 2])).to.deep.equal([
      [2, 0, 0, 1175],
      [3, 0, 1175, 238],
    ]);
    const hello = decodeClientHello(wholeBody());
    expect(hello.version).to.equal(DTLS_1_2);
    expect(decodeSupportedVersions(hello.extensions.get(ExtensionType.supportedVersions)!)).to.deep.equal([DTLS_1_3, DTLS_1_2]);
    expect(decodeU16List(hello.extensions.get(ExtensionType.supportedGroups)!, 'groups')).to.deep.equal([0x11ec, 29, 23, 24]);
    expect(hello.extensions.get(ExtensionType.keyShare)!.length).to.equal(1258);
    expect(hello.cipherSuites.slice(0, 3)).to.deep.equal([0x1301, 0x1302, 0x1303]);
  });

  for (const order of [
    [0, 1],
    [1, 0],
  ]) {
    it(`fragments in order [${order.join(', ')}] → one HelloVerifyRequest; the cookie-bearing repeat → a plain DTLS 1.2 flight`, () => {
      const clock = new FakeClock();
      const sent: Buffer[] = [];
      const server = new DtlsEndpoint({ role: 'server', certificate: cert, clock, send: (d) => sent.push(Buffer.from(d)) });
      const errors: Error[] = [];
      server.on('error', (e) => errors.push(e));
      server.start();
      for (const i of order) {
        const c = captured[i]!;
        server.handleDatagram(record(c.recordSeq, c.seq, c.length, c.off, Buffer.from(c.hex, 'hex')));
      }
      expect(sent.length).to.equal(1);
      const hvrFrag = handshakeFragments(sent)[0]!;
      expect([hvrFrag.msgType, hvrFrag.messageSeq, hvrFrag.recordSeq]).to.deep.equal([HandshakeType.helloVerifyRequest, 0, 3]);
      const { cookie } = decodeHelloVerifyRequest(hvrFrag.body);
      expect(cookie.length).to.equal(20);

      // Chromium's second hello: the same hello with the cookie, message_seq 1, cut at 1175 again.
      const second = encodeClientHello({ ...decodeClientHello(wholeBody()), cookie });
      expect(second.length).to.equal(1413 + 20);
      server.handleDatagram(record(4, 1, second.length, 0, second.subarray(0, 1175)));
      server.handleDatagram(record(5, 1, second.length, 1175, second.subarray(1175)));
      expect(errors).to.deep.equal([]);
      const flight = sent.slice(1);
      const sh = decodeServerHello(messageBody(flight, HandshakeType.serverHello)!);
      expect(sh.version).to.equal(DTLS_1_2);
      expect(sh.cipherSuite).to.equal(CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);
      expect([...sh.extensions.keys()].sort((a, b) => a - b)).to.deep.equal([11, 14, 23, 0xff01]);
      expect(decodeUseSrtp(sh.extensions.get(ExtensionType.useSrtp)!).profiles).to.deep.equal([0x0007]);
      expect(sh.random.subarray(24).toString('latin1').startsWith('DOWNGRD')).to.equal(false);
      const ske = messageBody(flight, HandshakeType.serverKeyExchange)!;
      expect(ske.readUInt16BE(1)).to.equal(NamedGroup.x25519);
      expect(messageBody(flight, HandshakeType.certificateRequest)).to.not.equal(undefined);
      expect(server.counters.get('clientHelloReassembled')).to.equal(2);
      expect(server.state).to.equal('connecting');
    });
  }

  it('both fragments in one record, and both records in one datagram, are reassembled alike (RFC 6347 §4.1.1, §4.2.3)', () => {
    for (const packing of ['one record', 'one datagram'] as const) {
      const sent: Buffer[] = [];
      const server = new DtlsEndpoint({ role: 'server', certificate: cert, clock: new FakeClock(), send: (d) => sent.push(Buffer.from(d)) });
      server.start();
      const [a, b] = captured.map((c) => ({ c, body: Buffer.from(c.hex, 'hex') }));
      if (packing === 'one record') {
        const frags = [a!, b!].map(({ c, body }) => Buffer.concat([writeHandshakeHeader(HandshakeType.clientHello, c.length, c.seq, c.off, body.length), body]));
        const payload = Buffer.concat(frags);
        server.handleDatagram(Buffer.concat([writeRecordHeader(22, DTLS_1_2, 0, 9, payload.length), payload]));
      } else {
        server.handleDatagram(Buffer.concat([record(8, 0, a!.c.length, a!.c.off, a!.body), record(9, 0, b!.c.length, b!.c.off, b!.body)]));
      }
      const hvr = handshakeFragments(sent);
      expect(hvr.map((f) => [f.msgType, f.messageSeq, f.recordSeq]), packing).to.deep.equal([[HandshakeType.helloVerifyRequest, 0, 9]]);
      expect(server.counters.get('clientHelloReassembled'), packing).to.equal(1);
    }
  });
});

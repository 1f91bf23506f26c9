import { expect } from 'chai';
import { AlertDescription, CipherSuite, NamedGroup, type DtlsCertificate } from '../src/index.js';
import { DTLS_1_2, DTLS_1_3, ExtensionType, HandshakeType } from '../src/constants.js';
import { decodeClientHello, decodeServerHello } from '../src/handshake/messages.js';
import { parseRecords, writeRecordHeader } from '../src/record/record.js';
import { writeHandshakeHeader } from '../src/handshake/fragment.js';
import { testCertificates } from './helpers/pair.js';
import { seededRandom } from './helpers/pipe.js';
import { BatchLink, handshakeFragments, messageBody, recutClientHello } from './helpers/helloWire.js';
import { chromiumLikeHello, GREASE, X25519_MLKEM768 } from './helpers/modernHello.js';

/** The ClientHello fragments our client sent, grouped by message_seq (0: first hello, 1: with cookie). */
function helloFragmentCounts(link: BatchLink): number[] {
  const counts: number[] = [];
  for (const f of handshakeFragments(link.clientSent)) {
    if (f.msgType === HandshakeType.clientHello) counts[f.messageSeq] = (counts[f.messageSeq] ?? 0) + 1;
  }
  return counts;
}

function expectConnected(link: BatchLink): void {
  expect(link.errors.client.map((e) => e.message)).to.deep.equal([]);
  expect(link.errors.server.map((e) => e.message)).to.deep.equal([]);
  expect(link.client.state).to.equal('connected');
  expect(link.server.state).to.equal('connected');
  expect(link.server.exportKeyingMaterial('EXTRACTOR-dtls_srtp', 56).toString('hex')).to.equal(
    link.client.exportKeyingMaterial('EXTRACTOR-dtls_srtp', 56).toString('hex'),
  );
}

describe('dtls server with fragmented ClientHellos (RFC 6347 §4.2.3 before the §4.2.1 cookie exchange)', function () {
  this.timeout(20_000);
  let ec: DtlsCertificate[];
  before(async () => {
    ({ ec } = await testCertificates());
  });

  it('our client at MTU 128 fragments both of its ClientHellos; the server reassembles them and connects', () => {
    const link = new BatchLink({ client: ec[0]!, server: ec[1]! }, { mtu: 128 }, { mtu: 128 });
    link.client.start();
    link.server.start();
    link.run(() => link.connected());
    expectConnected(link);
    const counts = helloFragmentCounts(link);
    expect(counts[0]).to.be.at.least(2);
    expect(counts[1]).to.be.at.least(2);
    expect(link.clientSent.every((d) => d.length <= 128)).to.equal(true);
    expect(link.server.counters.get('clientHelloReassembled')).to.equal(2);
    expect(link.server.counters.get('badCookie')).to.equal(0);
  });

  it('our client at MTU 200 sends a 1.5 KB Chromium-like ClientHello in 175-byte fragments, and connects', () => {
    const link = new BatchLink({ client: ec[0]!, server: ec[1]! }, { mtu: 200 }, {});
    link.transformHello(chromiumLikeHello());
    link.client.start();
    link.server.start();
    link.run(() => link.connected());
    expectConnected(link);
    const counts = helloFragmentCounts(link);
    const length = messageBody(link.clientSent, HandshakeType.clientHello)!.length;
    expect(length).to.be.greaterThan(1400);
    // 200 - 13 (record header) - 12 (handshake header) = 175 bytes of body per fragment.
    expect(counts[0]).to.equal(Math.ceil(length / 175));
    expect(counts[1]).to.equal(Math.ceil((length + 20) / 175));
    expect(link.clientSent.every((d) => d.length <= 200)).to.equal(true);
  });

  // hvrSeq: the record that completed the first hello (its highest record sequence number, §4.2.1).
  const shapes: { name: string; pieces: [number, number][]; order: number[]; hvrSeq: number }[] = [
    { name: 'in order', pieces: [[0, 0.34], [0.34, 0.67], [0.67, 1]], order: [0, 1, 2], hvrSeq: 2 },
    { name: 'out of order (last first)', pieces: [[0, 0.34], [0.34, 0.67], [0.67, 1]], order: [2, 0, 1], hvrSeq: 2 },
    { name: 'with duplicated fragments', pieces: [[0, 0.5], [0.5, 1]], order: [0, 0, 0, 1, 1], hvrSeq: 3 },
    { name: 'with overlapping fragments', pieces: [[0, 0.6], [0.3, 0.8], [0.5, 1]], order: [1, 2, 0], hvrSeq: 2 },
  ];
  for (const shape of shapes) {
    it(`ClientHello fragments ${shape.name} (both hellos re-cut on the wire) → cookie exchange and handshake complete`, () => {
      const link = new BatchLink({ client: ec[0]!, server: ec[1]! });
      link.filterToServer = (batch) => recutClientHello(batch, shape.pieces, shape.order);
      link.client.start();
      link.server.start();
      link.run(() => link.connected());
      expectConnected(link);
      expect(link.server.counters.get('clientHelloReassembled')).to.equal(2);
      expect(link.server.counters.get('inconsistentFragment')).to.equal(0);
      // One HelloVerifyRequest, echoing the record sequence number of the record that completed the
      // first hello (RFC 6347 §4.2.1); the recut hello's records are numbered 0..n-1.
      const hvrs = handshakeFragments(link.serverSent).filter((f) => f.msgType === HandshakeType.helloVerifyRequest);
      expect(hvrs.map((f) => [f.recordSeq, f.messageSeq])).to.deep.equal([[shape.hvrSeq, 0]]);
    });
  }

  it('the cookie covers the ClientHello parameters, not the fragmentation: a differently cut second hello passes', () => {
    const link = new BatchLink({ client: ec[0]!, server: ec[1]! });
    let n = 0;
    link.filterToServer = (batch) =>
      handshakeFragments(batch).some((f) => f.msgType === HandshakeType.clientHello)
        ? n++ === 0
          ? recutClientHello(batch, [[0, 0.2], [0.2, 1]], [0, 1])
          : recutClientHello(batch, [[0, 0.9], [0.85, 1]], [1, 0])
        : batch;
    link.client.start();
    link.server.start();
    link.run(() => link.connected());
    expectConnected(link);
    expect(link.server.counters.get('badCookie')).to.equal(0);
  });

  it('a flood of 1000 spoofed partial ClientHellos keeps at most 4 partials and no reply; a genuine client then connects', () => {
    const link = new BatchLink({ client: ec[0]!, server: ec[1]! });
    link.server.start();
    for (let i = 0; i < 1000; i++) {
      const length = 2000 + (i % 50) * 100;
      const frag = Buffer.concat([writeHandshakeHeader(HandshakeType.clientHello, length, i % 3, 0, 100), Buffer.alloc(100, i & 0xff)]);
      link.server.handleDatagram(Buffer.concat([writeRecordHeader(22, DTLS_1_2, 0, i, frag.length), frag]));
    }
    expect(link.serverSent.length).to.equal(0);
    expect(link.server.counters.get('clientHelloFragmentBuffered')).to.equal(1000);
    expect(link.server.counters.get('clientHelloPartialEvicted')).to.equal(996);
    link.client.start();
    link.run(() => link.connected());
    expectConnected(link);
  });

  it('3000 seeded random ClientHello fragments (tiny lengths that complete into garbage, overlaps, bad offsets) never throw or fail the server', () => {
    const link = new BatchLink({ client: ec[0]!, server: ec[1]! });
    link.server.start();
    const random = seededRandom(42);
    const int = (n: number): number => Math.floor(random() * n);
    const send = (seq: number, length: number, offset: number, fragLength: number, recordSeq: number): void => {
      const body = Buffer.alloc(fragLength);
      for (let j = 0; j < fragLength; j++) body[j] = int(256);
      const frag = Buffer.concat([writeHandshakeHeader(HandshakeType.clientHello, length, seq, offset, fragLength), body]);
      link.server.handleDatagram(Buffer.concat([writeRecordHeader(22, DTLS_1_2, 0, recordSeq, frag.length), frag]));
    };
    for (let i = 0; i < 3000; i++) {
      if (i % 3 === 0) {
        // A short hello in two random-cut fragments: completes, then fails to parse.
        const length = 2 + int(60);
        const cut = 1 + int(length - 1);
        send(0, length, 0, cut, i);
        send(0, length, cut, length - cut, i);
        continue;
      }
      const length = 1 + int(20_000);
      const offset = int(length + 8); // sometimes past the end: a framing error, dropped by the parser
      send(int(3), length, offset, Math.min(int(300), Math.max(0, length - offset)), i);
    }
    expect(link.server.state).to.equal('connecting');
    expect(link.server.counters.get('internalError')).to.equal(0);
    expect(link.server.counters.get('clientHelloReassembled')).to.be.greaterThan(0); // short ones completed…
    expect(link.server.counters.get('malformedHandshake')).to.be.greaterThan(0); // …into bodies that do not parse
    expect(link.server.counters.get('oversizedClientHello')).to.be.greaterThan(0);
    link.client.start();
    link.run(() => link.connected());
    expectConnected(link);
  });

  it('a fragmented hello whose tail never arrives leaves the server waiting, then the retransmission completes it', () => {
    const link = new BatchLink({ client: ec[0]!, server: ec[1]! }, { initialRetransmitMs: 1000 });
    let first = true;
    link.filterToServer = (batch) => {
      if (!handshakeFragments(batch).some((f) => f.msgType === HandshakeType.clientHello)) return batch;
      const cut = recutClientHello(batch, [[0, 0.5], [0.5, 1]], [0, 1]);
      if (first) {
        first = false;
        return cut.slice(0, 1); // the tail of the very first hello is lost
      }
      return cut;
    };
    link.client.start();
    link.server.start();
    link.run(() => false, 500);
    expect(link.serverSent.length).to.equal(0); // no HelloVerifyRequest for half a hello
    expect(link.server.counters.get('clientHelloFragmentBuffered')).to.equal(1);
    link.run(() => link.connected());
    expectConnected(link);
  });
});

describe('dtls server with a DTLS 1.3-capable (Chromium-like) ClientHello negotiates DTLS 1.2', function () {
  this.timeout(20_000);
  let ec: DtlsCertificate[];
  let rsa: DtlsCertificate[];
  before(async () => {
    ({ ec, rsa } = await testCertificates());
  });

  it('hello > 1200 bytes with GREASE, supported_versions 1.3+1.2, X25519MLKEM768 key_share: plain 1.2 ServerHello, X25519, no TLS 1.3 extensions', () => {
    const link = new BatchLink({ client: ec[0]!, server: ec[1]! });
    link.transformHello(chromiumLikeHello());
    link.client.start();
    link.server.start();
    link.run(() => link.connected());
    expectConnected(link);
    const hello = decodeClientHello(messageBody(link.clientSent, HandshakeType.clientHello)!);
    expect(encodedLength(link)).to.be.greaterThan(1200);
    expect(hello.extensions.has(ExtensionType.keyShare)).to.equal(true);
    expect(helloFragmentCounts(link)[0]).to.equal(2); // MTU 1200: the hello really was fragmented
    const sh = decodeServerHello(messageBody(link.serverSent, HandshakeType.serverHello)!);
    expect(sh.version).to.equal(DTLS_1_2);
    expect(sh.cipherSuite).to.equal(CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);
    // Only answers to what the client offered and we implement (RFC 8446 §4.2: no 1.3 extensions in a 1.2 ServerHello).
    expect([...sh.extensions.keys()].sort((a, b) => a - b)).to.deep.equal([
      ExtensionType.ecPointFormats,
      ExtensionType.useSrtp,
      ExtensionType.extendedMasterSecret,
      ExtensionType.renegotiationInfo,
    ]);
    // RFC 8446 §4.1.3: the downgrade sentinel is for servers that also speak 1.3; we must not set it.
    const tail = sh.random.subarray(24).toString('latin1');
    expect(tail.startsWith('DOWNGRD')).to.equal(false);
    expect(serverGroup(link)).to.equal(NamedGroup.x25519);
    expect(link.server.counters.get('clientHelloReassembled')).to.equal(2);
  });

  it('picks P-384 when the client lists only GREASE, X25519MLKEM768 and secp384r1; with an RSA certificate', () => {
    const link = new BatchLink({ client: ec[0]!, server: rsa[0]! });
    link.transformHello(chromiumLikeHello({ groups: [GREASE[0]!, X25519_MLKEM768, NamedGroup.secp384r1] }));
    link.client.start();
    link.server.start();
    link.run(() => link.connected());
    expectConnected(link);
    expect(serverGroup(link)).to.equal(NamedGroup.secp384r1);
    expect(link.server.cipherSuite).to.equal(CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256);
  });

  it('refuses a client whose supported_versions lists only DTLS 1.3 with a protocol_version alert', () => {
    const link = new BatchLink({ client: ec[0]!, server: ec[1]! });
    link.transformHello(chromiumLikeHello({ versions: [GREASE[3]!, DTLS_1_3] }));
    link.client.start();
    link.server.start();
    link.run(() => link.server.state === 'failed' && link.client.state === 'failed', 3_000);
    expect(link.server.state).to.equal('failed');
    expect(link.errors.server.map((e) => e.message)).to.deep.equal([
      "client's supported_versions [0x6a6a, 0xfefc] does not include DTLS 1.2 (0xfefd) (alert protocolVersion)",
    ]);
    const alerts = link.serverSent.flatMap((d) => parseRecords(d).records.filter((r) => r.type === 21).map((r) => [...r.fragment]));
    expect(alerts).to.deep.equal([[2, AlertDescription.protocolVersion]]);
    expect(link.client.state).to.equal('failed');
  });
});

/** Length of our client's first ClientHello body as sent. */
function encodedLength(link: BatchLink): number {
  return messageBody(link.clientSent, HandshakeType.clientHello)!.length;
}

/** The named group in the server's ServerKeyExchange (curve_type 3 ‖ group). */
function serverGroup(link: BatchLink): number {
  const ske = messageBody(link.serverSent, HandshakeType.serverKeyExchange)!;
  expect(ske[0]).to.equal(3);
  return ske.readUInt16BE(1);
}

import { expect } from 'chai';
import { ReplayWindow } from '../src/record/replayWindow.js';
import { isDtlsPacket, parseRecords, writeRecordHeader } from '../src/record/record.js';
import { fragmentMessage, HandshakeReassembler, parseHandshakeFragments } from '../src/handshake/fragment.js';
import { RecordLayer } from '../src/record/recordLayer.js';
import { CookieAuthority } from '../src/cookie.js';

describe('dtls record layer pieces', () => {
  it('ReplayWindow: accepts new and in-window unseen numbers, rejects seen and too-old ones', () => {
    const w = new ReplayWindow(64);
    expect(w.check(0)).to.equal(true);
    w.mark(0);
    expect(w.check(0)).to.equal(false);
    w.mark(100);
    expect(w.check(37)).to.equal(true); // 100 - 37 = 63: inside the window, never seen
    expect(w.check(36)).to.equal(false); // 64 behind: outside the window
    w.mark(37);
    expect(w.check(37)).to.equal(false);
    expect(w.check(99)).to.equal(true);
    w.mark(200); // slides past everything: old marks must not leak into new slots
    expect(w.check(137)).to.equal(true);
    expect(w.check(164)).to.equal(true); // slot of 100 reused (100 % 64 === 164 % 64)
    expect(w.check(200)).to.equal(false);
    expect(w.check(2 ** 48 - 1)).to.equal(true);
  });

  it('parses several records from one datagram and reports a truncated tail', () => {
    const a = Buffer.concat([writeRecordHeader(22, 0xfefd, 0, 1, 3), Buffer.from([1, 2, 3])]);
    const b = Buffer.concat([writeRecordHeader(23, 0xfefd, 1, 0x0000ffffffff, 1), Buffer.from([9])]);
    const { records, problem } = parseRecords(Buffer.concat([a, b, Buffer.from([22, 0xfe])]));
    expect(problem).to.equal('truncatedRecord');
    expect(records.map((r) => [r.type, r.epoch, r.sequenceNumber, r.fragment.toString('hex')])).to.deep.equal([
      [22, 0, 1, '010203'],
      [23, 1, 0xffffffff, '09'],
    ]);
    expect(parseRecords(Buffer.from([99, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])).problem).to.equal('badContentType');
    expect(parseRecords(Buffer.from([22, 0x03, 0x03, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])).problem).to.equal('badVersion');
  });

  it('isDtlsPacket follows RFC 7983 (20..63)', () => {
    expect([19, 20, 63, 64, 0, 128].map(isDtlsPacket)).to.deep.equal([false, true, true, false, false, false]);
  });

  it('fragments a message and reassembles it from shuffled, overlapping fragments', () => {
    const body = Buffer.alloc(1000);
    for (let i = 0; i < body.length; i++) body[i] = i & 0xff;
    const frags = fragmentMessage(11, 3, body, 150);
    expect(frags.length).to.equal(7);
    const parsed = frags.flatMap((f) => parseHandshakeFragments(f)!);
    const r = new HandshakeReassembler();
    r.reset(3);
    const order = [6, 2, 0, 2, 5, 1, 4];
    for (const i of order) expect(r.add(parsed[i]!, 0)).to.equal('buffered');
    expect(r.next()).to.equal(undefined); // fragment 3 missing
    r.add(parsed[3]!, 0);
    const m = r.next()!;
    expect(m.msgType).to.equal(11);
    expect(m.messageSeq).to.equal(3);
    expect(m.body.equals(body)).to.equal(true);
    expect(r.next()).to.equal(undefined);
    expect(r.add(parsed[0]!, 0)).to.equal('old');
  });

  it('rejects fragments that overrun their message or disagree with earlier ones', () => {
    const bad = Buffer.from([1, 0, 0, 4, 0, 0, 0, 0, 0, 3, 0, 0, 2, 0xaa, 0xbb]); // offset 3 + 2 > 4
    expect(parseHandshakeFragments(bad)).to.equal(undefined);
    const r = new HandshakeReassembler();
    r.add({ msgType: 1, length: 10, messageSeq: 0, fragmentOffset: 0, body: Buffer.alloc(5) }, 0);
    expect(r.add({ msgType: 2, length: 10, messageSeq: 0, fragmentOffset: 5, body: Buffer.alloc(5) }, 0)).to.equal('inconsistent');
    expect(r.add({ msgType: 1, length: 10, messageSeq: 40, fragmentOffset: 0, body: Buffer.alloc(5) }, 0)).to.equal('tooFarAhead');
  });

  it('packs records into datagrams no larger than the MTU', () => {
    const recs = [Buffer.alloc(500), Buffer.alloc(500), Buffer.alloc(300), Buffer.alloc(1300)];
    expect(RecordLayer.pack(recs, 1200).map((d) => d.length)).to.deep.equal([1000, 300, 1300]);
  });

  it('cookies bind every ClientHello field but the cookie itself', () => {
    const auth = new CookieAuthority(Buffer.alloc(32, 1));
    const hello = (cookie: Buffer, randomByte: number): Buffer =>
      Buffer.concat([Buffer.from([0xfe, 0xfd]), Buffer.alloc(32, randomByte), Buffer.from([0, cookie.length]), cookie, Buffer.from([0, 2, 0xc0, 0x2b, 1, 0])]);
    const cookie = auth.issue(hello(Buffer.alloc(0), 7));
    expect(cookie.length).to.equal(20);
    expect(auth.verify(hello(cookie, 7), cookie)).to.equal(true);
    expect(auth.verify(hello(cookie, 8), cookie)).to.equal(false);
    expect(new CookieAuthority(Buffer.alloc(32, 2)).verify(hello(cookie, 7), cookie)).to.equal(false);
  });
});

import { expect } from 'chai';
import { Counters, FakeClock } from '@rivulet/common';
import { HandshakeType } from '../src/constants.js';
import type { HandshakeFragment } from '../src/handshake/fragment.js';
import { ClientHelloAssembler, DEFAULT_HELLO_LIMITS } from '../src/handshake/helloAssembler.js';

/** A deterministic 1500-byte "ClientHello body" (content does not matter to the assembler). */
function body(length = 1500, salt = 0): Buffer {
  const b = Buffer.alloc(length);
  for (let i = 0; i < length; i++) b[i] = (i * 31 + salt) & 0xff;
  return b;
}

function frag(whole: Buffer, offset: number, length: number, messageSeq = 0): HandshakeFragment {
  return { msgType: HandshakeType.clientHello, length: whole.length, messageSeq, fragmentOffset: offset, body: whole.subarray(offset, offset + length) };
}

describe('dtls ClientHello reassembly before the cookie exchange (RFC 6347 §4.2.1/§4.2.3)', () => {
  let clock: FakeClock;
  let counters: Counters<string>;
  let asm: ClientHelloAssembler;
  beforeEach(() => {
    clock = new FakeClock();
    counters = new Counters<string>();
    asm = new ClientHelloAssembler(clock, counters);
  });

  it('reassembles fragments in order and reports the highest record sequence number', () => {
    const b = body();
    expect(asm.add(frag(b, 0, 500), 7)).to.equal(undefined);
    expect(asm.add(frag(b, 500, 500), 8)).to.equal(undefined);
    expect(asm.pending).to.equal(1);
    expect(asm.pendingBytes).to.equal(1500);
    const whole = asm.add(frag(b, 1000, 500), 9)!;
    expect(whole.body.equals(b)).to.equal(true);
    expect(whole.messageSeq).to.equal(0);
    expect(whole.recordSeq).to.equal(9);
    expect(asm.pending).to.equal(0);
    expect(asm.pendingBytes).to.equal(0);
    expect(counters.get('clientHelloReassembled')).to.equal(1);
    expect(counters.get('clientHelloFragmentBuffered')).to.equal(2);
  });

  it('reassembles fragments out of order', () => {
    const b = body();
    expect(asm.add(frag(b, 1000, 500), 3)).to.equal(undefined);
    expect(asm.add(frag(b, 0, 500), 1)).to.equal(undefined);
    const whole = asm.add(frag(b, 500, 500), 2)!;
    expect(whole.body.equals(b)).to.equal(true);
    expect(whole.recordSeq).to.equal(3);
  });

  it('ignores duplicated fragments (a duplicate neither completes nor corrupts the message)', () => {
    const b = body();
    expect(asm.add(frag(b, 0, 700), 1)).to.equal(undefined);
    expect(asm.add(frag(b, 0, 700), 2)).to.equal(undefined);
    expect(asm.add(frag(b, 0, 700), 3)).to.equal(undefined);
    expect(asm.pending).to.equal(1);
    const whole = asm.add(frag(b, 700, 800), 4)!;
    expect(whole.body.equals(b)).to.equal(true);
    expect(counters.get('inconsistentFragment')).to.equal(0);
  });

  it('accepts overlapping fragments that agree, and combines a retransmitted copy cut differently', () => {
    const b = body();
    expect(asm.add(frag(b, 0, 600), 1)).to.equal(undefined);
    expect(asm.add(frag(b, 400, 600), 2)).to.equal(undefined); // overlaps 400..600
    // The "retransmission" is fragmented at other boundaries and fills the last gap.
    const whole = asm.add(frag(b, 900, 600), 5)!;
    expect(whole.body.equals(b)).to.equal(true);
    expect(counters.get('inconsistentFragment')).to.equal(0);
  });

  it('an overlapping fragment that disagrees discards the partial and starts over from itself', () => {
    const b = body();
    const forged = Buffer.from(b);
    forged[550] ^= 0xff;
    expect(asm.add(frag(b, 0, 600), 1)).to.equal(undefined);
    expect(asm.add(frag(forged, 500, 600), 2)).to.equal(undefined);
    expect(counters.get('inconsistentFragment')).to.equal(1);
    expect(asm.pending).to.equal(1);
    // The genuine hello, retransmitted in three fragments: its middle fragment contradicts the
    // forged byte, so the poisoned partial is dropped and the genuine bytes start a new one.
    expect(asm.add(frag(b, 0, 500), 3)).to.equal(undefined);
    expect(asm.add(frag(b, 500, 500), 4)).to.equal(undefined);
    expect(counters.get('inconsistentFragment')).to.equal(2);
    expect(asm.add(frag(b, 1000, 500), 5)).to.equal(undefined);
    // The next retransmission supplies the head again and the genuine hello completes.
    const whole = asm.add(frag(b, 0, 500), 6)!;
    expect(whole.body.equals(b)).to.equal(true);
    expect(whole.recordSeq).to.equal(6);
  });

  it('a never-completed ClientHello expires after lifetimeMs and its bytes are not reused', () => {
    const b = body();
    expect(asm.add(frag(b, 0, 1000), 1)).to.equal(undefined);
    clock.advance(DEFAULT_HELLO_LIMITS.lifetimeMs - 1);
    // A repeated fragment does not extend the lifetime: it counts from the first fragment.
    expect(asm.add(frag(b, 0, 10), 2)).to.equal(undefined);
    expect(asm.pending).to.equal(1);
    clock.advance(1);
    // The missing tail arrives too late: the old head was dropped, so nothing completes.
    expect(asm.add(frag(b, 1000, 500), 3)).to.equal(undefined);
    expect(counters.get('clientHelloPartialExpired')).to.equal(1);
    expect(asm.pending).to.equal(1);
    expect(asm.pendingBytes).to.equal(1500);
    clock.advance(DEFAULT_HELLO_LIMITS.lifetimeMs);
    asm.add(frag(body(200, 1), 0, 100, 1), 4);
    expect(counters.get('clientHelloPartialExpired')).to.equal(2);
    expect(asm.pending).to.equal(1);
    expect(asm.pendingBytes).to.equal(200);
  });

  it('a flood of 2000 partial ClientHellos stays within maxPartials and maxTotalBytes; a genuine one still completes', () => {
    const { maxPartials, maxTotalBytes } = DEFAULT_HELLO_LIMITS;
    let peakCount = 0;
    let peakBytes = 0;
    for (let i = 0; i < 2000; i++) {
      const length = 1000 + (i % 7) * 2000; // 1000..13000 bytes each
      asm.add({ msgType: 1, length, messageSeq: i % 65536, fragmentOffset: 0, body: Buffer.alloc(10, i & 0xff) }, i);
      peakCount = Math.max(peakCount, asm.pending);
      peakBytes = Math.max(peakBytes, asm.pendingBytes);
    }
    expect(peakCount).to.equal(maxPartials);
    expect(peakBytes).to.be.at.most(maxTotalBytes);
    expect(counters.get('clientHelloPartialEvicted')).to.equal(2000 - asm.pending);
    const b = body(1500, 9);
    asm.add(frag(b, 0, 750, 0), 5000);
    const whole = asm.add(frag(b, 750, 750, 0), 5001)!;
    expect(whole.body.equals(b)).to.equal(true);
  });

  it('refuses a ClientHello longer than maxMessageBytes without allocating for it', () => {
    expect(asm.add({ msgType: 1, length: DEFAULT_HELLO_LIMITS.maxMessageBytes + 1, messageSeq: 0, fragmentOffset: 0, body: Buffer.alloc(100) }, 0)).to.equal(undefined);
    expect(asm.add({ msgType: 1, length: 0, messageSeq: 0, fragmentOffset: 0, body: Buffer.alloc(0) }, 0)).to.equal(undefined);
    expect(counters.get('oversizedClientHello')).to.equal(2);
    expect(asm.pending).to.equal(0);
  });

  it('keeps different message_seq values apart (first hello and the cookie-bearing second hello)', () => {
    const first = body(1300, 1);
    const second = body(1320, 2);
    asm.add(frag(first, 0, 650, 0), 0);
    asm.add(frag(second, 0, 660, 1), 2);
    expect(asm.pending).to.equal(2);
    expect(asm.add(frag(second, 660, 660, 1), 3)!.body.equals(second)).to.equal(true);
    expect(asm.add(frag(first, 650, 650, 0), 1)!.body.equals(first)).to.equal(true);
  });
});

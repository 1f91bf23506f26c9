import type { Clock, Counters } from '@rivulet/common';
import type { HandshakeFragment } from './fragment.js';

/**
 * Bounds on the state a server keeps for unauthenticated ClientHello fragments (RFC 6347 §4.2.1:
 * before the cookie exchange the server should commit as little as possible; §4.2.3: a ClientHello
 * may still arrive in several fragments, which modern browsers' large hellos do).
 */
export interface HelloAssemblerLimits {
  /** Partial ClientHellos kept at once; a new one evicts the oldest. */
  maxPartials: number;
  /** Largest ClientHello we reassemble (bytes of body). */
  maxMessageBytes: number;
  /** Sum of the bodies of all partial ClientHellos; a new one evicts the oldest until it fits. */
  maxTotalBytes: number;
  /** A partial ClientHello not completed within this time is forgotten. */
  lifetimeMs: number;
}

/**
 * Defaults: a 2026 Chromium ClientHello offering DTLS 1.3 with an X25519MLKEM768 key share is about
 * 1.6–2 KB; 16 KiB (the record plaintext limit) leaves room for larger post-quantum shares. Four
 * partials cover a hello and its retransmission plus the cookie-bearing second hello. Five seconds
 * spans the peer's 1 s / 2 s retransmissions, so fragments lost from different copies still combine.
 */
export const DEFAULT_HELLO_LIMITS: HelloAssemblerLimits = {
  maxPartials: 4,
  maxMessageBytes: 16 * 1024,
  maxTotalBytes: 32 * 1024,
  lifetimeMs: 5_000,
};

/** A reassembled ClientHello with the record sequence number the HelloVerifyRequest must echo. */
export interface AssembledHello {
  body: Buffer;
  messageSeq: number;
  /** Highest record sequence number among the records that carried its fragments. */
  recordSeq: number;
}

interface PartialHello {
  messageSeq: number;
  body: Buffer;
  have: Uint8Array;
  missing: number;
  recordSeq: number;
  createdAt: number;
}

/**
 * Reassembles fragmented ClientHellos before the cookie exchange, with strictly bounded state: at
 * most `maxPartials` messages, `maxTotalBytes` in all, each forgotten after `lifetimeMs`. Partials
 * are keyed by (message_seq, length), so a retransmitted copy fills the gaps of an earlier one.
 * Overlapping fragments must agree byte for byte; a disagreeing fragment discards the partial and
 * starts a new one from itself (an injected fragment cannot block the genuine hello for long).
 * Only reassembly happens here; the caller verifies the cookie over the whole body.
 */
export class ClientHelloAssembler {
  private readonly partials: PartialHello[] = [];
  private bytes = 0;

  constructor(
    private readonly clock: Clock,
    private readonly counters: Counters<string>,
    readonly limits: HelloAssemblerLimits = DEFAULT_HELLO_LIMITS,
  ) {}

  /** Number of partial ClientHellos currently held (for tests and stats). */
  get pending(): number {
    return this.partials.length;
  }

  /** Bytes of body currently held across all partials. */
  get pendingBytes(): number {
    return this.bytes;
  }

  /** Adds one fragment; returns the whole ClientHello when this fragment completed it. */
  add(fragment: HandshakeFragment, recordSeq: number): AssembledHello | undefined {
    this.expire();
    const { length, messageSeq, fragmentOffset, body } = fragment;
    if (length === 0 || length > this.limits.maxMessageBytes) {
      this.counters.inc('oversizedClientHello');
      return undefined;
    }
    let p = this.partials.find((x) => x.messageSeq === messageSeq && x.body.length === length);
    if (p && !this.agrees(p, fragmentOffset, body)) {
      this.counters.inc('inconsistentFragment');
      this.remove(p);
      p = undefined;
    }
    if (!p) {
      this.makeRoom(length);
      p = { messageSeq, body: Buffer.alloc(length), have: new Uint8Array(length), missing: length, recordSeq, createdAt: this.clock.now() };
      this.partials.push(p);
      this.bytes += length;
    }
    body.copy(p.body, fragmentOffset);
    for (let i = fragmentOffset; i < fragmentOffset + body.length; i++) {
      if (p.have[i] === 0) {
        p.have[i] = 1;
        p.missing--;
      }
    }
    p.recordSeq = Math.max(p.recordSeq, recordSeq);
    if (p.missing > 0) {
      this.counters.inc('clientHelloFragmentBuffered');
      return undefined;
    }
    this.remove(p);
    this.counters.inc('clientHelloReassembled');
    return { body: p.body, messageSeq: p.messageSeq, recordSeq: p.recordSeq };
  }

  /** Drops everything (the handshake moved past the hello). */
  clear(): void {
    this.partials.length = 0;
    this.bytes = 0;
  }

  private agrees(p: PartialHello, offset: number, body: Buffer): boolean {
    for (let i = 0; i < body.length; i++) {
      if (p.have[offset + i] === 1 && p.body[offset + i] !== body[i]) return false;
    }
    return true;
  }

  private expire(): void {
    const now = this.clock.now();
    for (let i = this.partials.length - 1; i >= 0; i--) {
      const p = this.partials[i]!;
      if (now - p.createdAt >= this.limits.lifetimeMs) {
        this.remove(p);
        this.counters.inc('clientHelloPartialExpired');
      }
    }
  }

  /** Evicts the oldest partials until one more of `length` bytes fits both caps. */
  private makeRoom(length: number): void {
    while (this.partials.length > 0 && (this.partials.length >= this.limits.maxPartials || this.bytes + length > this.limits.maxTotalBytes)) {
      this.remove(this.partials[0]!);
      this.counters.inc('clientHelloPartialEvicted');
    }
  }

  private remove(p: PartialHello): void {
    const i = this.partials.indexOf(p);
    if (i < 0) return;
    this.partials.splice(i, 1);
    this.bytes -= p.body.length;
  }
}

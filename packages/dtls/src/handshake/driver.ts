import { ParseError, type Counters } from '@rivulet/common';
import { AlertDescription } from '../constants.js';
import { DtlsAlertError } from '../errors.js';
import type { DtlsRecord } from '../record/record.js';
import type { RoleHandshake } from './context.js';
import { HandshakeReassembler, parseHandshakeFragments } from './fragment.js';

export interface HandshakeDriverHooks {
  readonly counters: Counters<string>;
  /** The peer repeated a flight: ours was probably lost (RFC 6347 §4.2.4). */
  peerRetransmitted(): void;
  /** End the connection, sending `alert` first when given. */
  fail(error: Error, alert: number | undefined): void;
  isTerminal(): boolean;
}

/**
 * Turns decrypted handshake records into in-order messages for the role's state machine, and the
 * state machine's exceptions into outcomes: a ParseError drops the message (RFC 6347 §4.1.2.7,
 * invalid input is discarded) and lets a retransmission replace it; a DtlsAlertError fails the
 * handshake with that alert; anything else is our bug and fails with internal_error.
 */
export class HandshakeDriver {
  readonly reassembler = new HandshakeReassembler();

  constructor(
    private readonly handshake: RoleHandshake,
    private readonly hooks: HandshakeDriverHooks,
  ) {}

  handleRecord(record: DtlsRecord, plaintext: Buffer): void {
    const { counters } = this.hooks;
    const fragments = parseHandshakeFragments(plaintext);
    if (!fragments) {
      counters.inc('malformedHandshake');
      return;
    }
    for (const f of fragments) {
      if (record.epoch === 0 && this.handshake.handleStatelessHello) {
        let consumed = false;
        this.step(() => {
          consumed = this.handshake.handleStatelessHello!(f, record.sequenceNumber);
        }, undefined);
        if (consumed || this.hooks.isTerminal()) continue;
      }
      if (record.epoch === 0 && this.handshake.complete && f.messageSeq >= this.reassembler.nextSeq) {
        // After the handshake, unprotected handshake data can only be a retransmission; anything
        // new in epoch 0 is unauthenticated and must not disturb the connection.
        counters.inc('unprotectedHandshakeIgnored');
        continue;
      }
      const verdict = this.reassembler.add(f, record.epoch);
      if (verdict === 'old') {
        counters.inc('duplicateHandshake');
        this.hooks.peerRetransmitted();
      } else if (verdict !== 'buffered') {
        counters.inc(verdict === 'tooFarAhead' ? 'handshakeTooFarAhead' : 'inconsistentFragment');
      }
    }
    for (let m = this.reassembler.next(); m && !this.hooks.isTerminal(); m = this.reassembler.next()) {
      const message = m;
      this.step(() => this.handshake.handle(message), message.messageSeq);
    }
  }

  private step(fn: () => void, messageSeq: number | undefined): void {
    try {
      fn();
    } catch (err) {
      if (err instanceof ParseError) {
        this.hooks.counters.inc('malformedHandshake');
        if (messageSeq !== undefined) this.reassembler.reset(messageSeq);
        return;
      }
      if (err instanceof DtlsAlertError) {
        this.hooks.fail(err, err.alert);
        return;
      }
      this.hooks.counters.inc('internalError');
      this.hooks.fail(new Error(`DTLS internal error: ${(err as Error).message}`), AlertDescription.internalError);
    }
  }
}

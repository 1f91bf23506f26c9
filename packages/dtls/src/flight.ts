import type { Clock, Timer } from '@rivulet/common';
import { ContentType } from './constants.js';
import { fragmentMessage, HANDSHAKE_HEADER_LENGTH } from './handshake/fragment.js';
import { RecordLayer } from './record/recordLayer.js';

export type FlightEntry =
  | { kind: 'handshake'; msgType: number; messageSeq: number; body: Buffer; epoch: number }
  | { kind: 'changeCipherSpec' };

/** RFC 6347 §4.2.4.1: timers double on each retransmission up to 60 s. */
export const MAX_RETRANSMIT_MS = 60_000;

/**
 * Our outstanding flight and its retransmission timer (RFC 6347 §4.2.4). A flight is rebuilt into
 * fresh records on every transmission (new sequence numbers, RFC 6347 §4.2.4 "retransmitted
 * messages ... use new record sequence numbers") and packed into datagrams no larger than the MTU.
 */
export class FlightTransmitter {
  private entries: FlightEntry[] | undefined;
  private timer: Timer | undefined;
  private timeoutMs: number;
  private lastSentAt = -Infinity;
  retransmissions = 0;

  constructor(
    private readonly clock: Clock,
    private readonly records: RecordLayer,
    private readonly mtu: number,
    private readonly initialTimeoutMs: number,
    private readonly output: (datagram: Buffer) => void,
  ) {
    this.timeoutMs = initialTimeoutMs;
  }

  /** Makes `entries` the current flight and sends it; with `timed`, retransmits until stop(). */
  start(entries: FlightEntry[], timed: boolean): void {
    this.cancelTimer();
    this.entries = entries;
    this.timeoutMs = this.initialTimeoutMs;
    this.transmit();
    if (timed) this.arm();
  }

  /** The peer resent its previous flight, so ours was lost: resend now (RFC 6347 §4.2.4), at most every timeout/4. */
  onPeerRetransmission(): void {
    if (!this.entries) return;
    if (this.clock.now() - this.lastSentAt < this.initialTimeoutMs / 4) return;
    this.retransmissions++;
    this.transmit();
  }

  /**
   * Resends the current flight now when its retransmission timer is running (the flight is still
   * unanswered), keeping the timer's schedule; returns whether it sent. For a transport-level hint
   * that the path is now usable (ICE selected a pair), so a first flight the peer could not take
   * yet costs one round trip instead of a full timeout (RFC 6347 §4.2.4.1 leaves the timer policy
   * to the implementation).
   */
  resendNow(): boolean {
    if (!this.entries || !this.timer) return false;
    this.retransmissions++;
    this.transmit();
    return true;
  }

  /** Stops the timer; the flight is kept so a peer's retransmission can still be answered. */
  stop(): void {
    this.cancelTimer();
  }

  clear(): void {
    this.cancelTimer();
    this.entries = undefined;
  }

  private arm(): void {
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      if (!this.entries) return;
      this.timeoutMs = Math.min(this.timeoutMs * 2, MAX_RETRANSMIT_MS);
      this.retransmissions++;
      this.transmit();
      this.arm();
    }, this.timeoutMs);
  }

  private cancelTimer(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }

  private transmit(): void {
    if (!this.entries) return;
    const records: Buffer[] = [];
    for (const entry of this.entries) {
      if (entry.kind === 'changeCipherSpec') {
        // RFC 5246 §7.1: sent under the current (old) write state, epoch 0 here.
        records.push(this.records.seal(ContentType.changeCipherSpec, 0, Buffer.from([1])));
        this.records.writeEpoch = 1;
        continue;
      }
      const maxBody = this.mtu - this.records.overhead(entry.epoch) - HANDSHAKE_HEADER_LENGTH;
      for (const fragment of fragmentMessage(entry.msgType, entry.messageSeq, entry.body, maxBody)) {
        records.push(this.records.seal(ContentType.handshake, entry.epoch, fragment));
      }
    }
    this.lastSentAt = this.clock.now();
    for (const datagram of RecordLayer.pack(records, this.mtu)) this.output(datagram);
  }
}

/**
 * When the receiver acknowledges DATA (RFC 9260 §6.2).
 *
 * §6.2 says a SACK SHOULD be sent for at least every second packet carrying DATA, and
 * RFC 6458 §8.1.19 (sack_freq) makes the count a knob. Every SACK costs a whole packet on
 * both sides: over DTLS that is one record sealed and opened plus a UDP send and receive,
 * about a third of all packets of a bulk transfer at every-second-packet. So once the
 * peer is plainly sending a long run of packets we acknowledge every `stretch`-th packet
 * (default 4; stretch ACKs, cf. RFC 2525 §2.13 for TCP), and go back to every second
 * packet whenever the delayed-SACK timer fires, i.e. whenever the peer stopped with data
 * unacknowledged: a peer whose cwnd is only a few packets (after its slow-start start or a
 * timeout) then never waits for our timer more than once. Gaps, duplicates, FORWARD TSN
 * and the RFC 7053 I bit still get an immediate SACK (session.ts); this only decides the
 * in-order case.
 */
export class SackPolicy {
  /** DATA-carrying packets since our last SACK. */
  private packets = 0;
  /** DATA-carrying packets since the delayed-SACK timer last fired. */
  private streak = 0;

  /**
   * @param stretch acknowledge every this many packets during a long run (1..16)
   * @param warmup packets in a row (without a delayed-SACK timeout) before stretching
   */
  constructor(
    private readonly stretch: number,
    private readonly warmup = 32,
  ) {}

  /** Packets per SACK right now. */
  get frequency(): number {
    return this.streak >= this.warmup ? this.stretch : Math.min(2, this.stretch);
  }

  /** A packet with DATA arrived in order; true when a SACK is due now. */
  onDataPacket(): boolean {
    this.packets++;
    if (this.streak < this.warmup) this.streak++;
    return this.packets >= this.frequency;
  }

  /** A SACK went out (for whatever reason). */
  onSackSent(): void {
    this.packets = 0;
  }

  /** The delayed-SACK timer fired: the peer may be window-limited, so stop stretching. */
  onDelayedSackTimeout(): void {
    this.streak = 0;
  }
}

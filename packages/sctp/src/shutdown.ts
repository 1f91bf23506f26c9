import type { Clock } from '@rivulet/common';
import { ChunkType, type Chunk } from './chunks/types.js';
import type { AssociationState } from './associationTypes.js';
import type { PeerSession } from './session.js';
import { TimerSlot } from './timer.js';

export interface ShutdownHost {
  readonly state: AssociationState;
  readonly session: PeerSession | undefined;
  setState(s: AssociationState): void;
  control(chunk: Chunk): void;
  flush(): void;
}

/**
 * Graceful shutdown (RFC 9260 §9.2): SHUTDOWN once all our data is
 * acknowledged, SHUTDOWN ACK once the peer's SHUTDOWN arrived and our data is
 * acknowledged, both retransmitted on the T2-shutdown timer. SHUTDOWN ACK and
 * SHUTDOWN COMPLETE end the association in SctpAssociation itself.
 */
export class GracefulShutdown {
  private readonly t2: TimerSlot;
  private chunk: Chunk | undefined;

  constructor(
    clock: Clock,
    private readonly host: ShutdownHost,
  ) {
    this.t2 = new TimerSlot(clock, () => this.onT2());
  }

  stop(): void {
    this.t2.cancel();
  }

  /** A SHUTDOWN chunk arrived (§9.2). */
  onShutdown(cumTsnAck: number): void {
    const s = this.host.session;
    if (!s) return;
    const st = this.host.state;
    if (st === 'established' || st === 'shutdown-pending') {
      // Its cumulative TSN ack acknowledges our data like a SACK would.
      s.onSack({ type: ChunkType.SACK, cumTsnAck, aRwnd: s.sender.peerRwnd + s.sender.flightSize, gapBlocks: [], duplicateTsns: [] });
      this.host.setState('shutdown-received');
      this.proceed();
    } else if (st === 'shutdown-sent') {
      // Both sides shut down at once: answer with SHUTDOWN ACK.
      this.start({ type: ChunkType.SHUTDOWN_ACK });
      this.host.setState('shutdown-ack-sent');
    }
  }

  /** Once everything we sent is acknowledged, take the next shutdown step. */
  proceed(): void {
    const s = this.host.session;
    if (!s || !s.sender.idle) return;
    const st = this.host.state;
    if (st === 'shutdown-pending') {
      this.start({ type: ChunkType.SHUTDOWN, cumTsnAck: s.tracker.cumTsn });
      this.host.setState('shutdown-sent');
    } else if (st === 'shutdown-received') {
      this.start({ type: ChunkType.SHUTDOWN_ACK });
      this.host.setState('shutdown-ack-sent');
    }
  }

  private start(chunk: Chunk): void {
    this.chunk = chunk;
    this.host.control(chunk);
    this.t2.start(this.host.session!.sender.rto.rto);
  }

  /** T2-shutdown expiry: retransmit, back off, count towards Association.Max.Retrans. */
  private onT2(): void {
    const s = this.host.session;
    if (!s || !this.chunk) return;
    if (!s.countError()) return;
    s.sender.rto.backoff();
    if (this.chunk.type === ChunkType.SHUTDOWN) this.chunk = { type: ChunkType.SHUTDOWN, cumTsnAck: s.tracker.cumTsn };
    this.host.control(this.chunk);
    this.t2.start(s.sender.rto.rto);
    this.host.flush();
  }
}

import { add32, seqLessOrEqual32 } from '@rivulet/common';
import {
  ReconfigResult,
  type OutgoingSsnResetRequest,
  type ReconfigChunk,
  type ReconfigParam,
  type ReconfigResponse,
} from './chunks/types.js';

export interface StreamResetHooks {
  /** The TSN most recently assigned to outgoing DATA (RFC 6525 §4.1 Sender's Last Assigned TSN). */
  lastAssignedTsn(): number;
  /** Whether messages on a stream still wait for TSNs; the request must cover them (§5.1.2). */
  hasPendingData(streamId: number): boolean;
  /** Our cumulative TSN of received DATA. */
  cumTsn(): number;
  /** The peer reset its outgoing streams; our incoming SSNs restart at 0. */
  incomingReset(streams: number[]): void;
  /** The peer acknowledged our outgoing reset; our outgoing SSNs restart at 0. */
  outgoingReset(streams: number[], result: number): void;
}

/**
 * Stream reconfiguration (RFC 6525): the Outgoing SSN Reset Request we send
 * to close streams (§5.1.2), and the peer's we answer (§5.2.2), with one
 * request of ours outstanding at a time. WebRTC closes a data channel this
 * way (RFC 8831 §6.7). Incoming SSN Reset Requests (§5.2.3) are answered
 * "Denied": WebRTC peers do not send them.
 */
export class StreamReset {
  private nextRequestSeq: number;
  private readonly queued = new Set<number>();
  private outstanding: OutgoingSsnResetRequest | undefined;
  /** The outstanding request must be (re)transmitted. */
  private sendRequest = false;
  private peerExpectedSeq: number;
  private lastPeerResult: number = ReconfigResult.SUCCESS_PERFORMED;
  private deferred: OutgoingSsnResetRequest | undefined;
  private responses: ReconfigResponse[] = [];

  constructor(
    localInitialTsn: number,
    peerInitialTsn: number,
    private readonly hooks: StreamResetHooks,
  ) {
    // §5.1.1: request sequence numbers start at the sender's initial TSN.
    this.nextRequestSeq = localInitialTsn >>> 0;
    this.peerExpectedSeq = peerInitialTsn >>> 0;
  }

  /** Whether a request of ours awaits its response (the reconfig timer should run). */
  get awaitingResponse(): boolean {
    return this.outstanding !== undefined;
  }

  /** Queues streams for an outgoing reset; sent as soon as no other request is outstanding. */
  request(streams: readonly number[]): void {
    for (const s of streams) this.queued.add(s);
  }

  /** The reconfig timer expired: send the outstanding request again (§5.1.1: as for T3). */
  onTimeout(): void {
    if (this.outstanding) this.sendRequest = true;
  }

  /** Called when our cumulative TSN advances: a deferred peer reset may now proceed (§5.2.2). */
  onCumAdvanced(): void {
    const d = this.deferred;
    if (d && seqLessOrEqual32(d.senderLastTsn, this.hooks.cumTsn())) {
      this.deferred = undefined;
      this.lastPeerResult = ReconfigResult.SUCCESS_PERFORMED;
      this.hooks.incomingReset(d.streams);
    }
  }

  /** The RE-CONFIG chunk to bundle into the next packet, if any. */
  takeChunk(): ReconfigChunk | undefined {
    const params: ReconfigParam[] = [];
    const response = this.responses.shift();
    if (response) params.push(response);
    if (!this.outstanding && this.queued.size > 0 && ![...this.queued].some((id) => this.hooks.hasPendingData(id))) {
      this.outstanding = {
        type: 13,
        requestSeq: this.nextRequestSeq,
        responseSeq: add32(this.peerExpectedSeq, -1),
        senderLastTsn: this.hooks.lastAssignedTsn(),
        streams: [...this.queued],
      };
      this.queued.clear();
      this.sendRequest = true;
    }
    if (this.sendRequest && this.outstanding) {
      params.push(this.outstanding);
      this.sendRequest = false;
    }
    return params.length > 0 ? { type: 130, params } : undefined;
  }

  handle(chunk: ReconfigChunk): void {
    for (const p of chunk.params) {
      if (p.type === 13) this.handlePeerRequest(p);
      else if (p.type === 14) this.respond(p.requestSeq, ReconfigResult.DENIED, true);
      else if (p.type === 16) this.handleResponse(p);
      else if (p.type !== 'other') {
        // §5.2.4–5.2.6 (SSN/TSN reset, add streams) are not offered in our INIT; deny.
        const seq = p.raw.value.length >= 4 ? p.raw.value.readUInt32BE(0) : 0;
        this.respond(seq, ReconfigResult.DENIED, true);
      }
    }
  }

  private respond(seq: number, result: number, consume: boolean): void {
    if (consume && seq === this.peerExpectedSeq) {
      this.peerExpectedSeq = add32(seq, 1);
      this.lastPeerResult = result;
    }
    this.responses.push({ type: 16, responseSeq: seq, result });
  }

  /** §5.2.2 Outgoing SSN Reset Request received. */
  private handlePeerRequest(p: OutgoingSsnResetRequest): void {
    if (p.requestSeq === add32(this.peerExpectedSeq, -1)) {
      // A retransmission: repeat the last answer (which may since have become success).
      this.responses.push({ type: 16, responseSeq: p.requestSeq, result: this.lastPeerResult });
      return;
    }
    if (p.requestSeq !== this.peerExpectedSeq) {
      this.responses.push({ type: 16, responseSeq: p.requestSeq, result: ReconfigResult.ERROR_BAD_SEQUENCE_NUMBER });
      return;
    }
    if (seqLessOrEqual32(p.senderLastTsn, this.hooks.cumTsn())) {
      this.respond(p.requestSeq, ReconfigResult.SUCCESS_PERFORMED, true);
      this.hooks.incomingReset(p.streams);
    } else {
      // Data sent before the reset is still missing: defer until it has arrived.
      this.deferred = p;
      this.respond(p.requestSeq, ReconfigResult.IN_PROGRESS, true);
    }
  }

  private handleResponse(r: ReconfigResponse): void {
    const o = this.outstanding;
    if (!o || r.responseSeq !== o.requestSeq) return;
    if (r.result === ReconfigResult.IN_PROGRESS) return; // keep it; the timer resends it
    this.outstanding = undefined;
    this.sendRequest = false;
    this.nextRequestSeq = add32(this.nextRequestSeq, 1);
    this.hooks.outgoingReset(o.streams, r.result);
  }
}

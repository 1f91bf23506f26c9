/** Types shared by the outbound path: send options, queued messages and chunks in flight. */

/** Per-message partial-reliability policy (RFC 3758 §3.5, RFC 8831 §6.6). */
export interface SendOptions {
  unordered?: boolean;
  /** Abandon after this many retransmissions (0: send once). */
  maxRetransmits?: number;
  /** No (re)transmission once this many ms have passed since send() (RFC 8831 §6.1 timed reliability). */
  maxLifetimeMs?: number;
  /** Control messages (DCEP) do not count towards the stream's bufferedAmount. */
  excludeFromBufferedAmount?: boolean;
  /** Stream priority as the RFC 8832 wire value (128, 256, 512, 1024); weights the scheduler. */
  priority?: number;
}

/** A user message from send() to its last acknowledgement; ssn, firstTsn and count are set when the scheduler picks it. */
export interface OutMessage {
  streamId: number;
  ppid: number;
  /** The whole message; its DATA chunks are views of it. */
  data: Buffer;
  unordered: boolean;
  ssn: number;
  firstTsn: number;
  count: number;
  maxRetransmits: number | undefined;
  expiresAt: number | undefined;
  abandoned: boolean;
  counted: boolean;
}

/** One DATA chunk from send to cumulative ack (RFC 9260 §6.1, §6.3). */
export interface OutChunk {
  tsn: number;
  msg: OutMessage;
  ppid: number;
  data: Buffer;
  beginning: boolean;
  ending: boolean;
  /** Bytes this chunk counts for in flight size (header + data, §6.1). */
  size: number;
  sendCount: number;
  sentAt: number;
  acked: boolean;
  inFlight: boolean;
  retransmit: boolean;
  fastRetransmitted: boolean;
  missIndications: number;
  abandoned: boolean;
}

export interface SackResult {
  /** The cumulative ack advanced (§8.3: resets the error counter). */
  cumAdvanced: boolean;
  /** Chunks were newly marked for fast retransmit. */
  fastRetransmit: boolean;
}

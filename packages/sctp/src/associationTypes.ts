/** Public types of SctpAssociation, in their own file so helpers can import them without a cycle. */

/** RFC 9260 §4 association states (CLOSED also after the end of an association). */
export type AssociationState =
  | 'closed'
  | 'cookie-wait'
  | 'cookie-echoed'
  | 'established'
  | 'shutdown-pending'
  | 'shutdown-sent'
  | 'shutdown-received'
  | 'shutdown-ack-sent';

export interface AssociationEvents {
  statechange: [state: AssociationState];
  established: [];
  /** The association ended; `reason` is set when it did not end by a clean shutdown. */
  closed: [reason: string | undefined];
  /** The peer aborted, the peer was declared unreachable, or the handshake failed. */
  error: [error: Error];
  message: [streamId: number, ppid: number, data: Buffer];
  /** Our Outgoing SSN Reset Request for these streams was answered (RFC 6525 §5.1.2). */
  outgoingStreamsReset: [streams: number[]];
  /** The peer reset its outgoing streams, i.e. our incoming ones (RFC 6525 §5.2.2). */
  incomingStreamsReset: [streams: number[]];
  /** The unsent bytes queued on a stream went down (sent for the first time, or abandoned). */
  bufferedAmountDecrease: [streamId: number, bufferedAmount: number];
}

export type DropReason =
  | 'badChecksum'
  | 'malformed'
  | 'badPort'
  | 'badVerificationTag'
  | 'outOfTheBlue'
  | 'unexpectedChunk'
  | 'badCookie'
  | 'staleCookie'
  | 'cookieTagMismatch'
  | 'duplicateTsn'
  | 'tsnTooFar'
  | 'receiveWindowFull'
  | 'noUserData'
  | 'invalidStream'
  | 'unknownChunk'
  | 'internalError';

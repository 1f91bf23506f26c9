import type { EventInit } from './eventTarget.js';
/**
 * DOMException helpers with the names the W3C spec uses, and RTCError
 * (webrtc-pc §11.1), an OperationError carrying WebRTC-specific detail.
 */

export type DOMExceptionName =
  | 'InvalidStateError' | 'InvalidAccessError' | 'InvalidModificationError' | 'OperationError' | 'SyntaxError'
  | 'NotSupportedError' | 'NotFoundError' | 'InvalidCharacterError' | 'NotReadableError' | 'AbortError'
  | 'OverconstrainedError' | 'DataError';

export function domError(name: DOMExceptionName, message: string): DOMException {
  return new DOMException(message, name);
}

export const invalidState = (m: string) => domError('InvalidStateError', m);
export const invalidAccess = (m: string) => domError('InvalidAccessError', m);
export const invalidModification = (m: string) => domError('InvalidModificationError', m);
export const operationError = (m: string) => domError('OperationError', m);
export const syntaxError = (m: string) => domError('SyntaxError', m);

export type RTCErrorDetailType =
  | 'data-channel-failure' | 'dtls-failure' | 'fingerprint-failure' | 'sctp-failure' | 'sdp-syntax-error'
  | 'hardware-encoder-not-available' | 'hardware-encoder-error';

export interface RTCErrorInit {
  errorDetail: RTCErrorDetailType;
  sdpLineNumber?: number;
  sctpCauseCode?: number;
  receivedAlert?: number;
  sentAlert?: number;
  httpRequestStatusCode?: number;
}

/** webrtc-pc §11.1.1: RTCError is a DOMException whose name is always "OperationError". */
export class RTCError extends DOMException {
  readonly errorDetail: RTCErrorDetailType;
  readonly sdpLineNumber: number | null;
  readonly sctpCauseCode: number | null;
  readonly receivedAlert: number | null;
  readonly sentAlert: number | null;
  readonly httpRequestStatusCode: number | null;

  constructor(init: RTCErrorInit, message = '') {
    super(message, 'OperationError');
    this.errorDetail = init.errorDetail;
    this.sdpLineNumber = init.sdpLineNumber ?? null;
    this.sctpCauseCode = init.sctpCauseCode ?? null;
    this.receivedAlert = init.receivedAlert ?? null;
    this.sentAlert = init.sentAlert ?? null;
    this.httpRequestStatusCode = init.httpRequestStatusCode ?? null;
  }
}

export interface RTCErrorEventInit extends EventInit {
  error: RTCError;
}

export class RTCErrorEvent extends Event {
  readonly error: RTCError;
  constructor(type: string, init: RTCErrorEventInit) {
    super(type, init);
    if (!init || !(init.error instanceof RTCError)) throw new TypeError("RTCErrorEvent: init.error must be an RTCError");
    this.error = init.error;
  }
}

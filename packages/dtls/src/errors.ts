import { alertName } from './constants.js';

/**
 * A handshake failure that must be signalled to the peer with a fatal alert (RFC 5246 §7.2.2).
 * Handshake code throws it; the endpoint catches it, sends the alert, and fails with `message`.
 */
export class DtlsAlertError extends Error {
  override readonly name = 'DtlsAlertError';

  constructor(
    readonly alert: number,
    message: string,
  ) {
    super(`${message} (alert ${alertName(alert)})`);
  }
}

/** The peer told us the handshake or connection failed (a fatal alert it sent). */
export class DtlsPeerAlertError extends Error {
  override readonly name = 'DtlsPeerAlertError';

  constructor(readonly alert: number) {
    super(`peer sent fatal alert ${alertName(alert)} (${alert})`);
  }
}

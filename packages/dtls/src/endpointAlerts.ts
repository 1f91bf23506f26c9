import { createLogger } from '@rivulet/common';
import { AlertDescription, AlertLevel, alertName, ContentType } from './constants.js';
import type { DtlsEndpoint } from './endpoint.js';
import { DtlsPeerAlertError } from './errors.js';
import type { DtlsRecord } from './record/record.js';
import { RecordLayer } from './record/recordLayer.js';

const log = createLogger('dtls');

// Alerts (RFC 5246 §7.2) in and out of a DtlsEndpoint. Sending is best effort: an alert that
// cannot be sealed is logged, since it is sent while closing or failing anyway.

/** An alert record from the peer: close_notify closes (answered in kind), a fatal alert fails, a warning is counted. */
export function processAlert(ep: DtlsEndpoint, record: DtlsRecord, plaintext: Buffer): void {
  if (plaintext.length !== 2) {
    ep.counters.inc('malformedAlert');
    return;
  }
  if (record.epoch === 0 && ep.currentState === 'connected') {
    // Once keys are in use, an unprotected alert could come from anyone.
    ep.counters.inc('unprotectedAlertIgnored');
    return;
  }
  const [level, description] = [plaintext[0]!, plaintext[1]!];
  if (description === AlertDescription.closeNotify) {
    ep.counters.inc('closeNotifyReceived');
    if (ep.currentState === 'connected') sendAlert(ep, AlertLevel.warning, AlertDescription.closeNotify);
    ep.finish('closed');
    ep.emit('close');
    return;
  }
  if (level === AlertLevel.fatal) {
    ep.fail(new DtlsPeerAlertError(description), undefined);
    return;
  }
  ep.counters.inc('warningAlertReceived');
  log.debug('warning alert %s', alertName(description));
}

/** One alert in its own datagram, under the current write epoch. */
export function sendAlert(ep: DtlsEndpoint, level: number, description: number): void {
  try {
    ep.output(ep.records.seal(ContentType.alert, ep.records.writeEpoch, Buffer.from([level, description])));
  } catch (err) {
    log.warn('could not send alert: %s', (err as Error).message);
  }
}

/** Several warning alerts in one datagram, under the current write epoch. */
export function sendAlerts(ep: DtlsEndpoint, descriptions: number[]): void {
  try {
    const records = descriptions.map((d) => ep.records.seal(ContentType.alert, ep.records.writeEpoch, Buffer.from([AlertLevel.warning, d])));
    for (const datagram of RecordLayer.pack(records, ep.options.mtu)) ep.output(datagram);
  } catch (err) {
    log.warn('could not send alerts: %s', (err as Error).message);
  }
}

import { createLogger } from '@rivulet/common';
import { AlertDescription, AlertLevel, alertName, ContentType } from './constants.js';
import type { DtlsEndpoint } from './endpoint.js';
import { DtlsPeerAlertError } from './errors.js';
import type { DtlsRecord } from './record/record.js';

const log = createLogger('dtls');
/** Datagrams kept while in state 'new' (before start()), and application data records held while our side of the handshake finishes. */
export const MAX_EARLY_DATAGRAMS = 16;

/**
 * The endpoint's receive path: records queued from datagrams (and those released when keys are
 * installed) are opened and dispatched one by one, in order, to the handshake driver, the alert
 * handling or the application. Re-entrant calls (a handshake step queueing records) only append;
 * the outer loop drains them.
 */
export function drainRecords(ep: DtlsEndpoint): void {
  if (ep.draining) return;
  ep.draining = true;
  try {
    let guard = 0;
    while (ep.queue.length > 0 && guard++ < 10_000) {
      if (ep.currentState === 'closed' || ep.currentState === 'failed') {
        ep.queue.length = 0;
        break;
      }
      processRecord(ep, ep.queue.shift()!);
    }
  } finally {
    ep.draining = false;
  }
}

function processRecord(ep: DtlsEndpoint, record: DtlsRecord): void {
  const plaintext = ep.records.open(record);
  if (!plaintext) return;
  switch (record.type) {
    case ContentType.handshake:
      return ep.driver.handleRecord(record, plaintext);
    case ContentType.changeCipherSpec:
      // RFC 5246 §7.1: a single byte 1. Ordering is enforced by requiring Finished in epoch 1.
      if (plaintext.length !== 1 || plaintext[0] !== 1) ep.counters.inc('malformedChangeCipherSpec');
      return;
    case ContentType.alert:
      return processAlert(ep, record, plaintext);
    case ContentType.applicationData:
      if (record.epoch !== 0 && ep.currentState === 'connecting' && ep.earlyData.length < MAX_EARLY_DATAGRAMS) {
        // It authenticated under the new keys, so the peer has finished; its Finished was lost
        // or reordered. Hold the data until our side completes.
        ep.earlyData.push(plaintext);
        ep.counters.inc('applicationDataHeld');
        return;
      }
      if (ep.currentState !== 'connected' || record.epoch === 0) {
        ep.counters.inc('unexpectedApplicationData');
        return;
      }
      ep.counters.inc('applicationDataReceived');
      ep.emit('data', plaintext);
      return;
  }
}

/** RFC 5246 §7.2: close_notify closes (answered in kind), a fatal alert fails, a warning is counted. */
function processAlert(ep: DtlsEndpoint, record: DtlsRecord, plaintext: Buffer): void {
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
    if (ep.currentState === 'connected') ep.sendAlert(AlertLevel.warning, AlertDescription.closeNotify);
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

import { ContentType } from './constants.js';
import type { DtlsEndpoint } from './endpoint.js';
import { processAlert } from './endpointAlerts.js';
import type { DtlsRecord } from './record/record.js';

/**
 * Datagrams kept while in state 'new' (before start()), and application data records held while
 * our side of the handshake finishes.
 */
export const MAX_EARLY_DATAGRAMS = 16;

/**
 * The endpoint's receive path: records queued from datagrams (and those released when keys are
 * installed) are opened and dispatched one by one, in order, to the handshake driver, the alert
 * handling (endpointAlerts.ts) or the application. Re-entrant calls (a handshake step queueing
 * records) only append; the outer loop drains them.
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

import { AlertDescription, AlertLevel } from './constants.js';
import type { DtlsEndpoint } from './endpoint.js';
import { sendAlert } from './endpointAlerts.js';
import { ClientHandshake } from './handshake/client.js';
import type { HandshakeHost, RoleHandshake } from './handshake/context.js';
import { HandshakeDriver } from './handshake/driver.js';
import { ServerHandshake } from './handshake/server.js';
import type { ResolvedOptions } from './options.js';
import { RecordLayer } from './record/recordLayer.js';

/**
 * Builds the role's handshake state machine (RFC 6347 §4.2) and the driver that feeds it
 * handshake records, wired to the endpoint: flights go out through its record layer and send
 * callback, installed keys release records queued under the next epoch, completion and failure
 * land in the endpoint's state.
 */
export function createHandshake(ep: DtlsEndpoint, o: ResolvedOptions): { handshake: RoleHandshake; driver: HandshakeDriver } {
  const host: HandshakeHost = {
    config: {
      role: o.role,
      certificate: o.certificate,
      remoteFingerprints: o.remoteFingerprints,
      srtpProfiles: o.srtpProfiles,
      cipherSuites: o.cipherSuites,
      requireExtendedMasterSecret: o.requireExtendedMasterSecret,
    },
    records: ep.records,
    flights: ep.flights,
    counters: ep.counters,
    clock: o.clock,
    sendRecords: (records) => {
      for (const d of RecordLayer.pack(records, o.mtu)) ep.output(d);
    },
    keysInstalled: (pending) => ep.queue.push(...pending),
    expectMessageSeq: (seq) => ep.driver.reassembler.reset(seq),
    handshakeComplete: () => ep.onHandshakeComplete(),
    refuseRenegotiation: () => {
      ep.counters.inc('renegotiationRefused');
      sendAlert(ep, AlertLevel.warning, AlertDescription.noRenegotiation);
    },
  };
  const handshake = o.role === 'client' ? new ClientHandshake(host) : new ServerHandshake(host, o.cookieSecret, undefined, o.cookieExchange);
  const driver = new HandshakeDriver(handshake, {
    counters: ep.counters,
    peerRetransmitted: () => ep.flights.onPeerRetransmission(),
    fail: (error, alert) => ep.fail(error, alert),
    isTerminal: () => ep.isTerminal(),
  });
  return { handshake, driver };
}

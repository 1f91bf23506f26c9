import type { SctpAssociation } from './association.js';

/** Congestion and retransmission state of an association (SctpAssociation.stats), for getStats and tests. */
export interface AssociationStats {
  rtoMs: number;
  srttMs: number | undefined;
  cwnd: number;
  ssthresh: number;
  flightSize: number;
  peerRwnd: number;
  retransmissions: number;
  abandonedMessages: number;
  packetsSent: number;
  packetsReceived: number;
  plpmtu: number;
  packetsOverBase: number;
}

/** A snapshot; before the handshake the sender's figures are 0 and the RTO is RTO.Initial (RFC 9260 §6.3.1 C1). */
export function associationStats(a: SctpAssociation): AssociationStats {
  const s = a.session?.sender;
  return {
    rtoMs: s?.rto.rto ?? a.o.rto.initialMs,
    srttMs: s?.rto.srtt,
    cwnd: s?.cc.cwnd ?? 0,
    ssthresh: s?.cc.ssthresh ?? 0,
    flightSize: s?.flightSize ?? 0,
    peerRwnd: s?.peerRwnd ?? 0,
    retransmissions: s?.retransmissions ?? 0,
    abandonedMessages: s?.abandonedMessages ?? 0,
    packetsSent: a.packetsSent,
    packetsReceived: a.packetsReceived,
    plpmtu: a.o.mtu,
    packetsOverBase: a.packetsOverBase,
  };
}

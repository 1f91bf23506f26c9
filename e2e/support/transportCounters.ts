import type { RTCPeerConnection } from '@rivulet/webrtc';

export type Counters = Record<string, number>;

/** The non-standard `rivuletCounters` of a connection's `transport` stats (ICE, DTLS, SCTP `sctp:*` entries). */
export async function transportCounters(pc: RTCPeerConnection): Promise<Counters> {
  const report = await pc.getStats();
  for (const s of report.values()) {
    const t = s as { type: string; rivuletCounters?: Counters };
    if (t.type === 'transport' && t.rivuletCounters) return t.rivuletCounters;
  }
  throw new Error('no transport stats with rivuletCounters');
}

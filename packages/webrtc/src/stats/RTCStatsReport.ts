/**
 * RTCStatsReport (webrtc-pc §8.3): a read-only maplike of stats id → stats
 * dictionary. Dictionaries follow webrtc-stats (type, id, timestamp, and the
 * members of each RTCStatsType).
 */

export type RTCStatsType =
  | 'codec' | 'inbound-rtp' | 'outbound-rtp' | 'remote-inbound-rtp' | 'remote-outbound-rtp' | 'media-source'
  | 'media-playout' | 'peer-connection' | 'data-channel' | 'transport' | 'candidate-pair' | 'local-candidate'
  | 'remote-candidate' | 'certificate';

export interface RTCStats {
  id: string;
  type: RTCStatsType;
  timestamp: number;
  [member: string]: unknown;
}

export class RTCStatsReport implements ReadonlyMap<string, RTCStats> {
  readonly #map: Map<string, RTCStats>;

  /** Not constructible by applications (returned by getStats). */
  constructor(entries: Iterable<RTCStats>, token?: symbol) {
    if (token !== REPORT_TOKEN) throw new TypeError('Illegal constructor');
    this.#map = new Map([...entries].map((s) => [s.id, Object.freeze({ ...s })]));
  }

  get size(): number { return this.#map.size; }
  get(id: string): RTCStats | undefined { return this.#map.get(id); }
  has(id: string): boolean { return this.#map.has(id); }
  keys(): MapIterator<string> { return this.#map.keys(); }
  values(): MapIterator<RTCStats> { return this.#map.values(); }
  entries(): MapIterator<[string, RTCStats]> { return this.#map.entries(); }
  forEach(cb: (value: RTCStats, key: string, map: ReadonlyMap<string, RTCStats>) => void, thisArg?: unknown): void {
    this.#map.forEach((v, k) => cb.call(thisArg, v, k, this));
  }
  [Symbol.iterator](): MapIterator<[string, RTCStats]> { return this.#map.entries(); }
  get [Symbol.toStringTag](): string { return 'RTCStatsReport'; }
}

const REPORT_TOKEN = Symbol('RTCStatsReport');

/** Package-internal factory. */
export function createStatsReport(entries: Iterable<RTCStats>): RTCStatsReport {
  return new RTCStatsReport(entries, REPORT_TOKEN);
}

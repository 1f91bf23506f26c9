/** rid (RFC 8851 §4) and simulcast (RFC 8853 §5.1). */
import type { RidAttribute, SimulcastAttribute, SimulcastStream } from './model.js';

/** rid-syntax: "a=rid:" rid-id SP rid-dir [ rid-pt-param-list / rid-param-list ] */
export function parseRid(v: string): RidAttribute | undefined {
  const m = /^([A-Za-z0-9_-]+) (send|recv)(?: (.+))?$/.exec(v);
  if (!m) return undefined;
  const a: RidAttribute = { name: 'rid', id: m[1]!, direction: m[2] as 'send' | 'recv' };
  if (m[3] !== undefined) a.params = m[3];
  return a;
}

export function formatRid(a: RidAttribute): string {
  return `${a.id} ${a.direction}${a.params !== undefined ? ` ${a.params}` : ''}`;
}

/** sc-value = ( sc-send [SP sc-recv] ) / ( sc-recv [SP sc-send] ); streams ';'-separated, alternatives ','. */
export function parseSimulcast(v: string): SimulcastAttribute | undefined {
  const w = v.split(' ');
  if (w.length !== 2 && w.length !== 4) return undefined;
  const directions: SimulcastAttribute['directions'] = [];
  for (let i = 0; i < w.length; i += 2) {
    const dir = w[i];
    if (dir !== 'send' && dir !== 'recv') return undefined;
    if (directions.some((d) => d.direction === dir)) return undefined;
    const streams: SimulcastStream[][] = [];
    for (const stream of w[i + 1]!.split(';')) {
      const alts: SimulcastStream[] = [];
      for (const alt of stream.split(',')) {
        const paused = alt.startsWith('~');
        const rid = paused ? alt.slice(1) : alt;
        if (!/^[A-Za-z0-9_-]+$/.test(rid)) return undefined;
        alts.push({ rid, paused });
      }
      streams.push(alts);
    }
    directions.push({ direction: dir, streams });
  }
  return { name: 'simulcast', directions };
}

export function formatSimulcast(a: SimulcastAttribute): string {
  return a.directions
    .map((d) => `${d.direction} ${d.streams.map((s) => s.map((x) => (x.paused ? '~' : '') + x.rid).join(',')).join(';')}`)
    .join(' ');
}

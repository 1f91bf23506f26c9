/**
 * Validation of what browsers send over the WebSocket. Anything that is not
 * one of the three message shapes is dropped (and counted by the caller).
 */
import type { ClientMessage } from './peer.js';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function parseClientMessage(text: string): ClientMessage | undefined {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isObject(v)) return undefined;
  switch (v['type']) {
    case 'description': {
      const d = v['description'];
      if (!isObject(d) || (d['type'] !== 'offer' && d['type'] !== 'answer') || typeof d['sdp'] !== 'string') return undefined;
      return { type: 'description', description: { type: d['type'], sdp: d['sdp'] } };
    }
    case 'candidate': {
      const c = v['candidate'];
      if (c === null) return { type: 'candidate', candidate: null };
      if (!isObject(c) || typeof c['candidate'] !== 'string') return undefined;
      const sdpMid = typeof c['sdpMid'] === 'string' ? c['sdpMid'] : null;
      const sdpMLineIndex = typeof c['sdpMLineIndex'] === 'number' ? c['sdpMLineIndex'] : null;
      return { type: 'candidate', candidate: { candidate: c['candidate'], sdpMid, sdpMLineIndex } };
    }
    case 'layer':
      if (typeof v['publicationId'] !== 'string' || typeof v['rid'] !== 'string') return undefined;
      return { type: 'layer', publicationId: v['publicationId'], rid: v['rid'] };
    default:
      return undefined;
  }
}

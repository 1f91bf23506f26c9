import type { RTCDataChannel } from '@rivulet/webrtc';

/**
 * Deterministic data-channel messages for the browser and node-datachannel e2e tests. Large
 * payloads are not moved through page.evaluate: both sides build the same messages from a size
 * and a seed, and compare a descriptor per message (type, byte length, FNV-1a hash), so
 * reordering, truncation or corruption shows as a mismatch.
 */

/** The message sizes of the matrix, 0 B to 256 KiB (the max-message-size both browsers announce). */
export const SIZES: readonly number[] = [0, 1, 1172, 1173, 16384, 65535, 65536, 262144];

/** A deterministic payload: byte i is (i * 31 + seed) & 0xff, so reordering or corruption shows. */
export function pattern(size: number, seed = 0): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = (i * 31 + seed) & 0xff;
  return out;
}

/** A deterministic ASCII string of `size` bytes. */
export function text(size: number, seed = 0): string {
  let s = '';
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  for (let i = 0; i < size; i++) s += alphabet[(i + seed) % alphabet.length];
  return s;
}

/** For every size, a string then a binary message, seeded by the size's index. */
export function matrix(): (string | Uint8Array)[] {
  const out: (string | Uint8Array)[] = [];
  SIZES.forEach((n, i) => {
    out.push(text(n, i));
    out.push(pattern(n, i));
  });
  return out;
}

/** 's' or 'b', byte length and FNV-1a 32 of the bytes (UTF-8 for strings). */
export function describeMsg(m: string | Uint8Array): string {
  const b = typeof m === 'string' ? Buffer.from(m, 'utf8') : m;
  let h = 0x811c9dc5;
  for (let i = 0; i < b.length; i++) {
    h ^= b[i]!;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return `${typeof m === 'string' ? 's' : 'b'}:${b.length}:${h.toString(16)}`;
}

/** describeMsg of what a MessageEvent carried (binaryType 'arraybuffer'). */
export function describeData(data: unknown): string {
  if (typeof data === 'string') return describeMsg(data);
  if (data instanceof ArrayBuffer) return describeMsg(new Uint8Array(data));
  if (data instanceof Uint8Array) return describeMsg(data);
  throw new Error(`unexpected message type ${Object.prototype.toString.call(data)}`);
}

/** Resolves when the channel is open (at once if it already is). */
export function opened(dc: RTCDataChannel): Promise<void> {
  return new Promise((resolve) => {
    if (dc.readyState === 'open') resolve();
    else dc.addEventListener('open', () => resolve(), { once: true });
  });
}

/**
 * The page's side (plain JS): `window.H` with the same text/pattern/matrix/describe, and
 * `H.track(dc)`, which records every channel the page sees by label: the descriptors of its
 * messages in window.got, short strings verbatim in window.raw, the labels that closed (and
 * how many messages each had then) in window.closedLabels / window.gotAtClose; a channel whose
 * label starts with 'echo' sends every message back. Needs window.gathered (pageScripts.ts)
 * for H.gathered.
 */
export const PAGE_DATA_HELPERS = `
window.H = {
  sizes: ${JSON.stringify(SIZES)},
  text(size, seed) { const a = 'abcdefghijklmnopqrstuvwxyz0123456789'; let s = ''; for (let i = 0; i < size; i++) s += a[(i + seed) % a.length]; return s; },
  pattern(size, seed) { const o = new Uint8Array(size); for (let i = 0; i < size; i++) o[i] = (i * 31 + seed) & 0xff; return o; },
  matrix() { const out = []; H.sizes.forEach((n, i) => { out.push(H.text(n, i)); out.push(H.pattern(n, i)); }); return out; },
  describe(m) {
    const b = typeof m === 'string' ? new TextEncoder().encode(m) : new Uint8Array(m);
    let h = 0x811c9dc5;
    for (let i = 0; i < b.length; i++) { h ^= b[i]; h = Math.imul(h, 0x01000193) >>> 0; }
    return (typeof m === 'string' ? 's' : 'b') + ':' + b.length + ':' + h.toString(16);
  },
  gathered(pc) { return window.gathered(pc); },
  track(dc) {
    dc.binaryType = 'arraybuffer';
    window.chans[dc.label] = dc;
    window.got[dc.label] = [];
    window.raw[dc.label] = [];
    dc.onmessage = (e) => {
      window.got[dc.label].push(H.describe(e.data));
      if (typeof e.data === 'string' && e.data.length < 100) window.raw[dc.label].push(e.data);
      if (dc.label.startsWith('echo')) dc.send(e.data);
    };
    dc.onclose = () => { window.closedLabels.push(dc.label); window.gotAtClose[dc.label] = window.got[dc.label].length; };
    return dc;
  },
};
window.chans = {}; window.got = {}; window.raw = {}; window.closedLabels = []; window.gotAtClose = {};
`;

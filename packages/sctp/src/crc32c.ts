/**
 * CRC-32c (Castagnoli), the SCTP checksum: RFC 9260 §6.8 and Appendix A
 * (polynomial 0x1EDC6F41, reflected 0x82F63B78, init and xorout 0xFFFFFFFF).
 *
 * Slicing-by-8: eight 256-entry tables let the inner loop consume eight bytes
 * per iteration, several times faster in V8 than the byte-at-a-time loop. The
 * checksum covers every packet we send and receive, so it is on the hot path.
 */

const POLY = 0x82f63b78;
const TABLES: Int32Array[] = [];

(function buildTables(): void {
  const t0 = new Int32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
    t0[i] = c;
  }
  TABLES.push(t0);
  for (let t = 1; t < 8; t++) {
    const prev = TABLES[t - 1]!;
    const next = new Int32Array(256);
    for (let i = 0; i < 256; i++) next[i] = (prev[i]! >>> 8) ^ t0[prev[i]! & 0xff]!;
    TABLES.push(next);
  }
})();

const [T0, T1, T2, T3, T4, T5, T6, T7] = TABLES as [
  Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array,
];

/**
 * Continues a CRC-32c over buf[start, end). `state` is the running register
 * (start with 0xFFFFFFFF ^ 0 via crc32cInit, finish with crc32cFinish), which
 * lets the SCTP packet checksum be computed around the zeroed checksum field
 * without copying the packet.
 */
export function crc32cUpdate(state: number, buf: Uint8Array, start = 0, end = buf.length): number {
  let c = state | 0;
  let i = start;
  const stop8 = end - 8;
  while (i <= stop8) {
    const lo = c ^ (buf[i]! | (buf[i + 1]! << 8) | (buf[i + 2]! << 16) | (buf[i + 3]! << 24));
    c =
      T7[lo & 0xff]! ^
      T6[(lo >>> 8) & 0xff]! ^
      T5[(lo >>> 16) & 0xff]! ^
      T4[lo >>> 24]! ^
      T3[buf[i + 4]!]! ^
      T2[buf[i + 5]!]! ^
      T1[buf[i + 6]!]! ^
      T0[buf[i + 7]!]!;
    i += 8;
  }
  while (i < end) c = T0[(c ^ buf[i++]!) & 0xff]! ^ (c >>> 8);
  return c;
}

export const CRC32C_INIT = 0xffffffff | 0;

export function crc32cFinish(state: number): number {
  return (state ^ 0xffffffff) >>> 0;
}

/** CRC-32c of a whole buffer, as the catalogue defines it (check value 0xE3069283). */
export function crc32c(buf: Uint8Array, start = 0, end = buf.length): number {
  return crc32cFinish(crc32cUpdate(CRC32C_INIT, buf, start, end));
}

const ZERO4 = new Uint8Array(4);

/**
 * RFC 9260 §6.8: the checksum of an SCTP packet is computed with the checksum
 * field (bytes 8..11) taken as zero; it is stored least-significant byte first
 * (Appendix A). This computes it without modifying `packet`.
 */
export function sctpChecksum(packet: Uint8Array): number {
  let s = crc32cUpdate(CRC32C_INIT, packet, 0, 8);
  s = crc32cUpdate(s, ZERO4, 0, 4);
  s = crc32cUpdate(s, packet, 12, packet.length);
  return crc32cFinish(s);
}

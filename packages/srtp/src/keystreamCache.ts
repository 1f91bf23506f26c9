import type { AesCmKeystream } from './keystream.js';

interface Batch {
  first: number;
  count: number;
  strideBlocks: number;
  ks: Buffer;
  /** 64-bit view of `ks` when it is 8-byte aligned (it is: fresh cipher output), else undefined. */
  ks64: BigInt64Array | undefined;
  /** Lookups this batch served, and the largest length asked of it. */
  used: number;
  maxLen: number;
}

const MAX_STREAMS = 64;

/**
 * Keystream for consecutive SRTP packets of one SSRC, generated several packets at a time.
 *
 * Why: one AES-ECB `update()` call costs ~1 µs of fixed overhead on top of ~11 ns per block, so a
 * 1200-byte packet pays about half its keystream cost in call overhead. Both the sender and the
 * receiver usually handle index i+1 right after i, so we generate the keystream of the next
 * `count` indexes in one call and slice it. The keystream is a pure function of (key, salt, SSRC,
 * index), so a cached slice is byte-identical to a fresh computation. The batch size adapts:
 * it doubles (to `maxBatch`) while at least half of a batch is used and halves otherwise, so
 * random access patterns fall back to one packet per call. Only the receiver's *authenticated*
 * packets reach this cache (decryption follows the tag check), so a forger cannot fill it.
 */
export class SrtpKeystreamCache {
  /** After `lookup`: the buffer and offset holding the requested keystream. */
  buf: Buffer = Buffer.alloc(0);
  off = 0;
  /** After `lookup`: a 64-bit view of `buf` (word 0 = byte 0) when aligned, else undefined. */
  buf64: BigInt64Array | undefined = undefined;
  private readonly streams = new Map<number, Batch>();
  /** The batch of the SSRC looked up last: one stream is the common case, skip the Map then. */
  private lastSsrc = -1;
  private last: Batch | undefined = undefined;

  constructor(
    private readonly ks: AesCmKeystream,
    private readonly salt: Buffer,
    private readonly maxBatch = 16,
  ) {}

  lookup(ssrc: number, index: number, len: number): void {
    const b = ssrc === this.lastSsrc ? this.last : this.streams.get(ssrc);
    if (b !== undefined && index >= b.first && index < b.first + b.count && len <= b.strideBlocks * 16) {
      b.used++;
      if (len > b.maxLen) b.maxLen = len;
      this.buf = b.ks;
      this.buf64 = b.ks64;
      this.off = (index - b.first) * b.strideBlocks * 16;
      this.lastSsrc = ssrc;
      this.last = b;
      return;
    }
    let count = 1;
    let strideBlocks = (len + 15) >>> 4;
    if (b !== undefined) {
      count = b.used * 2 >= b.count ? Math.min(b.count * 2, this.maxBatch) : Math.max(1, b.count >>> 1);
      // Size for the largest packet of the previous batch too, so a short last-of-frame packet
      // does not shrink the stride for the full-size ones that follow.
      strideBlocks = Math.max(strideBlocks, (b.maxLen + 15) >>> 4);
    } else if (this.streams.size >= MAX_STREAMS) {
      this.streams.clear();
    }
    const ks = this.ks.batch(this.salt, ssrc, index, count, strideBlocks);
    const ks64 = (ks.byteOffset & 7) === 0 ? new BigInt64Array(ks.buffer, ks.byteOffset, ks.length >>> 3) : undefined;
    const nb: Batch = { first: index, count, strideBlocks, ks, ks64, used: 1, maxLen: len };
    this.streams.set(ssrc, nb);
    this.buf = ks;
    this.buf64 = ks64;
    this.off = 0;
    this.lastSsrc = ssrc;
    this.last = nb;
  }
}
